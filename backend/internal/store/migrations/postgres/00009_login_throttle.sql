-- +goose Up
-- The per-account sign-in backoff, shared by every replica (it was kept in
-- each process's memory, so N replicas gave a guesser N times the attempts).
-- An account is the SHA-256 hex of its normalised email: an email that may
-- not be an account is never stored in plain. The rule itself
-- (pulse.SignInBackoff) is applied in Go under the row's lock.
CREATE TABLE login_throttle (
    account         TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,          -- consecutive, attempts in progress included
    wait_until      TIMESTAMPTZ,               -- no attempt before; NULL when none pending
    last_attempt_at TIMESTAMPTZ NOT NULL
);
-- The lifecycle pass deletes the records quiet for an hour.
CREATE INDEX login_throttle_last_attempt_at ON login_throttle (last_attempt_at);

-- +goose Down
DROP TABLE login_throttle;
