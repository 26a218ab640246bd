package providers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func mustFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "statuspage", name))
	require.NoError(t, err)
	return string(b)
}

func TestParseStatuspage(t *testing.T) {
	at := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err)
		return &v
	}
	tests := []struct {
		name string
		body string
		want pulse.ProviderDeclared
	}{
		{"Operational", mustFixture(t, "operational.json"),
			pulse.ProviderDeclared{Indicator: pulse.DeclaredNone, Description: "All Systems Operational"}},
		{"MajorIncidentNamedOverAMinorOne", mustFixture(t, "major_incident.json"),
			pulse.ProviderDeclared{Indicator: pulse.DeclaredMajor, Description: "Partial System Outage",
				Incident: "Elevated connection failures in US West", IncidentImpact: "major"}},
		{"NextScheduledMaintenance", mustFixture(t, "maintenance.json"),
			pulse.ProviderDeclared{Indicator: pulse.DeclaredNone, Description: "All Systems Operational",
				Maintenance: "Database upgrade", MaintenanceStatus: "scheduled", MaintenanceAt: at("2026-11-28T06:00:00Z")}},
		{"MaintenanceInProgressOverScheduled", mustFixture(t, "maintenance_in_progress.json"),
			pulse.ProviderDeclared{Indicator: pulse.DeclaredMaintenance, Description: "Service Under Maintenance",
				Maintenance: "Database upgrade", MaintenanceStatus: "in_progress", MaintenanceAt: at("2026-11-28T06:00:00Z")}},
		{"ResolvedIncidentIgnored", `{"status":{"indicator":"none","description":"All Systems Operational"},
			"incidents":[{"name":"Old outage","status":"resolved","impact":"critical"},{"name":"Postmortem","status":"postmortem","impact":"major"}]}`,
			pulse.ProviderDeclared{Indicator: pulse.DeclaredNone, Description: "All Systems Operational"}},
		{"FirstAmongEquals", `{"status":{"indicator":"critical","description":"Major System Outage"},
			"incidents":[{"name":"API down","status":"investigating","impact":"critical"},{"name":"Dashboard down","status":"investigating","impact":"critical"}]}`,
			pulse.ProviderDeclared{Indicator: pulse.DeclaredCritical, Description: "Major System Outage", Incident: "API down", IncidentImpact: "critical"}},
		{"CompletedMaintenanceIgnored", `{"status":{"indicator":"none","description":"All Systems Operational"},
			"scheduled_maintenances":[{"name":"Done","status":"completed","scheduled_for":"2026-11-01T00:00:00Z"}]}`,
			pulse.ProviderDeclared{Indicator: pulse.DeclaredNone, Description: "All Systems Operational"}},
		{"LongTitleClipped", `{"status":{"indicator":"minor","description":"Minor Service Outage"},
			"incidents":[{"name":"` + strings.Repeat("é", 300) + `","status":"investigating","impact":"minor"}]}`,
			pulse.ProviderDeclared{Indicator: pulse.DeclaredMinor, Description: "Minor Service Outage",
				Incident: strings.Repeat("é", maxTitle-1) + "…", IncidentImpact: "minor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatuspage([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	for name, body := range map[string]string{
		"HTML":             `<html>Status</html>`,
		"NoStatus":         `{"page":{"name":"x"}}`,
		"UnknownIndicator": `{"status":{"indicator":"purple","description":"?"}}`,
		"Array":            `[]`,
	} {
		t.Run("NotUnderstood/"+name, func(t *testing.T) {
			_, err := parseStatuspage([]byte(body))
			assert.ErrorIs(t, err, errNotStatuspage)
		})
	}
}

// fakeStatusPage serves a Statuspage summary.json, counting its hits.
type fakeStatusPage struct {
	srv  *httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	code int
	body string
}

func newFakeStatusPage(t testing.TB, body string) *fakeStatusPage {
	t.Helper()
	p := &fakeStatusPage{code: http.StatusOK, body: body}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.hits.Add(1)
		p.mu.Lock()
		code, body := p.code, p.body
		p.mu.Unlock()
		if r.URL.Path != "/api/v2/summary.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeStatusPage) URL() string { return p.srv.URL + "/api/v2/summary.json" }

func (p *fakeStatusPage) Set(code int, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.code, p.body = code, body
}

func TestStatusPages(t *testing.T) {
	t.Run("ReadEachRoundStoredAndShown", func(t *testing.T) {
		cfg, _ := allProviders(t)
		page := newFakeStatusPage(t, mustFixture(t, "major_incident.json"))
		cfg.LiveKitStatusURL = page.URL()
		store := &memStore{}
		clk := newClock()
		c := newTestChecker(t, cfg, Deps{Store: store, Now: clk.Now})

		c.round(t.Context())

		want := pulse.ProviderDeclared{Provider: pulse.ProviderLiveKit, Indicator: pulse.DeclaredMajor, Description: "Partial System Outage",
			Incident: "Elevated connection failures in US West", IncidentImpact: "major", CheckedAt: clk.Now()}
		lk := healthOf(t, c, pulse.ProviderLiveKit)
		require.NotNil(t, lk.Declared)
		assert.Equal(t, want, *lk.Declared)
		assert.Equal(t, pulse.StatusOperational, lk.Status, "the probe's own verdict is kept apart")
		assert.Nil(t, healthOf(t, c, pulse.ProviderDaily).Declared, "no page set for Daily")
		stored, err := store.LatestProviderDeclared(t.Context())
		require.NoError(t, err)
		assert.Equal(t, map[pulse.Provider]pulse.ProviderDeclared{pulse.ProviderLiveKit: want}, stored)

		page.Set(http.StatusOK, mustFixture(t, "operational.json"))
		clk.Advance(30 * time.Second)
		c.round(t.Context())
		assert.Equal(t, pulse.DeclaredNone, healthOf(t, c, pulse.ProviderLiveKit).Declared.Indicator, "resolved on the next round")
		assert.EqualValues(t, 2, page.hits.Load())
	})

	t.Run("NotReadForAnUnconfiguredProvider", func(t *testing.T) {
		page := newFakeStatusPage(t, mustFixture(t, "operational.json"))
		c := newTestChecker(t, testTimings(Config{DailyStatusURL: page.URL(), LiveKitStatusURL: page.URL()}), Deps{})

		c.round(t.Context())

		assert.Zero(t, page.hits.Load())
		for _, h := range c.Current() {
			assert.Nil(t, h.Declared, h.Provider)
		}
	})

	t.Run("UnreadablePageIsUnknown", func(t *testing.T) {
		tests := []struct {
			name   string
			answer func(p *fakeStatusPage) string // returns the URL to read
			want   string
		}{
			{"ServerError", func(p *fakeStatusPage) string { p.Set(http.StatusServiceUnavailable, ""); return p.URL() }, "status page not read: HTTP 503"},
			{"NotStatuspage", func(p *fakeStatusPage) string { p.Set(http.StatusOK, "<html>maintenance</html>"); return p.URL() }, "status page not read: answer not understood"},
			{"WrongPath", func(p *fakeStatusPage) string { return p.srv.URL + "/elsewhere" }, "status page not read: HTTP 404"},
			{"Refused", func(*fakeStatusPage) string { return refusedURL(t) + "/api/v2/summary.json" }, "status page not read: connection refused"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFakeProvider(t, pulse.ProviderDaily)
				cfg := testTimings(configFor(pulse.ProviderDaily, f.srv.URL))
				cfg.DailyStatusURL = tt.answer(newFakeStatusPage(t, ""))
				c := newTestChecker(t, cfg, Deps{})

				c.round(t.Context())

				d := healthOf(t, c, pulse.ProviderDaily).Declared
				require.NotNil(t, d)
				assert.Equal(t, pulse.DeclaredUnknown, d.Indicator)
				assert.Equal(t, tt.want, d.Description)
				assert.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderDaily).Status, "the status page says nothing of the API")
			})
		}
	})

	t.Run("FollowerReadsTheLeadersReading", func(t *testing.T) {
		cfg, _ := allProviders(t)
		page := newFakeStatusPage(t, mustFixture(t, "major_incident.json"))
		cfg.LiveKitStatusURL = page.URL()
		store := &memStore{}
		clk := newClock()
		leader := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: true}, Now: clk.Now})
		follower := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: false}, Now: clk.Now})

		leader.round(t.Context())
		follower.round(t.Context())

		assert.EqualValues(t, 1, page.hits.Load(), "read by the leader only")
		d := healthOf(t, follower, pulse.ProviderLiveKit).Declared
		require.NotNil(t, d)
		assert.Equal(t, "Elevated connection failures in US West", d.Incident)
		assert.Equal(t, leader.Current(), follower.Current())
	})

	t.Run("ReadingFromAnEarlierConfigurationIsNotShown", func(t *testing.T) {
		f := newFakeProvider(t, pulse.ProviderDaily)
		clk := newClock()
		store := &memStore{declared: map[pulse.Provider]pulse.ProviderDeclared{
			pulse.ProviderDaily: {Provider: pulse.ProviderDaily, Indicator: pulse.DeclaredMajor, Incident: "Old", CheckedAt: clk.Now()},
		}}
		c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{Store: store, Leader: &fakeLeader{ok: false}, Now: clk.Now})

		c.round(t.Context())

		assert.Nil(t, healthOf(t, c, pulse.ProviderDaily).Declared)
	})

	t.Run("StaleReadingIsUnknown", func(t *testing.T) {
		cfg, _ := allProviders(t)
		page := newFakeStatusPage(t, mustFixture(t, "major_incident.json"))
		cfg.LiveKitStatusURL = page.URL()
		clk := newClock()
		c := newTestChecker(t, cfg, Deps{Now: clk.Now})
		c.round(t.Context())

		clk.Advance(3*cfg.CheckInterval + cfg.CheckTimeout + time.Second)

		d := healthOf(t, c, pulse.ProviderLiveKit).Declared
		require.NotNil(t, d)
		assert.Equal(t, pulse.DeclaredUnknown, d.Indicator, "an old major incident is not counted forever")
		assert.Equal(t, "stale: status page last read 3h ago", d.Description)
	})

	t.Run("ServedFromCache", func(t *testing.T) {
		cfg, _ := allProviders(t)
		page := newFakeStatusPage(t, mustFixture(t, "operational.json"))
		cfg.DailyStatusURL, cfg.LiveKitStatusURL = page.URL(), page.URL()
		c := newTestChecker(t, cfg, Deps{})
		c.round(t.Context())
		hits := page.hits.Load()
		require.EqualValues(t, 2, hits)

		for range 10 {
			_, err := c.Providers(t.Context())
			require.NoError(t, err)
		}

		assert.Equal(t, hits, page.hits.Load())
	})

	t.Run("StandInsAreMarked", func(t *testing.T) {
		cfg, _ := allProviders(t)
		cfg.StandIns = map[pulse.Provider]bool{pulse.ProviderLiveKit: true}
		c := newTestChecker(t, cfg, Deps{})
		assert.True(t, healthOf(t, c, pulse.ProviderLiveKit).StandIn, "before the first round")

		c.round(t.Context())

		assert.True(t, healthOf(t, c, pulse.ProviderLiveKit).StandIn)
		assert.False(t, healthOf(t, c, pulse.ProviderDaily).StandIn)
	})
}

