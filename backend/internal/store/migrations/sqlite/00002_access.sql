-- +goose Up
-- A disabled admin cannot sign in and the tokens they hold are refused.
ALTER TABLE admins ADD COLUMN disabled_at DATETIME;

ALTER TABLE api_keys ADD COLUMN revoked_at DATETIME;
-- Written at most about once a minute per key, not on every request.
ALTER TABLE api_keys ADD COLUMN last_used_at DATETIME;

-- Signed-out admin tokens (JWT jti), kept until they would have expired.
CREATE TABLE revoked_tokens (
    id         TEXT PRIMARY KEY,
    expires_at DATETIME NOT NULL
);
CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);

-- +goose Down
DROP TABLE revoked_tokens;
ALTER TABLE api_keys DROP COLUMN last_used_at;
ALTER TABLE api_keys DROP COLUMN revoked_at;
ALTER TABLE admins DROP COLUMN disabled_at;
