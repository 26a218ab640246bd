package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

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
	LiveRooms *int
}

func (providerCheckRow) TableName() string { return "provider_checks" }

// InsertProviderCheck implements pulse.ProviderCheckStore.
func (db *DB) InsertProviderCheck(ctx context.Context, c pulse.ProviderCheck) error {
	row := providerCheckRow{Service: c.Provider.ServiceID(), Status: string(c.Status), LatencyMs: c.LatencyMs, Detail: c.Detail, CheckedAt: utc(c.CheckedAt), LiveRooms: c.LiveRooms}
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
			out[id] = pulse.ProviderCheck{Provider: id, Status: pulse.ProviderStatus(r.Status), LatencyMs: r.LatencyMs, CheckedAt: r.CheckedAt.UTC(), Detail: r.Detail, LiveRooms: r.LiveRooms}
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

// PruneProviderChecks deletes the checks before `before` (the lifecycle
// pass), in batches of PruneBatch rows.
func (db *DB) PruneProviderChecks(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM provider_checks WHERE id IN
		(SELECT id FROM provider_checks WHERE checked_at < ? LIMIT ?)`, utc(before))
}

type providerStatusRow struct {
	Service           string `gorm:"primaryKey"`
	Indicator         string
	Description       string
	Incident          string
	IncidentImpact    string
	Maintenance       string
	MaintenanceStatus string
	MaintenanceAt     *time.Time
	CheckedAt         time.Time
}

func (providerStatusRow) TableName() string { return "provider_status" }

// SaveProviderDeclared implements pulse.ProviderCheckStore: one row per
// provider, replaced.
func (db *DB) SaveProviderDeclared(ctx context.Context, d pulse.ProviderDeclared) error {
	row := providerStatusRow{
		Service: d.Provider.ServiceID(), Indicator: string(d.Indicator), Description: d.Description,
		Incident: d.Incident, IncidentImpact: d.IncidentImpact,
		Maintenance: d.Maintenance, MaintenanceStatus: d.MaintenanceStatus, CheckedAt: utc(d.CheckedAt),
	}
	if d.MaintenanceAt != nil {
		at := utc(*d.MaintenanceAt)
		row.MaintenanceAt = &at
	}
	err := db.with(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "service"}},
		DoUpdates: clause.AssignmentColumns([]string{"indicator", "description", "incident", "incident_impact",
			"maintenance", "maintenance_status", "maintenance_at", "checked_at"}),
	}).Create(&row).Error
	return translate(err)
}

// LatestProviderDeclared implements pulse.ProviderCheckStore.
func (db *DB) LatestProviderDeclared(ctx context.Context) (map[pulse.Provider]pulse.ProviderDeclared, error) {
	var rows []providerStatusRow
	if err := db.with(ctx).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[pulse.Provider]pulse.ProviderDeclared, len(rows))
	for _, r := range rows {
		p, ok := pulse.ProviderByServiceID(r.Service)
		if !ok {
			continue
		}
		d := pulse.ProviderDeclared{
			Provider: p, Indicator: pulse.DeclaredIndicator(r.Indicator), Description: r.Description,
			Incident: r.Incident, IncidentImpact: r.IncidentImpact,
			Maintenance: r.Maintenance, MaintenanceStatus: r.MaintenanceStatus, CheckedAt: r.CheckedAt.UTC(),
		}
		if r.MaintenanceAt != nil {
			at := r.MaintenanceAt.UTC()
			d.MaintenanceAt = &at
		}
		out[p] = d
	}
	return out, nil
}