func TestLiveRooms(t *testing.T) {
	dailyPresence := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/v1/presence" {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"total_count":0,"data":[]}`)
				return
			}
			w.WriteHeader(code)
			_, _ = io.WriteString(w, body)
		}
	}
	liveKitList := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				_, _ = io.WriteString(w, "OK")
				return
			}
			_, _ = io.WriteString(w, body)
		}
	}
	tests := []struct {
		name     string
		provider pulse.Provider
		rooms    []string         // for the healthy fake
		answer   http.HandlerFunc // instead of the healthy fake
		noKeys   bool
		want     *int
		status   pulse.ProviderStatus
	}{
		{name: "DailyPresence", provider: pulse.ProviderDaily, rooms: []string{"a", "b", "c"}, want: ptr(3), status: pulse.StatusOperational},
		{name: "DailyNobodyPresent", provider: pulse.ProviderDaily, want: ptr(0), status: pulse.StatusOperational},
		{name: "DailyEmptyRoomNotCounted", provider: pulse.ProviderDaily,
			answer: dailyPresence(http.StatusOK, `{"a":[{"room":"a","id":"p1"}],"b":[]}`), want: ptr(1), status: pulse.StatusOperational},
		// The presence call only adds a figure: its failure is no verdict.
		{name: "DailyPresenceRefused", provider: pulse.ProviderDaily,
			answer: dailyPresence(http.StatusForbidden, `{"error":"authorization-error"}`), status: pulse.StatusOperational},
		{name: "DailyPresenceFails", provider: pulse.ProviderDaily,
			answer: dailyPresence(http.StatusInternalServerError, ``), status: pulse.StatusOperational},
		{name: "DailyPresenceNotUnderstood", provider: pulse.ProviderDaily,
			answer: dailyPresence(http.StatusOK, `{"a":"b"}`), status: pulse.StatusOperational},
		{name: "DailyRoomsFailSoNoPresenceAsked", provider: pulse.ProviderDaily,
			answer: answerStatus(http.StatusUnauthorized), status: pulse.StatusDegraded},
		{name: "LiveKitListRooms", provider: pulse.ProviderLiveKit, rooms: []string{"a", "b"}, want: ptr(2), status: pulse.StatusOperational},
		{name: "LiveKitNoRooms", provider: pulse.ProviderLiveKit, want: ptr(0), status: pulse.StatusOperational},
		{name: "LiveKitEmptyListLeftOut", provider: pulse.ProviderLiveKit, answer: liveKitList(`{}`), want: ptr(0), status: pulse.StatusOperational},
		{name: "LiveKitListNotUnderstood", provider: pulse.ProviderLiveKit, answer: liveKitList(`{"rooms":"many"}`), status: pulse.StatusDegraded},
		{name: "LiveKitWithoutKeysCannotList", provider: pulse.ProviderLiveKit, rooms: []string{"a"}, noKeys: true, status: pulse.StatusOperational},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeProvider(t, tt.provider)
			f.SetRooms(tt.rooms...)
			if tt.answer != nil {
				f.Set(tt.answer)
			}
			cfg := configFor(tt.provider, f.srv.URL)
			if tt.noKeys {
				cfg.LiveKitAPIKey, cfg.LiveKitAPISecret = "", ""
			}
			store := &memStore{}
			c := newTestChecker(t, testTimings(cfg), Deps{Store: store})

			c.round(t.Context())

			h := healthOf(t, c, tt.provider)
			assert.Equal(t, tt.status, h.Status, h.Detail)
			assert.Equal(t, tt.want, h.LiveRooms)
			checks := store.Checks()
			require.Len(t, checks, 1)
			assert.Equal(t, tt.want, checks[0].LiveRooms, "stored for the followers")
		})
	}
}
