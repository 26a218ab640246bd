-- +goose Up
-- Provider webhook events already applied, by the provider's event id: a
-- redelivery has no second effect. Kept for PULSE_WEBHOOK_EVENT_RETENTION.
CREATE TABLE processed_events (
    source      TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    received_at DATETIME NOT NULL,
    PRIMARY KEY (source, event_id)
);
CREATE INDEX processed_events_received_at ON processed_events (received_at);

-- Room-name prefixes that place webhook sessions in a category; the longest
-- matching prefix wins (`pulse category map`).
CREATE TABLE category_prefixes (
    provider    TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    PRIMARY KEY (provider, prefix)
);

-- Daily's participant events name the room, not the meeting: they find the
-- room's open session by its name.
ALTER TABLE sessions ADD COLUMN room_name TEXT;
CREATE INDEX sessions_open_room_name ON sessions (room_name) WHERE ended_at IS NULL AND room_name IS NOT NULL;

-- +goose Down
DROP INDEX sessions_open_room_name;
ALTER TABLE sessions DROP COLUMN room_name;
DROP TABLE category_prefixes;
DROP TABLE processed_events;
