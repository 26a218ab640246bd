package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

func TestCurrentMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

		t.Run("Empty", func(t *testing.T) {
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.EqualValues(t, 0, m["active_sessions_count"])
			assert.EqualValues(t, 0, m["abandoned_sessions_last_24h"])
			assert.Equal(t, "unknown", m["avg_connection_quality"])
			assert.Nil(t, m["avg_connection_score"])
			assert.Equal(t, "healthy", m["system_health"])
			assert.Equal(t, []any{}, m["health_reasons"])
		})

		a := h.mustSession("Mental Health", "daily")
		b := h.mustSession("Academic Advising", "livekit")
		ended := h.mustSession("Academic Advising", "livekit")
		require.Equal(t, http.StatusOK, h.ingest(http.MethodPost, "/api/sessions/"+ended+"/end", "").Code)
		for _, q := range []string{"excellent", "excellent", "good"} { // a: 11/3 = 3.67
			require.Equal(t, http.StatusNoContent, h.ingest(http.MethodPost, "/api/sessions/"+a+"/quality", `{"quality":"`+q+`"}`).Code)
		}
		require.Equal(t, http.StatusNoContent, h.ingest(http.MethodPost, "/api/sessions/"+b+"/quality", `{"quality":"excellent"}`).Code)

		t.Run("SessionsAndQuality", func(t *testing.T) {
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.EqualValues(t, 2, m["active_sessions_count"], "the ended session is not live")
			assert.Equal(t, "excellent", m["avg_connection_quality"], "(3.67 + 4) / 2 = 3.83")
			assert.InDelta(t, 3.83, m["avg_connection_score"], 0.001)
		})

		t.Run("ActiveWindowSlides", func(t *testing.T) {
			h.clock.Advance(31 * time.Minute) // a and b were last seen at 12:00
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.EqualValues(t, 0, m["active_sessions_count"])
			h.clock.Advance(30 * time.Minute) // 13:01: the samples are more than an hour old
			m = h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, "unknown", m["avg_connection_quality"])
		})

		t.Run("AbandonedSessionsCounted", func(t *testing.T) {
			// 13:01: a and b were last seen at 12:00; the ended one is not open.
			n, err := db.EndStaleSessions(t.Context(), h.clock.Now().Add(-time.Hour))
			require.NoError(t, err)
			require.EqualValues(t, 2, n)
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.EqualValues(t, 2, m["abandoned_sessions_last_24h"])
		})

		t.Run("MeasuredTelemetryAndHealth", func(t *testing.T) {
			h.telemetry.mu.Lock()
			h.telemetry.last = pulse.RequestStats{Requests: 1000, Errors: 31, ClientErrors: 4, P95Ms: 612.34}
			h.telemetry.mu.Unlock()
			h.providers.services = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusDown, Detail: "timeout after 5s"}}
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.InDelta(t, 0.031, m["error_rate_last_hour"], 1e-9)
			assert.InDelta(t, 612.3, m["api_response_time_p95"], 1e-9)
			assert.EqualValues(t, 1000, m["requests_last_hour"])
			assert.Equal(t, "degraded", m["system_health"])
			assert.Equal(t, []any{"error rate 3.1% > 2.0%", "p95 612 ms > 500 ms", "Daily.co down: timeout after 5s"}, m["health_reasons"])
			assert.EqualValues(t, 10, m["db_pool_size"])
		})

		t.Run("DatabaseUnreachable", func(t *testing.T) {
			require.NoError(t, db.Close())
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.Nil(t, m["active_sessions_count"], "an unknown figure is null, not zero")
			assert.Nil(t, m["abandoned_sessions_last_24h"])
			assert.Equal(t, "critical", m["system_health"])
			assert.Contains(t, m["health_reasons"], "database unreachable")

			r := h.admin("/api/admin/metrics/sessions", token)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code)
			assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
			assert.Equal(t, http.StatusServiceUnavailable, h.do(http.MethodGet, "/readyz", "").Code)
			r = h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code)
		})
	})
}

func TestSessionMetricsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		token := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)

		t.Run("EmptyHasEveryCategoryAndZeroes", func(t *testing.T) {
			m := h.admin("/api/admin/metrics/sessions", token).json(t)
			assert.EqualValues(t, 0, m["total_sessions"])
			assert.EqualValues(t, 30, m["window_days"])
			assert.Len(t, m["sessions_by_category"], 6)
			assert.Equal(t, map[string]any{"excellent": 0.0, "good": 0.0, "fair": 0.0, "poor": 0.0}, m["connection_quality_distribution"])
		})

		// Three sampled sessions: excellent, good, good -> 33.3 / 66.7.
		for i, q := range []string{"excellent", "good", "good"} {
			id := h.mustSession([]string{"Mental Health", "Financial Aid", "Financial Aid"}[i], "daily")
			require.Equal(t, http.StatusNoContent, h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"`+q+`"}`).Code)
		}
		h.mustSession("Financial Aid", "livekit") // not sampled: counted, not in the distribution

		t.Run("CountsAndPercentages", func(t *testing.T) {
			m := h.admin("/api/admin/metrics/sessions", token).json(t)
			assert.EqualValues(t, 4, m["total_sessions"])
			cats := m["sessions_by_category"].(map[string]any)
			assert.EqualValues(t, 3, cats["Financial Aid"])
			assert.EqualValues(t, 1, cats["Mental Health"])
			assert.EqualValues(t, 0, cats["Admissions"])
			assert.Equal(t, map[string]any{"excellent": 33.3, "good": 66.7, "fair": 0.0, "poor": 0.0}, m["connection_quality_distribution"])
		})
	})
}

func TestErrorTrendAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		token := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)
		start := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
		var hours []pulse.HourlyStats
		for i := range 24 {
			hours = append(hours, pulse.HourlyStats{Hour: start.Add(time.Duration(i) * time.Hour)})
		}
		hours[3].RequestStats = pulse.RequestStats{Requests: 100, Errors: 2, P95Ms: 40}  // 2%: at, not over, the threshold
		hours[4].RequestStats = pulse.RequestStats{Requests: 100, Errors: 3, P95Ms: 45}  // degraded
		hours[10].RequestStats = pulse.RequestStats{Requests: 1, Errors: 1, P95Ms: 30}   // 100%, but too little traffic to judge
		hours[23].RequestStats = pulse.RequestStats{Requests: 50, Errors: 10, P95Ms: 90} // critical
		h.telemetry.hourly = hours

		m := h.admin("/api/admin/metrics/errors", token).json(t)
		assert.Equal(t, map[string]any{"degraded": 0.02, "critical": 0.05}, m["thresholds"])
		points := m["points"].([]any)
		require.Len(t, points, 24)
		assert.Equal(t, map[string]any{"hour": "2026-11-25T13:00:00Z", "requests": 0.0, "errors": 0.0, "error_rate": 0.0, "p95_ms": 0.0}, points[0])
		assert.Equal(t, map[string]any{"hour": "2026-11-25T17:00:00Z", "requests": 100.0, "errors": 3.0, "error_rate": 0.03, "p95_ms": 45.0}, points[4])
		assert.Equal(t, []any{
			map[string]any{"hour": "2026-11-25T17:00:00Z", "level": "degraded", "error_rate": 0.03},
			map[string]any{"hour": "2026-11-26T12:00:00Z", "level": "critical", "error_rate": 0.2},
		}, m["alerts"])
	})
}

func TestExternalServicesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		token := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)
		at := time.Date(2026, 11, 26, 11, 59, 30, 0, time.UTC)
		lat, up := 84.26, 0.99861
		rooms := 3
		maint := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
		h.providers.services = []pulse.ProviderHealth{
			{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational, LatencyMs: &lat, CheckedAt: &at, Detail: "HTTP 200 in 84 ms", Uptime24h: &up,
				LiveRooms: &rooms, Declared: &pulse.ProviderDeclared{Provider: pulse.ProviderDaily, Indicator: pulse.DeclaredNone, Description: "All Systems Operational",
					Maintenance: "Database upgrade", MaintenanceStatus: "scheduled", MaintenanceAt: &maint, CheckedAt: at}},
			{Provider: pulse.ProviderLiveKit, Status: pulse.StatusUnconfigured, Detail: "no server URL set"},
			{Provider: pulse.ProviderBeyondPresence, Status: pulse.StatusOperational, CheckedAt: &at, Detail: "HTTP 204 in 5 ms", StandIn: true,
				Declared: &pulse.ProviderDeclared{Provider: pulse.ProviderBeyondPresence, Indicator: pulse.DeclaredMajor, Description: "Partial System Outage",
					Incident: "Avatar rendering delayed", IncidentImpact: "major", CheckedAt: at}},
		}
		h.mustSession("Mental Health", "daily")
		h.mustSession("Mental Health", "daily")
		m := h.admin("/api/admin/metrics/external-services", token).json(t)
		assert.Equal(t, []any{
			map[string]any{"id": "daily_co", "name": "Daily.co", "status": "operational", "latency_ms": 84.3, "checked_at": "2026-11-26T11:59:30Z", "detail": "HTTP 200 in 84 ms", "uptime_24h": 0.9986,
				"declared": map[string]any{"indicator": "none", "description": "All Systems Operational", "incident": nil, "incident_impact": nil,
					"maintenance": map[string]any{"name": "Database upgrade", "status": "scheduled", "scheduled_for": "2026-11-28T06:00:00Z"}, "checked_at": "2026-11-26T11:59:30Z"},
				"live_rooms": map[string]any{"provider": 3.0, "pulse": 2.0}, "demo": false},
			map[string]any{"id": "livekit", "name": "LiveKit", "status": "unconfigured", "latency_ms": nil, "checked_at": nil, "detail": "no server URL set", "uptime_24h": nil,
				"declared": nil, "live_rooms": map[string]any{"provider": nil, "pulse": 0.0}, "demo": false},
			map[string]any{"id": "beyond_presence", "name": "Beyond Presence", "status": "operational", "latency_ms": nil, "checked_at": "2026-11-26T11:59:30Z", "detail": "HTTP 204 in 5 ms", "uptime_24h": nil,
				"declared": map[string]any{"indicator": "major", "description": "Partial System Outage", "incident": "Avatar rendering delayed", "incident_impact": "major",
					"maintenance": nil, "checked_at": "2026-11-26T11:59:30Z"},
				"live_rooms": map[string]any{"provider": nil, "pulse": 0.0}, "demo": true},
		}, m["services"])
	})
}
