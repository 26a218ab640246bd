-- +goose Up
-- The per-account sign-in backoff, shared by every process on the database
-- (it was kept in each process's memory). An account is the SHA-256 hex of
-- its normalised email: an email that may not be an account is never stored
-- in plain. The rule itself (pulse.SignInBackoff) is applied in Go inside an
-- immediate transaction, which serialises writers.
CREATE TABLE login_throttle (
    account         TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,          -- consecutive, attempts in progress included
    wait_until      DATETIME,                  -- no attempt before; NULL when none pending
    last_attempt_at DATETIME NOT NULL
);
-- The lifecycle pass deletes the records quiet for an hour.
CREATE INDEX login_throttle_last_attempt_at ON login_throttle (last_attempt_at);

-- +goose Down
DROP TABLE login_throttle;
