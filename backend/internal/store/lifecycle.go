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
// that read it do not change. (Nor is the live count's rollup: a session
// started before the retention, at least 30 days, and seen in the last half
// hour is not one that exists; it would count until its minute left the
// window.)
func (db *DB) PruneSessions(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM sessions WHERE id IN
		(SELECT id FROM sessions WHERE started_at < ? LIMIT ?)`, utc(before))
}

// EndStaleSessions ends every open session whose last-seen minute is before
// seenBefore's at its last-seen time, marks it abandoned, and returns how
// many. The outer condition repeats the subquery's, so that a session ended
// or seen meanwhile keeps its own end or stays open.
//
// It leaves the live count's rollup (seen_minutes) alone: callers pass
// seenBefore at least pulse.ActiveWindow ago (PULSE_SESSION_STALE_AFTER may
// not be shorter), so a session ended here was last seen in a minute before
// the first minute of every window read from now on, and no writer moves it
// again (it has ended). Its count stays in a minute nobody reads until the
// prune removes it. Whole minutes matter: a session seen at 12:00:10 counts
// until 12:31:00, and ending it at 12:30:30 would leave it counted.
func (db *DB) EndStaleSessions(ctx context.Context, seenBefore time.Time) (int64, error) {
	cutoff := utc(seenBefore).Truncate(time.Minute)
	return db.inBatches(ctx, `UPDATE sessions SET ended_at = last_seen_at, abandoned = true
		WHERE ended_at IS NULL AND last_seen_at < ? AND id IN
		(SELECT id FROM sessions WHERE ended_at IS NULL AND last_seen_at < ? LIMIT ?)`, cutoff, cutoff)
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
