package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/demo"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
	"pulse/internal/telemetry"
	"pulse/internal/testclock"
)

func TestFaultsBurstSchedule(t *testing.T) {
	start := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clock := testclock.New(start)
	// Every request fails in a burst and none outside: Fail shows the schedule.
	f := demo.NewFaults()
	f.Now, f.BaseRate, f.BurstRate = clock.Now, 0, 1
	for _, step := range []struct {
		at    time.Duration
		burst bool
		why   string
	}{
		{0, false, "calm at start"},
		{3 * time.Minute, false, "still calm"},
		{4*time.Minute + time.Second, true, "first burst a third of a period in"},
		{6 * time.Minute, false, "a burst lasts 90 s"},
		{16*time.Minute + 30*time.Second, true, "and every period after"},
	} {
		clock.Set(start.Add(step.at))
		assert.Equal(t, step.burst, f.Fail(), step.why)
	}

	f = demo.NewFaults()
	f.Now = clock.Now
	fails := 0
	for range 10000 {
		if f.Fail() {
			fails++
		}
	}
	assert.InDelta(t, 40, fails, 30, "about 0.4%% outside a burst")
}

// The backfill goes through the real recorder and store: what it writes is
// what the dashboard's trend reads back, incidents included.
func TestBackfillTelemetry(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	n, err := demo.BackfillTelemetry(ctx, db, now, 24, nil)
	require.NoError(t, err)
	assert.Greater(t, n, 10000)

	again, err := demo.BackfillTelemetry(ctx, db, now, 24, nil)
	require.NoError(t, err)
	assert.Equal(t, n, again, "the same replay")

	rec := telemetry.NewRecorder(telemetry.RecorderConfig{Instance: "reader"})
	hours, err := telemetry.NewService(rec, db).Hourly(ctx, now, pulse.TrendHours)
	require.NoError(t, err)
	var total int64
	levels := map[pulse.HealthStatus]int{}
	th := pulse.HealthThresholds{ErrorRateDegraded: 0.02, ErrorRateCritical: 0.05, MinRequests: 20}
	for _, h := range hours {
		total += h.Requests
		if l := th.ErrorLevel(h.RequestStats); l != "" {
			levels[l]++
		}
		if h.Requests > 0 {
			assert.Greater(t, h.P95Ms, 1.0)
		}
	}
	// The trend's first hour starts at 13:00, the replay at 12:30 the day before.
	assert.LessOrEqual(t, total, int64(n), "a second backfill replaces the first rather than doubling it")
	assert.Greater(t, total, int64(n)*9/10)
	assert.Equal(t, 1, levels[pulse.HealthDegraded])
	assert.Equal(t, 1, levels[pulse.HealthCritical])
}

func TestBackfillSessions(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 30, 0, 0, time.UTC)
	n, err := demo.BackfillSessions(ctx, db, now, 3, 20, nil)
	require.NoError(t, err)
	sum, err := db.SessionSummary(ctx, now, 30)
	require.NoError(t, err)
	assert.EqualValues(t, n, sum.Total)
	var sampled int64
	for _, c := range sum.QualityCounts {
		sampled += c
	}
	assert.EqualValues(t, n, sampled, "every replayed session has samples")
	st, err := db.SessionStats(ctx, now)
	require.NoError(t, err)
	assert.Zero(t, st.ActiveSessions, "replayed sessions have all ended")
}
