package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/httpapi"
	"pulse/internal/providers"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

const (
	e2eDailyKey      = "daily-e2e-key"
	e2eLiveKitKey    = "APIe2e"
	e2eLiveKitSecret = "livekit-e2e-secret-0123456789abcdef"
)

// counted is an httptest server that counts every request it gets.
type counted struct {
	*httptest.Server
	hits atomic.Int64
}

func newCounted(t *testing.T, h http.HandlerFunc) *counted {
	t.Helper()
	c := &counted{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

// statusPage answers a Statuspage summary.json.
func statusPage(indicator, description, incidents string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"page":{"id":"p","name":"x","url":"https://status.example","updated_at":"2026-11-26T11:59:00Z"},
			"components":[],"incidents":`+incidents+`,"scheduled_maintenances":[],
			"status":{"indicator":"`+indicator+`","description":"`+description+`"}}`)
	}
}

// The cards end to end: fake provider APIs and status pages, the real
// checker and store, the real handler. What the providers declare and count
// reaches the dashboard, next to Pulse's own count, and the dashboard's
// requests never reach a provider.
func TestExternalServicesEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		daily := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+e2eDailyKey {
				http.Error(w, `{"error":"authentication-error"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/v1/rooms":
				_, _ = io.WriteString(w, `{"total_count":1,"data":[{"id":"r1","name":"counsel-1"}]}`)
			case "/v1/presence":
				_, _ = io.WriteString(w, `{"counsel-1":[{"room":"counsel-1","id":"p1","userName":"student","joinTime":"2026-11-26T11:50:00.000Z","duration":600}]}`)
			default:
				http.NotFound(w, r)
			}
		})
		var clock func() time.Time
		livekit := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/":
				_, _ = io.WriteString(w, "OK")
			case "/twirp/livekit.RoomService/ListRooms":
				raw, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				if _, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return []byte(e2eLiveKitSecret), nil },
					jwt.WithIssuer(e2eLiveKitKey), jwt.WithTimeFunc(clock)); err != nil {
					http.Error(w, `{"code":"unauthenticated"}`, http.StatusUnauthorized)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"rooms":[{"sid":"RM_a","name":"a"},{"sid":"RM_b","name":"b"},{"sid":"RM_c","name":"c"}]}`)
			default:
				http.NotFound(w, r)
			}
		})
		dailyPage := newCounted(t, statusPage("none", "All Systems Operational", `[]`))
		livekitPage := newCounted(t, statusPage("major", "Partial System Outage",
			`[{"name":"Elevated connection failures in US West","status":"identified","impact":"major"}]`))

		// The checker runs on the harness's clock, which the harness makes.
		var checker *providers.Checker
		h := newHarness(t, db, func(d *httpapi.Deps) { d.Providers = providerFunc(func() *providers.Checker { return checker }) })
		clock = h.clock.Now
		defaults := config.Defaults()
		var err error
		checker, err = providers.New(providers.Config{
			DailyAPIURL: daily.URL + "/v1", DailyAPIKey: e2eDailyKey,
			LiveKitURL: livekit.URL, LiveKitAPIKey: e2eLiveKitKey, LiveKitAPISecret: e2eLiveKitSecret,
			DailyStatusURL: dailyPage.URL + "/api/v2/summary.json", LiveKitStatusURL: livekitPage.URL + "/api/v2/summary.json",
			CheckInterval: defaults.CheckInterval, CheckTimeout: defaults.CheckTimeout, SlowThreshold: defaults.CheckSlowThreshold,
			DownAfter: defaults.CheckDownAfter, FlapWindow: defaults.CheckFlapWindow, FlapChanges: defaults.CheckFlapChanges,
		}, providers.Deps{Store: db, Now: h.clock.Now, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		h.mustSession("Mental Health", "daily")
		h.mustSession("Mental Health", "livekit")
		h.mustSession("Academic Advising", "livekit")

		checker.RunOnce(t.Context())

		servers := []*counted{daily, livekit, dailyPage, livekitPage}
		hits := make([]int64, len(servers))
		for i, s := range servers {
			hits[i] = s.hits.Load()
			require.Positive(t, hits[i], "the checker's round reached %s", s.URL)
		}

		r := h.admin("/api/admin/metrics/external-services", token)
		require.Equal(t, http.StatusOK, r.Code, r.Body.String())
		var out httpapi.ExternalServices
		require.NoError(t, json.Unmarshal(r.Body.Bytes(), &out))
		require.Len(t, out.Services, 3)
		d, lk, bey := out.Services[0], out.Services[1], out.Services[2]

		assert.Equal(t, "operational", d.Status, d.Detail)
		require.NotNil(t, d.Declared)
		assert.Equal(t, "none", d.Declared.Indicator)
		assert.Nil(t, d.Declared.Incident)
		assert.Equal(t, ptrTo(1), d.LiveRooms.Provider, "Daily's presence lists one room with someone in it")
		assert.Equal(t, ptrTo[int64](1), d.LiveRooms.Pulse)

		assert.Equal(t, "operational", lk.Status, lk.Detail)
		require.NotNil(t, lk.Declared)
		assert.Equal(t, "major", lk.Declared.Indicator)
		assert.Equal(t, ptrTo("Elevated connection failures in US West"), lk.Declared.Incident)
		assert.Equal(t, ptrTo(3), lk.LiveRooms.Provider, "LiveKit sees 3 rooms…")
		assert.Equal(t, ptrTo[int64](2), lk.LiveRooms.Pulse, "…Pulse 2: the gap shows")

		assert.Equal(t, "unconfigured", bey.Status)
		assert.Nil(t, bey.Declared)
		assert.Nil(t, bey.LiveRooms.Provider)
		assert.False(t, d.Demo || lk.Demo || bey.Demo)

		m := h.admin("/api/admin/metrics/current", token).json(t)
		assert.Equal(t, "degraded", m["system_health"])
		assert.Equal(t, []any{"LiveKit declares a major incident: Elevated connection failures in US West"}, m["health_reasons"])

		t.Run("NoRequestCallsAProvider", func(t *testing.T) {
			for range 5 {
				require.Equal(t, http.StatusOK, h.admin("/api/admin/metrics/external-services", token).Code)
				require.Equal(t, http.StatusOK, h.admin("/api/admin/metrics/current", token).Code)
			}
			for i, s := range servers {
				assert.Equal(t, hits[i], s.hits.Load(), "%s was called on a dashboard request", s.URL)
			}
		})
	})
}

func ptrTo[T any](v T) *T { return &v }

// providerFunc serves the checker its function returns, once it exists.
type providerFunc func() *providers.Checker

func (f providerFunc) Providers(ctx context.Context) ([]pulse.ProviderHealth, error) {
	return f().Providers(ctx)
}
