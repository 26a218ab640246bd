-- +goose Up
-- The live average quality (mean of per-session averages over the sessions
-- sampled in the last hour) read from a per-minute rollup kept up to date on
-- ingestion, not from a scan of every session sampled in the hour. A session
-- counts in the minute of its latest sample, with its average as of that
-- sample; each new sample moves it there. (Shards matter on PostgreSQL only,
-- where concurrent writers would queue on one row; SQLite has one writer and
-- writes shard 0.)
CREATE TABLE quality_minutes (
    minute      DATETIME NOT NULL,
    shard       INTEGER NOT NULL,
    sessions    BIGINT NOT NULL,
    -- Σ of those sessions' average scores (4..1), in billionths: integers
    -- add and subtract exactly, so the rollup never drifts.
    score_nanos BIGINT NOT NULL,
    PRIMARY KEY (minute, shard)
);
-- The sample before the latest, so a sample can take its session out of the
-- minute it counted in.
ALTER TABLE sessions ADD COLUMN prev_quality_at DATETIME;
-- The sessions sampled in the last two hours, as ingestion would have left
-- them (times in the format the driver writes: 2006-01-02 15:04:05+00:00).
INSERT INTO quality_minutes (minute, shard, sessions, score_nanos)
SELECT strftime('%Y-%m-%d %H:%M:00+00:00', last_quality_at), 0, count(*),
       sum((CAST(quality_sum AS INTEGER) * 1000000000 + quality_count / 2) / quality_count)
FROM sessions
WHERE julianday(last_quality_at) >= julianday('now', '-2 hours') AND quality_count > 0
GROUP BY 1;

-- The daily summary gets a shard too (always 0 here), as on PostgreSQL.
CREATE TABLE session_daily_sharded (
    day         DATE NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    shard       INTEGER NOT NULL DEFAULT 0,
    sessions    BIGINT NOT NULL DEFAULT 0,
    excellent   BIGINT NOT NULL DEFAULT 0,
    good        BIGINT NOT NULL DEFAULT 0,
    fair        BIGINT NOT NULL DEFAULT 0,
    poor        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, category_id, shard)
);
INSERT INTO session_daily_sharded (day, category_id, shard, sessions, excellent, good, fair, poor)
SELECT day, category_id, 0, sessions, excellent, good, fair, poor FROM session_daily;
DROP TABLE session_daily;
ALTER TABLE session_daily_sharded RENAME TO session_daily;

-- Nothing reads sessions by last_quality_at any more; without the index, and
-- with last_seen_at written about once a minute, a sample changes no
-- indexed column and PostgreSQL updates the row in place (HOT).
DROP INDEX sessions_last_quality;

-- +goose Down
CREATE INDEX sessions_last_quality ON sessions (last_quality_at) WHERE last_quality_at IS NOT NULL;
CREATE TABLE session_daily_merged (
    day         DATE NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    sessions    BIGINT NOT NULL DEFAULT 0,
    excellent   BIGINT NOT NULL DEFAULT 0,
    good        BIGINT NOT NULL DEFAULT 0,
    fair        BIGINT NOT NULL DEFAULT 0,
    poor        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, category_id)
);
INSERT INTO session_daily_merged (day, category_id, sessions, excellent, good, fair, poor)
SELECT day, category_id, sum(sessions), sum(excellent), sum(good), sum(fair), sum(poor)
FROM session_daily GROUP BY day, category_id;
DROP TABLE session_daily;
ALTER TABLE session_daily_merged RENAME TO session_daily;
ALTER TABLE sessions DROP COLUMN prev_quality_at;
DROP TABLE quality_minutes;
