-- +goose Up
-- The live average quality (mean of per-session averages over the sessions
-- sampled in the last hour) read from a per-minute rollup kept up to date on
-- ingestion, not from a scan of every session sampled in the hour. A session
-- counts in the minute of its latest sample, with its average as of that
-- sample; each new sample moves it there.
--
-- Rows that every ingestion request bumps are split into shards, so that
-- concurrent requests rarely wait for each other's row lock until commit:
-- one per group-commit writer (see internal/store/groupcommit.go; when this
-- migration was written, one per connection), 0 for the transaction paths.
-- Readers sum the shards.
CREATE TABLE quality_minutes (
    minute      TIMESTAMPTZ NOT NULL,
    shard       SMALLINT NOT NULL,
    sessions    BIGINT NOT NULL,
    -- Σ of those sessions' average scores (4..1), in billionths: integers
    -- add and subtract exactly, so the rollup never drifts.
    score_nanos BIGINT NOT NULL,
    PRIMARY KEY (minute, shard)
);
-- The sample before the latest, so a sample can take its session out of the
-- minute it counted in. Written by the same UPDATE (SET reads the old row).
ALTER TABLE sessions ADD COLUMN prev_quality_at TIMESTAMPTZ;
-- The sessions sampled in the last two hours, as ingestion would have left them.
INSERT INTO quality_minutes (minute, shard, sessions, score_nanos)
SELECT date_trunc('minute', last_quality_at), 0, count(*),
       sum((quality_sum::bigint * 1000000000 + quality_count / 2) / quality_count)
FROM sessions
WHERE last_quality_at >= now() - interval '2 hours' AND quality_count > 0
GROUP BY 1;

-- The daily summary likewise: one row per day, category and shard.
ALTER TABLE session_daily ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE session_daily DROP CONSTRAINT session_daily_pkey;
ALTER TABLE session_daily ADD PRIMARY KEY (day, category_id, shard);

-- Nothing reads sessions by last_quality_at any more; without the index, and
-- with last_seen_at written about once a minute, a sample changes no
-- indexed column and PostgreSQL updates the row in place (HOT).
DROP INDEX sessions_last_quality;

-- +goose Down
CREATE INDEX sessions_last_quality ON sessions (last_quality_at) WHERE last_quality_at IS NOT NULL;
CREATE TEMPORARY TABLE session_daily_merged AS
SELECT day, category_id, sum(sessions) AS sessions, sum(excellent) AS excellent, sum(good) AS good,
       sum(fair) AS fair, sum(poor) AS poor
FROM session_daily GROUP BY day, category_id;
DELETE FROM session_daily;
ALTER TABLE session_daily DROP CONSTRAINT session_daily_pkey;
ALTER TABLE session_daily DROP COLUMN shard;
INSERT INTO session_daily (day, category_id, sessions, excellent, good, fair, poor)
SELECT day, category_id, sessions, excellent, good, fair, poor FROM session_daily_merged;
ALTER TABLE session_daily ADD PRIMARY KEY (day, category_id);
DROP TABLE session_daily_merged;
ALTER TABLE sessions DROP COLUMN prev_quality_at;
DROP TABLE quality_minutes;
