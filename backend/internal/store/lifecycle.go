package store

import (
	"context"
	"time"
)

// PruneBatch is the most rows one retention or sweep statement touches: a
// first prune of a big table is many short statements, never one long lock
// or one huge transaction.
const PruneBatch = 5000

// PruneSessions deletes the sessions that started before `before`, in
// batches, and returns how many. The daily summary is left alone: the views
// that read it do not change.
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM sessions WHERE id IN
		(SELECT id FROM sessions WHERE started_at < ? LIMIT ?)`, utc(before))
}

// EndStaleSessions ends every open session last seen before seenBefore at its
// last-seen time, marks it abandoned, and returns how many. The outer
// condition repeats ended_at IS NULL so that a session ended meanwhile keeps
// its own end.
func (db *DB) EndStaleSessions(ctx context.Context, seenBefore time.Time) (int64, error) {
	return db.inBatches(ctx, `UPDATE sessions SET ended_at = last_seen_at, abandoned = true
		WHERE ended_at IS NULL AND id IN
		(SELECT id FROM sessions WHERE ended_at IS NULL AND last_seen_at < ? LIMIT ?)`, utc(seenBefore))
}

// inBatches runs stmt, whose last bind parameter is the batch size, until a run
// touches fewer than PruneBatch rows, and returns the rows touched in all.
// Each run is its own statement and transaction.
func (db *DB) inBatches(ctx context.Context, stmt string, args ...any) (int64, error) {
	args = append(args, PruneBatch)
	var total int64
	for {
		res := db.with(ctx).Exec(stmt, args...)
		if res.Error != nil {
			return total, translate(res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < PruneBatch {
			return total, nil
		}
	}
}
