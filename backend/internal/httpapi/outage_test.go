package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

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

// Behind a network that stops forwarding (nothing refused, nothing reset:
// bytes go nowhere) the metrics routes give up on the database after their
// own short deadline (PULSE_DASHBOARD_DB_TIMEOUT, 1.5 s by default), not the
// 10 s request timeout: /current says "critical, database unreachable"
// within 2 s and the other reads answer 503 as fast.
func TestDashboardGivesUpOnAHungDatabase(t *testing.T) {
	_, dsn := storetest.MustOpenPostgres(t)
	proxy, proxied := storetest.NewPostgresProxy(t, dsn)
	db, err := store.Open(context.Background(), proxied, store.Options{MaxOpenConns: 4, MaxIdleConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	t.Cleanup(proxy.Forward) // before the store closes its connections

	h := newHarness(t, db, withRealTelemetry(db)) // the configured timeouts: 10 s per request, 1.5 s for dashboard reads
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
	require.Equal(t, "healthy", h.admin("/api/admin/metrics/current", token).json(t)["system_health"])

	proxy.Hang()

	// A bound on behaviour, generous for a loaded machine, not a benchmark.
	const inTime = 3 * time.Second
	t.Run("CurrentSaysCriticalInTime", func(t *testing.T) {
		start := time.Now()
		r := h.admin("/api/admin/metrics/current", token)
		elapsed := time.Since(start)
		require.Equal(t, http.StatusOK, r.Code, r.Body.String())
		m := r.json(t)
		assert.Equal(t, "critical", m["system_health"])
		assert.Contains(t, m["health_reasons"], "database unreachable")
		assert.Nil(t, m["active_sessions_count"])
		assert.Less(t, elapsed, inTime)
	})
	for name, path := range map[string]string{
		"SessionMetrics": "/api/admin/metrics/sessions",
		"ErrorTrend":     "/api/admin/metrics/errors",
	} {
		t.Run(name+"Is503InTime", func(t *testing.T) {
			start := time.Now()
			r := h.admin(path, token)
			elapsed := time.Since(start)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code, r.Body.String())
			assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
			assert.Less(t, elapsed, inTime)
		})
	}
	t.Run("ExternalServicesFromMemory", func(t *testing.T) {
		h.providers.services = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational}}
		start := time.Now()
		r := h.admin("/api/admin/metrics/external-services", token)
		elapsed := time.Since(start)
		require.Equal(t, http.StatusOK, r.Code, r.Body.String())
		services := r.json(t)["services"].([]any)
		require.Len(t, services, 1)
		for _, svc := range services {
			assert.Equal(t, "operational", svc.(map[string]any)["status"])
			assert.Nil(t, svc.(map[string]any)["live_rooms"].(map[string]any)["pulse"], "Pulse's count is left blank, the rest is served")
		}
		assert.Less(t, elapsed, inTime)
	})

	t.Run("BackOnceForwarding", func(t *testing.T) {
		proxy.Forward()
		assert.Eventually(t, func() bool {
			return h.admin("/api/admin/metrics/current", token).json(t)["system_health"] == "healthy"
		}, 10*time.Second, 100*time.Millisecond)
	})
}

// interruptedSessions is a store whose reads hang until their context ends
// and then fail the way a driver may say it was interrupted: with no code.
type interruptedSessions struct{ pulse.SessionStore }

func (interruptedSessions) SessionSummary(ctx context.Context, _ time.Time, _ int) (pulse.SessionSummary, error) {
	<-ctx.Done()
	return pulse.SessionSummary{}, errors.New("interrupted (9)")
}

func (interruptedSessions) SessionStats(ctx context.Context, _ time.Time) (pulse.SessionStats, error) {
	<-ctx.Done()
	return pulse.SessionStats{}, errors.New("interrupted (9)")
}

// The dashboard's deadline is its own, shorter than the request's; a read it
// cuts short is the database not answering, whatever the driver says.
func TestDashboardDeadline(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) {
		d.Sessions = interruptedSessions{db}
		d.RequestTimeout = time.Minute
		d.DashboardDBTimeout = 100 * time.Millisecond
	})
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

	t.Run("CurrentSaysCritical", func(t *testing.T) {
		start := time.Now()
		m := h.admin("/api/admin/metrics/current", token).json(t)
		assert.Equal(t, "critical", m["system_health"])
		assert.Contains(t, m["health_reasons"], "database unreachable")
		assert.Less(t, time.Since(start), 5*time.Second, "the dashboard's deadline, not the request's")
	})
	t.Run("SessionMetricsIs503", func(t *testing.T) {
		r := h.admin("/api/admin/metrics/sessions", token)
		assert.Equal(t, http.StatusServiceUnavailable, r.Code)
		assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
	})
}

// SQLite allows one writer: a write that waits for another one longer than
// the busy timeout is told "database is locked", a busy database (503), not a
// server fault; the dashboard's reads are not held up by it (WAL). The 503
// comes when the busy timeout (10 s) ends, not at the request deadline:
// SQLite's busy wait does not observe the driver's interrupt.
func TestSQLiteBusyIsUnavailable(t *testing.T) {
	t.Parallel() // it waits for the busy timeout
	db, dsn := storetest.MustOpenSQLite(t)
	h := newHarness(t, db)
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

	// Another process (the CLI) holds the write lock.
	other, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	tx, err := other.SQL().BeginTx(context.Background(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	_, err = tx.Exec(`INSERT INTO categories (name, created_at) VALUES ('Held', CURRENT_TIMESTAMP)`)
	require.NoError(t, err)

	t.Run("DashboardReads", func(t *testing.T) {
		r := h.admin("/api/admin/metrics/current", token)
		require.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, "healthy", r.json(t)["system_health"])
	})
	t.Run("WriteIs503", func(t *testing.T) {
		r := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`)
		assert.Equal(t, http.StatusServiceUnavailable, r.Code, r.Body.String())
		assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
	})
}
