package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"pulse/internal/pulse"
)

var _ pulse.RollupStore = (*DB)(nil)

type rollupRow struct {
	Minute       time.Time `gorm:"primaryKey"`
	Instance     string    `gorm:"primaryKey"`
	Requests     int64
	Errors       int64
	ClientErrors int64
	Histogram    []byte
}

func (rollupRow) TableName() string { return "request_rollups" }

// UpsertRollups implements pulse.RollupStore: a rollup is cumulative for its
// (minute, instance), so a later flush replaces the earlier one.
func (db *DB) UpsertRollups(ctx context.Context, rs []pulse.Rollup) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]rollupRow, len(rs))
	for i, r := range rs {
		if r.Histogram == nil {
			r.Histogram = []byte{} // the column is NOT NULL; an empty histogram is valid
		}
		rows[i] = rollupRow{Minute: utc(r.Minute), Instance: r.Instance, Requests: r.Requests, Errors: r.Errors, ClientErrors: r.ClientErrors, Histogram: r.Histogram}
	}
	err := db.with(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "minute"}, {Name: "instance"}},
		DoUpdates: clause.AssignmentColumns([]string{"requests", "errors", "client_errors", "histogram"}),
	}).Create(&rows).Error
	return translate(err)
}

// ListRollups implements pulse.RollupStore.
func (db *DB) ListRollups(ctx context.Context, since time.Time) ([]pulse.Rollup, error) {
	var rows []rollupRow
	if err := db.with(ctx).Where("minute >= ?", utc(since)).Order("minute").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]pulse.Rollup, len(rows))
	for i, r := range rows {
		out[i] = pulse.Rollup{Minute: r.Minute.UTC(), Instance: r.Instance, Requests: r.Requests, Errors: r.Errors, ClientErrors: r.ClientErrors, Histogram: r.Histogram}
	}
	return out, nil
}

// PruneRollups deletes the rollups older than before (the lifecycle pass), in
// batches of PruneBatch rows.
func (db *DB) PruneRollups(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM request_rollups WHERE (minute, instance) IN
		(SELECT minute, instance FROM request_rollups WHERE minute < ? LIMIT ?)`, utc(before))
}
