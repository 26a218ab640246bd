package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/telemetry"
)

// withRealTelemetry reads the error trend and the last hour from the store,
// so that those routes meet the database outage too.
func withRealTelemetry(db *store.DB) func(*httpapi.Deps) {
	return func(d *httpapi.Deps) {
		d.Telemetry = telemetry.NewService(telemetry.NewRecorder(telemetry.RecorderConfig{}), db)
	}
}

// assertDatabaseDown checks every answer a database outage should give:
// /current a 200 that says so, every other route a JSON 503.
func assertDatabaseDown(t *testing.T, h *harness, token, sessionID string) {
	t.Helper()
	t.Run("CurrentSaysCritical", func(t *testing.T) {
		r := h.admin("/api/admin/metrics/current", token)
		require.Equal(t, http.StatusOK, r.Code, r.Body.String())
		m := r.json(t)
		assert.Equal(t, "critical", m["system_health"])
		assert.Contains(t, m["health_reasons"], "database unreachable")
		assert.Nil(t, m["active_sessions_count"], "an unknown figure is null, not zero")
		assert.Nil(t, m["requests_last_hour"])
	})
	bearer := []string{"Authorization", "Bearer " + token}
	apiKey := []string{"X-API-Key", h.apiKey}
	for name, tc := range map[string]struct {
		method, path, body string
		headers            []string
	}{
		"Readyz":          {method: http.MethodGet, path: "/readyz"},
		"ReadyzOnceAgain": {method: http.MethodGet, path: "/readyz"}, // not only the first answer
		"SessionMetrics":  {method: http.MethodGet, path: "/api/admin/metrics/sessions", headers: bearer},
		"ErrorTrend":      {method: http.MethodGet, path: "/api/admin/metrics/errors", headers: bearer},
		"CreateSession":   {method: http.MethodPost, path: "/api/sessions", body: `{"category":"Mental Health","provider":"daily"}`, headers: apiKey},
		"RecordQuality":   {method: http.MethodPost, path: "/api/sessions/" + sessionID + "/quality", body: `{"quality":"good"}`, headers: apiKey},
		"Login":           {method: http.MethodPost, path: "/api/admin/auth/login", body: `{"email":"monitor@example.org","password":"` + testPassword + `"}`},
	} {
		t.Run(name+"Is503", func(t *testing.T) {
			r := h.do(tc.method, tc.path, tc.body, tc.headers...)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code, r.Body.String())
			assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
		})
	}
}

// A PostgreSQL database that refuses connections (ALLOW_CONNECTIONS false,
// backends terminated) answers every connection attempt with SQLSTATE 55000
// inside a connect error: the database is unavailable, not the server broken.
func TestDatabaseRefusingConnections(t *testing.T) {
	pg := storetest.MustCreatePostgresDatabase(t, "pulse_refuse")
	db, err := store.Open(context.Background(), pg.DSN, store.Options{MaxOpenConns: 4, MaxIdleConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.Migrate(context.Background()))

	h := newHarness(t, db, withRealTelemetry(db))
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
	id := h.mustSession("Mental Health", "daily")
	require.Equal(t, http.StatusOK, h.do(http.MethodGet, "/readyz", "").Code)

	pg.RefuseConnections(t)

	assertDatabaseDown(t, h, token, id)

	t.Run("BackOnceAllowed", func(t *testing.T) {
		pg.AllowConnections(t)
		assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/readyz", "").Code)
		m := h.admin("/api/admin/metrics/current", token).json(t)
		assert.Equal(t, "healthy", m["system_health"])
	})
}
