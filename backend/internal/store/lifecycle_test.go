package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

func TestPruneSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		retention := 90 * 24 * time.Hour
		old := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "old-room", t0.Add(-100*24*time.Hour))
		mustSample(t, db, old.ID, pulse.QualityPoor, old.StartedAt.Add(time.Minute))
		edge := mustCreate(t, db, "Admissions", pulse.ProviderLiveKit, "", t0.Add(-retention))
		recent := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", t0.Add(-29*24*time.Hour))
		mustSample(t, db, recent.ID, pulse.QualityExcellent, recent.StartedAt.Add(time.Minute))
		today := mustCreate(t, db, "Financial Aid", pulse.ProviderLiveKit, "", t0)
		mustSample(t, db, today.ID, pulse.QualityGood, t0)

		view30, err := db.SessionSummary(ctx, t0, pulse.SummaryWindowDays)
		require.NoError(t, err)
		view365, err := db.SessionSummary(ctx, t0, 365)
		require.NoError(t, err)

		n, err := db.PruneSessions(ctx, t0.Add(-retention))
		require.NoError(t, err)

		t.Run("OlderThanRetentionDeleted", func(t *testing.T) {
			assert.EqualValues(t, 1, n)
			_, err := db.EndSession(ctx, old.ID, t0)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
		t.Run("WithinRetentionKept", func(t *testing.T) {
			for _, s := range []pulse.Session{edge, recent, today} {
				_, err := db.EndSession(ctx, s.ID, t0)
				assert.NoError(t, err, "started %s", s.StartedAt)
			}
		})
		t.Run("ThirtyDayTotalsUnchanged", func(t *testing.T) {
			after, err := db.SessionSummary(ctx, t0, pulse.SummaryWindowDays)
			require.NoError(t, err)
			assert.Equal(t, view30, after)
		})
		t.Run("DailySummaryKept", func(t *testing.T) {
			after, err := db.SessionSummary(ctx, t0, 365)
			require.NoError(t, err)
			assert.Equal(t, view365, after, "the pruned session still counts in its day")
		})
		t.Run("SecondPruneDeletesNothing", func(t *testing.T) {
			n, err := db.PruneSessions(ctx, t0.Add(-retention))
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	})
}

func TestEndStaleSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		staleAfter := 4 * time.Hour
		lastSeen := t0.Add(-5 * time.Hour)
		stale := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", t0.Add(-6*time.Hour))
		mustSample(t, db, stale.ID, pulse.QualityGood, lastSeen)
		live := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", t0.Add(-3*time.Hour))
		ended := mustCreate(t, db, "Admissions", pulse.ProviderLiveKit, "", t0.Add(-6*time.Hour))
		_, err := db.EndSession(ctx, ended.ID, t0.Add(-5*time.Hour))
		require.NoError(t, err)

		n, err := db.EndStaleSessions(ctx, t0.Add(-staleAfter))
		require.NoError(t, err)

		t.Run("OnlyTheStaleOneEnded", func(t *testing.T) {
			assert.EqualValues(t, 1, n)
		})
		t.Run("EndedAtLastSeenAndAbandoned", func(t *testing.T) {
			s, err := db.EndSession(ctx, stale.ID, t0) // the first end wins
			require.NoError(t, err)
			require.NotNil(t, s.EndedAt)
			assert.True(t, s.EndedAt.Equal(lastSeen), "ended at %s", s.EndedAt)
			assert.True(t, s.Abandoned)
		})
		t.Run("NoLongerOpen", func(t *testing.T) {
			var open []string
			require.NoError(t, db.Gorm().Raw(`SELECT id FROM sessions WHERE ended_at IS NULL`).Scan(&open).Error)
			assert.Equal(t, []string{live.ID}, open)
			err := db.RecordQuality(ctx, stale.ID, pulse.QualityGood, t0)
			assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err), "an abandoned session takes no more samples")
		})
		t.Run("EndedNormallyIsNotAbandoned", func(t *testing.T) {
			s, err := db.EndSession(ctx, ended.ID, t0)
			require.NoError(t, err)
			assert.False(t, s.Abandoned)
			assert.True(t, s.EndedAt.Equal(t0.Add(-5*time.Hour)))
		})
		t.Run("CountedForTwentyFourHours", func(t *testing.T) {
			st, err := db.SessionStats(ctx, t0)
			require.NoError(t, err)
			assert.EqualValues(t, 1, st.AbandonedLast24h)
			st, err = db.SessionStats(ctx, lastSeen.Add(pulse.AbandonedWindow+time.Minute))
			require.NoError(t, err)
			assert.Zero(t, st.AbandonedLast24h)
		})
		t.Run("SecondSweepEndsNothing", func(t *testing.T) {
			n, err := db.EndStaleSessions(ctx, t0.Add(-staleAfter))
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	})
}

func TestPruneProviderChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		retention := 30 * 24 * time.Hour
		// Every 30 minutes for 40 days; Daily.co is down one check in four.
		var i int
		for at := t0.Add(-40 * 24 * time.Hour); !at.After(t0); at = at.Add(30 * time.Minute) {
			status := pulse.StatusOperational
			if i%4 == 0 {
				status = pulse.StatusDown
			}
			i++
			for _, p := range []pulse.Provider{pulse.ProviderDaily, pulse.ProviderLiveKit} {
				require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: p, Status: status, CheckedAt: at}))
			}
		}
		uptime, err := db.ProviderUptime(ctx, t0.Add(-24*time.Hour))
		require.NoError(t, err)
		latest, err := db.LatestProviderChecks(ctx)
		require.NoError(t, err)

		n, err := db.PruneProviderChecks(ctx, t0.Add(-retention))
		require.NoError(t, err)

		t.Run("OlderThanRetentionDeleted", func(t *testing.T) {
			assert.EqualValues(t, 2*10*48, n, "ten days of two providers every 30 minutes")
			var left int64
			require.NoError(t, db.Gorm().Raw(`SELECT COUNT(*) FROM provider_checks WHERE checked_at < ?`, t0.Add(-retention)).Scan(&left).Error)
			assert.Zero(t, left)
		})
		t.Run("UptimeUnchanged", func(t *testing.T) {
			after, err := db.ProviderUptime(ctx, t0.Add(-24*time.Hour))
			require.NoError(t, err)
			assert.Equal(t, uptime, after)
			assert.InDelta(t, 0.75, after[pulse.ProviderDaily], 0.03)
		})
		t.Run("LatestUnchanged", func(t *testing.T) {
			after, err := db.LatestProviderChecks(ctx)
			require.NoError(t, err)
			assert.Equal(t, latest, after)
		})
	})
}

// statementLog records the DELETE and UPDATE statements a store runs and the
// rows each touched.
type statementLog struct {
	mu   sync.Mutex
	rows []int64
}

func watchStatements(tb testing.TB, db *store.DB, prefix string) *statementLog {
	tb.Helper()
	l := &statementLog{}
	name := "test:watch-" + prefix
	require.NoError(tb, db.Gorm().Callback().Raw().After("gorm:raw").Register(name, func(tx *gorm.DB) {
		if strings.HasPrefix(strings.TrimSpace(tx.Statement.SQL.String()), prefix) {
			l.mu.Lock()
			l.rows = append(l.rows, tx.RowsAffected)
			l.mu.Unlock()
		}
	}))
	tb.Cleanup(func() { _ = db.Gorm().Callback().Raw().Remove(name) })
	return l
}

// TestPruneInBatches deletes a million old sessions on PostgreSQL and checks
// that no statement touched more than store.PruneBatch rows.
func TestPruneInBatches(t *testing.T) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		t.Skipf("%s not set: the million-row prune runs on PostgreSQL", storetest.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("a million rows: not in -short")
	}
	const rows = 1_000_000
	db, _ := storetest.MustOpenPostgres(t)
	ctx := context.Background()
	start := t0.Add(-200 * 24 * time.Hour)
	require.NoError(t, db.Gorm().Exec(`INSERT INTO sessions (id, category_id, provider, started_at, last_seen_at, ended_at)
		SELECT gen_random_uuid(), 1, 'daily', ts, ts, ts + interval '40 minutes'
		FROM (SELECT ?::timestamptz + g * interval '1 second' AS ts FROM generate_series(1, ?) g) s`, start, rows).Error)
	keep := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", t0)

	deletes := watchStatements(t, db, "DELETE")
	n, err := db.PruneSessions(ctx, t0.Add(-90*24*time.Hour))
	require.NoError(t, err)

	assert.EqualValues(t, rows, n)
	require.NotEmpty(t, deletes.rows)
	assert.LessOrEqual(t, slicesMax(deletes.rows), int64(store.PruneBatch), "most rows one statement deleted")
	assert.Len(t, deletes.rows, rows/store.PruneBatch+1, "full batches, then one that comes back short")
	_, err = db.EndSession(ctx, keep.ID, t0)
	assert.NoError(t, err, "a session within retention is kept")
}

func slicesMax(xs []int64) int64 {
	var m int64
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}
