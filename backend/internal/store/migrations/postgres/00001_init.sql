-- +goose Up
CREATE TABLE categories (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_name ON categories (lower(name));
INSERT INTO categories (name) VALUES
    ('Academic Advising'), ('Career Counseling'), ('Mental Health'),
    ('Financial Aid'), ('Admissions'), ('Wellness Coaching');

-- No student or counselor identity is stored: only what the aggregates need.
CREATE TABLE sessions (
    id              UUID PRIMARY KEY,
    category_id     BIGINT NOT NULL REFERENCES categories (id),
    provider        TEXT NOT NULL,
    external_id     TEXT,
    started_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ,
    quality_sum     INTEGER NOT NULL DEFAULT 0,
    quality_count   INTEGER NOT NULL DEFAULT 0,
    last_quality_at TIMESTAMPTZ
);
-- NULL external ids are distinct, so sessions without one never collide.
CREATE UNIQUE INDEX sessions_provider_external_id ON sessions (provider, external_id);
-- The live count reads only open sessions.
CREATE INDEX sessions_open_last_seen ON sessions (last_seen_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_last_quality ON sessions (last_quality_at) WHERE last_quality_at IS NOT NULL;

-- Maintained on ingestion so that the 30-day view reads at most 30 x categories rows.
CREATE TABLE session_daily (
    day         DATE NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    sessions    BIGINT NOT NULL DEFAULT 0,
    excellent   BIGINT NOT NULL DEFAULT 0,
    good        BIGINT NOT NULL DEFAULT 0,
    fair        BIGINT NOT NULL DEFAULT 0,
    poor        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, category_id)
);

CREATE TABLE admins (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('SUPER_ADMIN', 'SYSTEM_MONITOR', 'CONTENT_MANAGER')),
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE request_rollups (
    minute        TIMESTAMPTZ NOT NULL,
    instance      TEXT NOT NULL,
    requests      BIGINT NOT NULL,
    errors        BIGINT NOT NULL,
    client_errors BIGINT NOT NULL,
    histogram     BYTEA NOT NULL,
    PRIMARY KEY (minute, instance)
);

CREATE TABLE provider_checks (
    id         BIGSERIAL PRIMARY KEY,
    service    TEXT NOT NULL,
    status     TEXT NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL,
    detail     TEXT NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX provider_checks_service_checked_at ON provider_checks (service, checked_at);
CREATE INDEX provider_checks_checked_at ON provider_checks (checked_at);

-- +goose Down
DROP TABLE provider_checks;
DROP TABLE request_rollups;
DROP TABLE api_keys;
DROP TABLE admins;
DROP TABLE session_daily;
DROP TABLE sessions;
DROP TABLE categories;
