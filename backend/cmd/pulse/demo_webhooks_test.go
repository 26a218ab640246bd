package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/demo"
	"pulse/internal/pulse"
)

// TestDemoStartsSessionsThroughWebhooks runs the demo's driver against a
// real server wired as `pulse demo` wires it (stand-ins, webhook secrets):
// part of the LiveKit and Daily sessions start and end through the signed
// webhooks, under the room ids the driver sent, and report quality with
// their own quality token; the rest still go through POST /api/sessions.
func TestDemoStartsSessionsThroughWebhooks(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULSE_DATABASE_URL", filepath.Join(dir, "pulse.db"))
	t.Setenv("PULSE_ADDR", "127.0.0.1:0")
	t.Setenv("PULSE_JWT_SECRET", strings.Repeat("s", 32))
	for _, k := range []string{"PULSE_DAILY_API_KEY", "PULSE_LIVEKIT_URL", "PULSE_LIVEKIT_API_KEY", "PULSE_LIVEKIT_API_SECRET", "PULSE_BEY_API_KEY", "PULSE_DAILY_WEBHOOK_SECRET"} {
		t.Setenv(k, "")
	}
	cfg, err := config.Load()
	require.NoError(t, err)
	keyOut, _, err := cli(t, "", "apikey", "create", "--name", "t")
	require.NoError(t, err)

	standIns := demo.NewStandIns()
	require.NoError(t, standIns.Start())
	t.Cleanup(func() { _ = standIns.Close() })
	cfg, standing := withStandIns(cfg, standIns)
	cfg, hooks := demoWebhooks(cfg, standing)
	require.NotEmpty(t, cfg.DailyWebhookSecret, "the demo sets a Daily webhook secret for the stand-in")
	require.NotEmpty(t, hooks.LiveKitKey)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(ctx, cfg, slog.New(slog.DiscardHandler), &serveOptions{providerStandIns: standing,
			ready: func(_ context.Context, base string) { ready <- base }})
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-served:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}

	// The driver's clock runs 10 s a step, so that sessions (1 to 8
	// minutes) end within a few hundred steps; signatures use the wall clock.
	// It stops between steps, so that no request is cut off halfway (applied
	// by the server, but not seen so by the driver).
	everLive, lastLive := map[pulse.Provider]map[string]bool{}, map[pulse.Provider][]string{}
	sim := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	driverCtx, stopDriver := context.WithCancel(ctx)
	driven := make(chan struct{})
	var stopping atomic.Bool
	go func() {
		defer close(driven)
		(&demo.Driver{BaseURL: base, APIKey: strings.TrimSpace(keyOut), PeakLive: 30, Webhooks: hooks, Every: 5 * time.Millisecond,
			Now: func() time.Time {
				if stopping.Load() {
					stopDriver() // this step sends nothing
				}
				sim = sim.Add(10 * time.Second)
				return sim
			},
			OnLive: func(rooms map[pulse.Provider][]string) {
				lastLive = rooms
				for p, ids := range rooms {
					if everLive[p] == nil {
						everLive[p] = map[string]bool{}
					}
					for _, id := range ids {
						everLive[p][id] = true
					}
				}
			}}).Run(driverCtx)
	}()

	db, err := openStore(ctx, cfg)
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	type row struct {
		Provider, ExternalID string
		Ended                bool
		Samples              int
	}
	sessions := func() []row {
		rs, err := db.SQL().QueryContext(ctx, `SELECT provider, external_id, ended_at IS NOT NULL, quality_count FROM sessions`)
		require.NoError(t, err)
		defer func() { _ = rs.Close() }()
		var out []row
		for rs.Next() {
			var r row
			require.NoError(t, rs.Scan(&r.Provider, &r.ExternalID, &r.Ended, &r.Samples))
			out = append(out, r)
		}
		require.NoError(t, rs.Err())
		return out
	}
	// byWebhook: the driver names API sessions demo-…; a webhook session is
	// named by the provider's room id (a LiveKit sid, a Daily meeting id).
	byWebhook := func(r row) bool { return !strings.HasPrefix(r.ExternalID, "demo-") }
	done := func() bool {
		seen := map[string]bool{}
		for _, r := range sessions() {
			if byWebhook(r) && r.Ended && r.Samples > 0 {
				seen[r.Provider] = true
			}
		}
		return seen["livekit"] && seen["daily"]
	}
	deadline := time.Now().Add(30 * time.Second)
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // bounded polling
	}
	stopping.Store(true)
	<-driven
	require.True(t, done(), "ended webhook sessions with quality samples from both providers")

	live := map[string]bool{}
	for _, ids := range lastLive {
		for _, id := range ids {
			live[id] = true
		}
	}
	via, ids := map[string]map[bool]int{}, map[string][]string{}
	for _, r := range sessions() {
		if byWebhook(r) {
			ids[r.Provider] = append(ids[r.Provider], r.ExternalID)
		}
		if via[r.Provider] == nil {
			via[r.Provider] = map[bool]int{}
		}
		via[r.Provider][byWebhook(r)]++
		assert.True(t, everLive[pulse.Provider(r.Provider)][r.ExternalID], "%s session %s is one the driver started", r.Provider, r.ExternalID)
		assert.Equal(t, !live[r.ExternalID], r.Ended, "%s session %s: ended exactly when the driver ended it", r.Provider, r.ExternalID)
	}
	for _, p := range []string{"livekit", "daily"} {
		assert.Positive(t, via[p][true], "%s sessions started by webhook", p)
		assert.Positive(t, via[p][false], "%s sessions started through POST /api/sessions", p)
		for _, id := range ids[p] {
			assert.Regexp(t, map[string]string{"livekit": "^RM_", "daily": "^[0-9a-f-]{36}$"}[p], id, "the provider's room id")
		}
	}
	assert.Zero(t, via["beyond_presence"][true], "Beyond Presence has no webhook of its own")

	events := map[string]int{}
	rs, err := db.SQL().QueryContext(ctx, `SELECT source, COUNT(*) FROM processed_events GROUP BY source`)
	require.NoError(t, err)
	for rs.Next() {
		var src string
		var n int
		require.NoError(t, rs.Scan(&src, &n))
		events[src] = n
	}
	require.NoError(t, rs.Close())
	// At least a start and an end per webhook session that ended.
	assert.GreaterOrEqual(t, events["livekit"], 2)
	assert.GreaterOrEqual(t, events["daily"], 2)

	cancel()
	require.NoError(t, <-served)
}
