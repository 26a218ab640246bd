-- What ingestion maintains, rebuilt in one pass after a bulk load of sessions
-- (scripts/perf-anchors.sh, scripts/scale-check.sh): the daily summary and the
-- two per-minute rollups of /current, over the windows the migrations fill
-- (00005 and 00008), all in shard 0. The quality classes are pulse.ClassCutoffs.
INSERT INTO session_daily (day, category_id, sessions, excellent, good, fair, poor)
SELECT (started_at AT TIME ZONE 'UTC')::date, category_id, count(*),
       count(*) FILTER (WHERE quality_sum::float / quality_count >= 3.5),
       count(*) FILTER (WHERE quality_sum::float / quality_count >= 2.5 AND quality_sum::float / quality_count < 3.5),
       count(*) FILTER (WHERE quality_sum::float / quality_count >= 1.5 AND quality_sum::float / quality_count < 2.5),
       count(*) FILTER (WHERE quality_sum::float / quality_count < 1.5)
FROM sessions GROUP BY 1, 2;
INSERT INTO quality_minutes (minute, shard, sessions, score_nanos)
SELECT date_trunc('minute', last_quality_at), 0, count(*),
       sum((quality_sum::bigint * 1000000000 + quality_count / 2) / quality_count)
FROM sessions
WHERE last_quality_at >= now() - interval '2 hours' AND quality_count > 0
GROUP BY 1;
INSERT INTO seen_minutes (minute, shard, sessions)
SELECT date_trunc('minute', last_seen_at), 0, count(*)
FROM sessions
WHERE ended_at IS NULL AND last_seen_at >= date_trunc('minute', now() - interval '1 hour')
GROUP BY 1;
