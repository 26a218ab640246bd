package store

import (
	"context"
	"time"

	"pulse/internal/pulse"
)

var _ pulse.ProviderCheckStore = (*DB)(nil)

type providerCheckRow struct {
	ID        int64
	Service   string
	Status    string
	LatencyMs float64
	Detail    string
	CheckedAt time.Time
}

func (providerCheckRow) TableName() string { return "provider_checks" }

// InsertProviderCheck implements pulse.ProviderCheckStore.
func (db *DB) InsertProviderCheck(ctx context.Context, c pulse.ProviderCheck) error {
	row := providerCheckRow{Service: c.Provider.ServiceID(), Status: string(c.Status), LatencyMs: c.LatencyMs, Detail: c.Detail, CheckedAt: utc(c.CheckedAt)}
	return translate(db.with(ctx).Create(&row).Error)
}

// LatestProviderChecks implements pulse.ProviderCheckStore; one indexed probe
// per provider rather than a scan of the history.
func (db *DB) LatestProviderChecks(ctx context.Context) (map[pulse.Provider]pulse.ProviderCheck, error) {
	out := map[pulse.Provider]pulse.ProviderCheck{}
	for _, id := range pulse.Providers {
		var rows []providerCheckRow
		if err := db.with(ctx).Where("service = ?", id.ServiceID()).Order("checked_at DESC").Limit(1).Find(&rows).Error; err != nil {
			return nil, translate(err)
		}
		if len(rows) == 1 {
			r := rows[0]
			out[id] = pulse.ProviderCheck{Provider: id, Status: pulse.ProviderStatus(r.Status), LatencyMs: r.LatencyMs, CheckedAt: r.CheckedAt.UTC(), Detail: r.Detail}
		}
	}
	return out, nil
}

// ProviderUptime implements pulse.ProviderCheckStore.
func (db *DB) ProviderUptime(ctx context.Context, since time.Time) (map[pulse.Provider]float64, error) {
	var rows []struct {
		Service   string
		Total, Up int64
	}
	err := db.with(ctx).Raw(`SELECT service, COUNT(*) AS total,
			SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS up
		FROM provider_checks WHERE checked_at >= ? AND status <> ? GROUP BY service`,
		string(pulse.StatusOperational), utc(since), string(pulse.StatusUnconfigured)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := map[pulse.Provider]float64{}
	for _, r := range rows {
		if p, ok := pulse.ProviderByServiceID(r.Service); ok && r.Total > 0 {
			out[p] = float64(r.Up) / float64(r.Total)
		}
	}
	return out, nil
}

// PruneProviderChecks implements pulse.ProviderCheckStore, in batches of
// PruneBatch rows.
func (db *DB) PruneProviderChecks(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM provider_checks WHERE id IN
		(SELECT id FROM provider_checks WHERE checked_at < ? LIMIT ?)`, utc(before))
}
