package demo_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/demo"
	"pulse/internal/providers"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
	"pulse/internal/testclock"
)

func TestStandInSchedule(t *testing.T) {
	s := demo.DefaultStandInSchedule
	for _, step := range []struct {
		at                 time.Duration
		outage, incidentOn bool
		why                string
	}{
		{0, false, false, "calm at start"},
		{5*time.Minute - time.Second, false, false, "still calm"},
		{5 * time.Minute, true, false, "the first outage, five minutes in"},
		{6 * time.Minute, true, true, "declared a minute into it"},
		{7 * time.Minute, false, true, "the API is back after 2 minutes; the incident is still open"},
		{11*time.Minute - time.Second, false, true, "declared for 5 minutes"},
		{11 * time.Minute, false, false, "resolved"},
		{20*time.Minute + 30*time.Second, true, false, "every 15 minutes after"},
	} {
		assert.Equal(t, step.outage, s.Outage(step.at), "outage: %s", step.why)
		assert.Equal(t, step.incidentOn, s.Incident(step.at), "incident: %s", step.why)
	}
}

// standInChecker starts the stand-ins and a real checker configured the way
// `pulse demo` configures it.
func standInChecker(t *testing.T) (*demo.StandIns, *providers.Checker, *testclock.Clock) {
	t.Helper()
	// The real time: the checker signs LiveKit tokens with it.
	clk := testclock.New(time.Now().UTC().Truncate(time.Second))
	si := demo.NewStandIns()
	si.Now = clk.Now
	srv := httptest.NewServer(si.Handler())
	t.Cleanup(srv.Close)
	si.SetBaseURL(srv.URL)

	db, _ := storetest.MustOpenSQLite(t)
	d := config.Defaults()
	c, err := providers.New(providers.Config{
		DailyAPIURL: si.DailyAPIURL(), DailyAPIKey: si.DailyKey,
		LiveKitURL: si.LiveKitURL(), LiveKitAPIKey: si.LiveKitKey, LiveKitAPISecret: si.LiveKitSecret,
		BeyAPIURL: si.BeyAPIURL(), BeyAPIKey: si.BeyKey,
		DailyStatusURL: si.DailyStatusURL(), LiveKitStatusURL: si.LiveKitStatusURL(),
		StandIns:      map[pulse.Provider]bool{pulse.ProviderDaily: true, pulse.ProviderLiveKit: true, pulse.ProviderBeyondPresence: true},
		CheckInterval: d.CheckInterval, CheckTimeout: d.CheckTimeout, SlowThreshold: d.CheckSlowThreshold,
		DownAfter: d.CheckDownAfter, FlapWindow: d.CheckFlapWindow, FlapChanges: d.CheckFlapChanges,
	}, providers.Deps{Store: db, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return si, c, clk
}

func health(t *testing.T, c *providers.Checker) map[pulse.Provider]pulse.ProviderHealth {
	t.Helper()
	out := map[pulse.Provider]pulse.ProviderHealth{}
	for _, h := range c.Current() {
		out[h.Provider] = h
	}
	return out
}

// The stand-ins answer what the real probes ask: one round of the real
// checker finds all three providers operational, labelled as stand-ins, with
// the demo's live rooms and what their status pages declare.
func TestStandInsPassTheRealChecks(t *testing.T) {
	si, c, _ := standInChecker(t)
	si.SetLive(map[pulse.Provider][]string{
		pulse.ProviderDaily:          {"demo-1", "demo-2"},
		pulse.ProviderLiveKit:        {"demo-3"},
		pulse.ProviderBeyondPresence: {"demo-4"},
	})

	c.RunOnce(t.Context())

	h := health(t, c)
	for _, id := range pulse.Providers {
		assert.Equal(t, pulse.StatusOperational, h[id].Status, "%s: %s", id, h[id].Detail)
		assert.True(t, h[id].StandIn, id)
	}
	assert.Equal(t, ptr(2), h[pulse.ProviderDaily].LiveRooms, "Daily's presence")
	assert.Equal(t, ptr(1), h[pulse.ProviderLiveKit].LiveRooms, "LiveKit's ListRooms")
	assert.Nil(t, h[pulse.ProviderBeyondPresence].LiveRooms)

	require.NotNil(t, h[pulse.ProviderDaily].Declared)
	assert.Equal(t, pulse.DeclaredNone, h[pulse.ProviderDaily].Declared.Indicator)
	assert.Equal(t, "Media server upgrade (demo)", h[pulse.ProviderDaily].Declared.Maintenance)
	require.NotNil(t, h[pulse.ProviderLiveKit].Declared)
	assert.Equal(t, pulse.DeclaredNone, h[pulse.ProviderLiveKit].Declared.Indicator)
}

// The scheduled LiveKit outage goes through the real rules (degraded, then
// down, then back), and the incident its status page declares meanwhile makes
// the system degraded.
func TestStandInOutageAndIncident(t *testing.T) {
	_, c, clk := standInChecker(t)
	start := clk.Now()
	c.RunOnce(t.Context()) // the first request starts the schedule
	require.Equal(t, pulse.StatusOperational, health(t, c)[pulse.ProviderLiveKit].Status)

	var statuses []pulse.ProviderStatus
	for at := 5 * time.Minute; at <= 7*time.Minute; at += 30 * time.Second {
		clk.Set(start.Add(at))
		c.RunOnce(t.Context())
		statuses = append(statuses, health(t, c)[pulse.ProviderLiveKit].Status)
	}
	assert.Equal(t, []pulse.ProviderStatus{
		pulse.StatusDegraded, pulse.StatusDegraded, pulse.StatusDown, pulse.StatusDown, pulse.StatusOperational,
	}, statuses, "2 minutes of 503 every 15 minutes, through the real rules")

	lk := health(t, c)[pulse.ProviderLiveKit]
	require.NotNil(t, lk.Declared)
	assert.Equal(t, pulse.DeclaredMajor, lk.Declared.Indicator, "still declared after the API is back")
	assert.Equal(t, "Elevated RoomService errors (demo)", lk.Declared.Incident)
	_, reasons := pulse.EvaluateHealth(pulse.HealthSignals{DatabaseUp: true, Providers: c.Current()}, pulse.HealthThresholds{})
	assert.Contains(t, reasons, "LiveKit declares a major incident: Elevated RoomService errors (demo)")

	clk.Set(start.Add(11 * time.Minute))
	c.RunOnce(t.Context())
	assert.Equal(t, pulse.DeclaredNone, health(t, c)[pulse.ProviderLiveKit].Declared.Indicator, "resolved")
}

func TestStandInsRefuseWrongKeys(t *testing.T) {
	si := demo.NewStandIns()
	srv := httptest.NewServer(si.Handler())
	t.Cleanup(srv.Close)
	for name, req := range map[string]*http.Request{
		"Daily":          mustRequest(t, http.MethodGet, srv.URL+"/daily/v1/rooms?limit=1", "Authorization", "Bearer wrong"),
		"DailyPresence":  mustRequest(t, http.MethodGet, srv.URL+"/daily/v1/presence", "Authorization", "Bearer wrong"),
		"LiveKit":        mustRequest(t, http.MethodPost, srv.URL+"/livekit/twirp/livekit.RoomService/ListRooms", "Authorization", "Bearer not-a-token"),
		"BeyondPresence": mustRequest(t, http.MethodGet, srv.URL+"/bey/v1/auth/verify", "x-api-key", "wrong"),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
		})
	}
}

func mustRequest(t *testing.T, method, url, header, value string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, http.NoBody)
	require.NoError(t, err)
	req.Header.Set(header, value)
	return req
}

func ptr[T any](v T) *T { return &v }
