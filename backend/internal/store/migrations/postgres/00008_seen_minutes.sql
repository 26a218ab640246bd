-- +goose Up
-- The live-session count (open sessions seen in the last 30 minutes) read
-- from a per-minute rollup kept up to date on ingestion, not from a count of
-- the open sessions' index entries. An open session counts in the minute of
-- its last-seen time; whatever moves that time (a sample once a minute, a
-- webhook) moves it there, and its end takes it out. Sharded like
-- quality_minutes: one shard per group-commit writer, 0 for the transaction
-- paths; readers sum the shards (a single shard's row may be negative).
CREATE TABLE seen_minutes (
    minute   TIMESTAMPTZ NOT NULL,
    shard    SMALLINT NOT NULL,
    sessions BIGINT NOT NULL,
    PRIMARY KEY (minute, shard)
);
-- last_seen_at as it was before the latest statement that may move it, so
-- that statement can take the session out of the minute it counted in
-- (RETURNING sees only the new row). Not indexed: a sample stays a HOT update.
ALTER TABLE sessions ADD COLUMN prev_seen_at TIMESTAMPTZ;
-- The open sessions seen in the last hour (pulse.SeenRollupKept, from the
-- start of its first minute), as ingestion would have left them: every
-- minute a writer may take a session out of is filled.
INSERT INTO seen_minutes (minute, shard, sessions)
SELECT date_trunc('minute', last_seen_at), 0, count(*)
FROM sessions
WHERE ended_at IS NULL AND last_seen_at >= date_trunc('minute', now() - interval '1 hour')
GROUP BY 1;

-- +goose Down
ALTER TABLE sessions DROP COLUMN prev_seen_at;
DROP TABLE seen_minutes;
