-- +goose Up
-- The provider's own count of live rooms, as its API gave it at that check;
-- NULL when it did not tell.
ALTER TABLE provider_checks ADD COLUMN live_rooms INTEGER;

-- What each provider's status page last declared: one row per provider,
-- replaced by the leader each round and read by every replica.
CREATE TABLE provider_status (
    service            TEXT PRIMARY KEY,
    indicator          TEXT NOT NULL,
    description        TEXT NOT NULL,
    incident           TEXT NOT NULL,
    incident_impact    TEXT NOT NULL,
    maintenance        TEXT NOT NULL,
    maintenance_status TEXT NOT NULL,
    maintenance_at     DATETIME,
    checked_at         DATETIME NOT NULL
);

-- +goose Down
DROP TABLE provider_status;
ALTER TABLE provider_checks DROP COLUMN live_rooms;
