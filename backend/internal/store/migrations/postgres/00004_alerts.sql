-- +goose Up
-- Each alert rule's hysteresis counters and its open incident, so that a new
-- leader carries on where the last one stopped. version moves with every
-- write: a transition is recorded only by the evaluator that read the
-- version before it.
CREATE TABLE alert_rule_states (
    rule         TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    level        TEXT NOT NULL DEFAULT '',
    streak       INTEGER NOT NULL DEFAULT 0,
    is_open      BOOLEAN NOT NULL DEFAULT false,
    severity     TEXT NOT NULL DEFAULT '',
    incident_id  BIGINT,
    version      BIGINT NOT NULL DEFAULT 0,
    evaluated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE incidents (
    id               BIGSERIAL PRIMARY KEY,
    rule             TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('degraded', 'critical')),
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    summary          TEXT NOT NULL,
    reasons          TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    opened_at        TIMESTAMPTZ NOT NULL,
    resolved_at      TIMESTAMPTZ,
    silenced         BOOLEAN NOT NULL DEFAULT false,
    last_notified_at TIMESTAMPTZ
);
-- The incident list reads a window of recent incidents; retention deletes
-- the resolved ones by their end.
CREATE INDEX incidents_opened_at ON incidents (opened_at);
CREATE INDEX incidents_resolved_at ON incidents (resolved_at);

-- The timeline of each incident: opened, escalated, deescalated, resolved, reminder.
CREATE TABLE incident_events (
    id          BIGSERIAL PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    reasons     TEXT NOT NULL DEFAULT '[]',
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);

-- The outbox: one row per event and channel, written in the transaction that
-- records the event, claimed by a conditional update before each attempt.
CREATE TABLE alert_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    incident_id     BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL REFERENCES incident_events (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    give_up_at      TIMESTAMPTZ NOT NULL,
    claimed_until   TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    UNIQUE (event_id, channel)
);
CREATE INDEX alert_deliveries_incident ON alert_deliveries (incident_id);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');

-- Planned maintenance: a rule (or 'all') sends nothing until ends_at.
CREATE TABLE alert_silences (
    id         BIGSERIAL PRIMARY KEY,
    rule       TEXT NOT NULL,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX alert_silences_ends_at ON alert_silences (ends_at);

-- +goose Down
DROP TABLE alert_silences;
DROP TABLE alert_deliveries;
DROP TABLE incident_events;
DROP TABLE incidents;
DROP TABLE alert_rule_states;
