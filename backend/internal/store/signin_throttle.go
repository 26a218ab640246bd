package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"gorm.io/gorm"

	"pulse/internal/pulse"
)

// signInAccount is login_throttle's key for email: a hash, so that an email
// typed by a guesser, which may be no account at all, is never stored.
func signInAccount(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

type signInRow struct {
	Failures      int
	WaitUntil     *time.Time
	LastAttemptAt time.Time
}

func (r signInRow) domain() pulse.SignInFailures {
	f := pulse.SignInFailures{Failures: r.Failures, Last: r.LastAttemptAt.UTC()}
	if r.WaitUntil != nil {
		f.Until = r.WaitUntil.UTC()
	}
	return f
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = utc(t)
	return &t
}

// BeginSignIn implements pulse.SignInThrottleStore in one transaction of two
// statements. The first creates the record or touches it, which on
// PostgreSQL locks it until the transaction ends: an attempt on another
// replica waits there, then reads what this one wrote. (SQLite's immediate
// transactions serialise writers anyway.) The rule is b's, decided in Go.
func (db *DB) BeginSignIn(ctx context.Context, email string, b pulse.SignInBackoff, now time.Time) (pulse.SignInAttempt, time.Duration, error) {
	account, now := signInAccount(email), utc(now)
	var (
		a    pulse.SignInAttempt
		wait time.Duration
	)
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var r signInRow
		err := tx.Raw(`INSERT INTO login_throttle (account, failures, last_attempt_at) VALUES (?, 0, ?)
			ON CONFLICT (account) DO UPDATE SET failures = login_throttle.failures
			RETURNING failures, wait_until, last_attempt_at`, account, now).Scan(&r).Error
		if err != nil {
			return err
		}
		next, attempt, w := b.Begin(r.domain(), now)
		if w > 0 {
			wait = w
			return nil
		}
		a, a.Account = attempt, account
		return db.saveSignIn(tx, account, next)
	})
	if err != nil {
		return pulse.SignInAttempt{}, 0, translate(err)
	}
	return a, wait, nil
}

func (db *DB) saveSignIn(tx *gorm.DB, account string, f pulse.SignInFailures) error {
	return tx.Exec(`UPDATE login_throttle SET failures = ?, wait_until = ?, last_attempt_at = ? WHERE account = ?`,
		f.Failures, nullTime(f.Until), utc(f.Last), account).Error
}

// SignInSucceeded implements pulse.SignInThrottleStore.
func (db *DB) SignInSucceeded(ctx context.Context, a pulse.SignInAttempt) error {
	if a.Account == "" {
		return nil
	}
	return translate(db.with(ctx).Exec(`DELETE FROM login_throttle WHERE account = ?`, a.Account).Error)
}

// RefundSignIn implements pulse.SignInThrottleStore: the record is read
// under its lock (FOR UPDATE on PostgreSQL), refunded in Go and written.
func (db *DB) RefundSignIn(ctx context.Context, a pulse.SignInAttempt) error {
	if a.Account == "" {
		return nil
	}
	lock := ""
	if db.postgres {
		lock = " FOR UPDATE"
	}
	return translate(db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var r signInRow
		res := tx.Raw(`SELECT failures, wait_until, last_attempt_at FROM login_throttle WHERE account = ?`+lock, a.Account).Scan(&r)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // nothing to refund: cleared or forgotten meanwhile
		}
		return db.saveSignIn(tx, a.Account, r.domain().Refund(a))
	}))
}

// PruneSignInThrottle implements pulse.SignInThrottleStore, in batches: the
// condition is pulse.SignInFailures.Forgotten's, as a bulk delete must say it
// in SQL. The outer condition repeats the subquery's, so that a record an
// attempt touched meanwhile stays.
func (db *DB) PruneSignInThrottle(ctx context.Context, now time.Time) (int64, error) {
	quietSince, now := utc(now.Add(-pulse.SignInForget)), utc(now)
	return db.inBatches(ctx, `DELETE FROM login_throttle
		WHERE last_attempt_at <= ? AND (wait_until IS NULL OR wait_until <= ?) AND account IN
		(SELECT account FROM login_throttle WHERE last_attempt_at <= ? AND (wait_until IS NULL OR wait_until <= ?) LIMIT ?)`,
		quietSince, now, quietSince, now)
}
