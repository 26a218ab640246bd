-- +goose Up
-- The live-session count (open sessions seen in the last 30 minutes) read
-- from a per-minute rollup kept up to date on ingestion, not from a count of
-- the open sessions' index entries. An open session counts in the minute of
-- its last-seen time; whatever moves that time (a sample once a minute, a
-- webhook) moves it there, and its end takes it out. (Shards matter on
-- PostgreSQL only; SQLite has one writer and writes shard 0.)
CREATE TABLE seen_minutes (
    minute   DATETIME NOT NULL,
    shard    INTEGER NOT NULL,
    sessions BIGINT NOT NULL,
    PRIMARY KEY (minute, shard)
);
-- last_seen_at as it was before the latest statement that may move it, so
-- that statement can take the session out of the minute it counted in.
ALTER TABLE sessions ADD COLUMN prev_seen_at DATETIME;
-- The open sessions seen in the last hour (pulse.SeenRollupKept, from the
-- start of its first minute), as ingestion would have left them (times in
-- the format the driver writes: 2006-01-02 15:04:05+00:00).
INSERT INTO seen_minutes (minute, shard, sessions)
SELECT strftime('%Y-%m-%d %H:%M:00+00:00', last_seen_at), 0, count(*)
FROM sessions
WHERE ended_at IS NULL
  AND julianday(last_seen_at) >= julianday(strftime('%Y-%m-%d %H:%M:00', 'now', '-1 hour'))
GROUP BY 1;

-- +goose Down
ALTER TABLE sessions DROP COLUMN prev_seen_at;
DROP TABLE seen_minutes;
