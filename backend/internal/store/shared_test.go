package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

func TestRollups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := time.Date(2026, 11, 26, 11, 59, 0, 0, time.UTC)
		require.NoError(t, db.UpsertRollups(ctx, []pulse.Rollup{
			{Minute: m, Instance: "a", Requests: 10, Errors: 1, Histogram: []byte{1, 2}},
			{Minute: m, Instance: "b", Requests: 5},
			{Minute: m.Add(-2 * time.Hour), Instance: "a", Requests: 99},
		}))
		t.Run("UpsertReplacesTheSameMinuteAndInstance", func(t *testing.T) {
			require.NoError(t, db.UpsertRollups(ctx, []pulse.Rollup{{Minute: m, Instance: "a", Requests: 12, Errors: 2, ClientErrors: 1, Histogram: []byte{3}}}))
			rs, err := db.ListRollups(ctx, m.Add(-time.Hour))
			require.NoError(t, err)
			require.Len(t, rs, 2)
			byInstance := map[string]pulse.Rollup{rs[0].Instance: rs[0], rs[1].Instance: rs[1]}
			assert.Equal(t, pulse.Rollup{Minute: m, Instance: "a", Requests: 12, Errors: 2, ClientErrors: 1, Histogram: []byte{3}}, byInstance["a"])
			assert.EqualValues(t, 5, byInstance["b"].Requests)
		})
		t.Run("Prune", func(t *testing.T) {
			n, err := db.PruneRollups(ctx, m.Add(-time.Hour))
			require.NoError(t, err)
			assert.EqualValues(t, 1, n)
		})
	})
}

func TestProviderChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		for i, st := range []pulse.ProviderStatus{pulse.StatusOperational, pulse.StatusOperational, pulse.StatusOperational, pulse.StatusDown} {
			require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderDaily, Status: st, LatencyMs: float64(10 * i),
				CheckedAt: now.Add(time.Duration(i-3) * time.Minute), Detail: string(st)}))
		}
		require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderLiveKit, Status: pulse.StatusOperational, CheckedAt: now.Add(-25 * time.Hour)}))

		latest, err := db.LatestProviderChecks(ctx)
		require.NoError(t, err)
		assert.Equal(t, pulse.StatusDown, latest[pulse.ProviderDaily].Status)
		assert.True(t, latest[pulse.ProviderDaily].CheckedAt.Equal(now))
		assert.NotContains(t, latest, pulse.ProviderBeyondPresence)

		up, err := db.ProviderUptime(ctx, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.InDelta(t, 0.75, up[pulse.ProviderDaily], 1e-9)
		assert.NotContains(t, up, pulse.ProviderLiveKit, "checked only before the window")

		n, err := db.PruneProviderChecks(ctx, now.Add(-24*time.Hour))
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
	})
}

func TestProviderCheckLiveRooms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
		rooms := 12
		require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderLiveKit, Status: pulse.StatusOperational, CheckedAt: now, LiveRooms: &rooms}))
		require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderDaily, Status: pulse.StatusDown, CheckedAt: now}))

		latest, err := db.LatestProviderChecks(ctx)
		require.NoError(t, err)
		require.NotNil(t, latest[pulse.ProviderLiveKit].LiveRooms)
		assert.Equal(t, 12, *latest[pulse.ProviderLiveKit].LiveRooms)
		assert.Nil(t, latest[pulse.ProviderDaily].LiveRooms, "not told is not zero")
	})
}

func TestProviderDeclared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

		none, err := db.LatestProviderDeclared(ctx)
		require.NoError(t, err)
		assert.Empty(t, none)

		maint := now.Add(2 * time.Hour)
		first := pulse.ProviderDeclared{Provider: pulse.ProviderLiveKit, Indicator: pulse.DeclaredMajor, Description: "Partial System Outage",
			Incident: "Elevated connection failures", IncidentImpact: "major", Maintenance: "Database upgrade", MaintenanceStatus: "scheduled",
			MaintenanceAt: &maint, CheckedAt: now}
		require.NoError(t, db.SaveProviderDeclared(ctx, first))
		daily := pulse.ProviderDeclared{Provider: pulse.ProviderDaily, Indicator: pulse.DeclaredNone, Description: "All Systems Operational", CheckedAt: now}
		require.NoError(t, db.SaveProviderDeclared(ctx, daily))

		got, err := db.LatestProviderDeclared(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[pulse.Provider]pulse.ProviderDeclared{pulse.ProviderLiveKit: first, pulse.ProviderDaily: daily}, got)

		t.Run("ReplacedNotAppended", func(t *testing.T) {
			resolved := pulse.ProviderDeclared{Provider: pulse.ProviderLiveKit, Indicator: pulse.DeclaredNone, Description: "All Systems Operational", CheckedAt: now.Add(time.Minute)}
			require.NoError(t, db.SaveProviderDeclared(ctx, resolved))
			got, err := db.LatestProviderDeclared(ctx)
			require.NoError(t, err)
			assert.Len(t, got, 2)
			assert.Equal(t, resolved, got[pulse.ProviderLiveKit])
		})
	})
}

func TestLeader(t *testing.T) {
	t.Run("SQLiteAlwaysLeads", func(t *testing.T) {
		db, _ := storetest.MustOpenSQLite(t)
		_, ok, err := db.TryLead(context.Background(), "job")
		require.NoError(t, err)
		assert.True(t, ok)
	})
	t.Run("PostgresOneLeaderAtATime", func(t *testing.T) {
		a, dsn := storetest.MustOpenPostgres(t)
		b, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 2})
		require.NoError(t, err)
		defer func() { _ = b.Close() }()
		ctx := context.Background()
		job := "leader-test-" + dsn // unique per test schema

		release, ok, err := a.TryLead(ctx, job)
		require.NoError(t, err)
		require.True(t, ok)
		_, ok, err = a.TryLead(ctx, job)
		require.NoError(t, err)
		assert.True(t, ok, "the leader keeps leading")
		assert.Zero(t, a.PoolStats().InUse, "the lock's connection is not taken from the request pool")
		_, ok, err = b.TryLead(ctx, job)
		require.NoError(t, err)
		assert.False(t, ok, "a second replica does not lead")

		release()
		releaseB, ok, err := b.TryLead(ctx, job)
		require.NoError(t, err)
		assert.True(t, ok, "leadership passes on once released")
		releaseB()
	})
	t.Run("PostgresDeploymentsInTwoSchemasEachLead", func(t *testing.T) {
		a, _ := storetest.MustOpenPostgres(t)
		b, _ := storetest.MustOpenPostgres(t) // another schema of the same database
		ctx := context.Background()
		_, ok, err := a.TryLead(ctx, "alerts")
		require.NoError(t, err)
		require.True(t, ok)
		_, ok, err = b.TryLead(ctx, "alerts")
		require.NoError(t, err)
		assert.True(t, ok, "the other deployment's leader is not this one's")
	})
	t.Run("PostgresLeaderThatDiesHandsOver", func(t *testing.T) {
		a, dsn := storetest.MustOpenPostgres(t)
		b, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 2})
		require.NoError(t, err)
		defer func() { _ = b.Close() }()
		ctx := context.Background()
		job := "leader-death-" + dsn
		_, ok, err := a.TryLead(ctx, job)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, a.Close()) // the process holding the lock goes away
		_, ok, err = b.TryLead(ctx, job)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestPoolStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ps := db.PoolStats()
		assert.Equal(t, 10, ps.MaxOpen)
		assert.GreaterOrEqual(t, ps.Idle+ps.InUse, 1)
	})
}
