-- +goose Up
-- A session nobody ended is ended by the stale sweep and marked abandoned.
ALTER TABLE sessions ADD COLUMN abandoned BOOLEAN NOT NULL DEFAULT false;
-- The live figure counts recent abandoned sessions: only those rows are indexed.
CREATE INDEX sessions_abandoned_ended ON sessions (ended_at) WHERE abandoned;
-- Retention deletes by start time in batches; each batch must find its rows
-- without a scan of the table.
CREATE INDEX sessions_started_at ON sessions (started_at);

-- +goose Down
DROP INDEX sessions_started_at;
DROP INDEX sessions_abandoned_ended;
ALTER TABLE sessions DROP COLUMN abandoned;
