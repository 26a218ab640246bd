package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/telemetry"
)

// storeReads counts the reads the metrics routes and their guard make of the
// real store, by kind.
type storeReads struct {
	sessionStats, sessionSummary, rollups, admins, revocations, providers atomic.Int64
}

func (r *storeReads) total() int64 {
	return r.sessionStats.Load() + r.sessionSummary.Load() + r.rollups.Load() + r.admins.Load() + r.revocations.Load() + r.providers.Load()
}

// countingSessions wraps the real session store; down makes it refuse like a
// database that is unreachable.
type countingSessions struct {
	pulse.SessionStore
	reads *storeReads
	down  *atomic.Bool
}

var errDown = pulse.Errorf(pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")

func (s countingSessions) SessionStats(ctx context.Context, now time.Time) (pulse.SessionStats, error) {
	s.reads.sessionStats.Add(1)
	if s.down.Load() {
		return pulse.SessionStats{}, errDown
	}
	return s.SessionStore.SessionStats(ctx, now)
}

func (s countingSessions) SessionSummary(ctx context.Context, now time.Time, days int) (pulse.SessionSummary, error) {
	s.reads.sessionSummary.Add(1)
	if s.down.Load() {
		return pulse.SessionSummary{}, errDown
	}
	return s.SessionStore.SessionSummary(ctx, now, days)
}

type countingRollups struct {
	pulse.RollupStore
	reads *storeReads
	down  *atomic.Bool
}

func (s countingRollups) ListRollups(ctx context.Context, since time.Time) ([]pulse.Rollup, error) {
	s.reads.rollups.Add(1)
	if s.down.Load() {
		return nil, errDown
	}
	return s.RollupStore.ListRollups(ctx, since)
}

type countingAdmins struct {
	pulse.AdminStore
	reads *storeReads
}

func (s countingAdmins) AdminByID(ctx context.Context, id int64) (pulse.Admin, error) {
	s.reads.admins.Add(1)
	return s.AdminStore.AdminByID(ctx, id)
}

type countingRevocations struct {
	pulse.RevokedTokenStore
	reads *storeReads
}

func (s countingRevocations) RevokedTokens(ctx context.Context, now time.Time) ([]string, error) {
	s.reads.revocations.Add(1)
	return s.RevokedTokenStore.RevokedTokens(ctx, now)
}

type countingProviders struct {
	pulse.ProviderService
	reads *storeReads
}

func (s countingProviders) Providers(ctx context.Context) ([]pulse.ProviderHealth, error) {
	s.reads.providers.Add(1)
	return s.ProviderService.Providers(ctx)
}

// withSnapshots serves the metrics from snapshots with the default intervals
// (2 s for /current, 10 s for the others), reading the real store through
// counting wrappers; setting down makes the database unreachable.
func withSnapshots(db *store.DB, reads *storeReads, down *atomic.Bool) func(*httpapi.Deps) {
	cfg := config.Defaults()
	return func(d *httpapi.Deps) {
		d.CurrentSnapshotInterval, d.SnapshotInterval = cfg.SnapshotIntervalCurrent, cfg.SnapshotInterval
		d.Sessions = countingSessions{SessionStore: db, reads: reads, down: down}
		d.Telemetry = telemetry.NewService(telemetry.NewRecorder(telemetry.RecorderConfig{Now: d.Now}), countingRollups{RollupStore: db, reads: reads, down: down})
		d.Admins = countingAdmins{AdminStore: db, reads: reads}
		d.RevokedTokens = countingRevocations{RevokedTokenStore: db, reads: reads}
		d.Providers = countingProviders{ProviderService: d.Providers, reads: reads}
	}
}

var metricsRoutes = []string{"current", "sessions", "errors", "external-services"}

func TestMetricsSnapshots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var (
			reads storeReads
			down  atomic.Bool
		)
		h := newHarness(t, db, withSnapshots(db, &reads, &down))
		token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		id := h.mustSession("Mental Health", "daily")
		require.Equal(t, http.StatusNoContent, h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"good"}`).Code)
		built := h.clock.Now()

		t.Run("ManyDashboardsCostOneSetOfReads", func(t *testing.T) {
			const dashboards = 50
			var wg sync.WaitGroup
			codes := make(chan int, dashboards*len(metricsRoutes))
			for range dashboards {
				for _, route := range metricsRoutes {
					wg.Go(func() { codes <- h.admin("/api/admin/metrics/"+route, token).Code })
				}
			}
			wg.Wait()
			close(codes)
			for code := range codes {
				require.Equal(t, http.StatusOK, code)
			}
			assert.EqualValues(t, 1, reads.sessionStats.Load(), "/current's session figures")
			assert.EqualValues(t, 1, reads.sessionSummary.Load(), "/sessions")
			assert.EqualValues(t, 2, reads.rollups.Load(), "/current's last hour and /errors")
			assert.EqualValues(t, 2, reads.providers.Load(), "/current's verdict and /external-services")
			assert.EqualValues(t, 1, reads.admins.Load(), "the guard's admin, cached for 5 s")
			assert.EqualValues(t, 1, reads.revocations.Load(), "the guard's sign-outs, cached for 5 s")
			assert.EqualValues(t, 8, reads.total(), "%d requests", dashboards*len(metricsRoutes))
		})

		t.Run("GeneratedAtIsTheSnapshotsTime", func(t *testing.T) {
			h.clock.Advance(1500 * time.Millisecond)
			// A new live session is not seen until the snapshot is rebuilt.
			h.mustSession("Admissions", "livekit")
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, built.UTC().Format(time.RFC3339Nano), m["generated_at"])
			assert.EqualValues(t, 1, m["active_sessions_count"])
			assert.EqualValues(t, 1, reads.sessionStats.Load())

			h.clock.Advance(500 * time.Millisecond) // 2 s: /current is rebuilt, the others are not
			before := reads.total()
			m = h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, h.clock.Now().UTC().Format(time.RFC3339Nano), m["generated_at"])
			assert.EqualValues(t, 2, m["active_sessions_count"])
			for _, route := range metricsRoutes[1:] {
				require.Equal(t, http.StatusOK, h.admin("/api/admin/metrics/"+route, token).Code)
			}
			assert.EqualValues(t, 2, reads.sessionStats.Load())
			assert.EqualValues(t, 1, reads.sessionSummary.Load())
			assert.EqualValues(t, 3, reads.total()-before, "stats, last hour, providers")

			h.clock.Advance(8 * time.Second) // 10 s: every route is rebuilt
			m = h.admin("/api/admin/metrics/sessions", token).json(t)
			assert.EqualValues(t, 2, m["total_sessions"])
			assert.EqualValues(t, 2, reads.sessionSummary.Load())
		})

		t.Run("OutageIsNotKeptLongerThanTheInterval", func(t *testing.T) {
			h.clock.Advance(10 * time.Second)
			down.Store(true)
			m := h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, "critical", m["system_health"])
			assert.Contains(t, m["health_reasons"], "database unreachable")
			assert.Nil(t, m["active_sessions_count"])
			r := h.admin("/api/admin/metrics/sessions", token)
			require.Equal(t, http.StatusServiceUnavailable, r.Code)
			assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))

			down.Store(false)
			h.clock.Advance(2*time.Second - time.Millisecond)
			m = h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, "critical", m["system_health"], "still the verdict of its time, as generated_at says")
			h.clock.Advance(time.Millisecond)
			m = h.admin("/api/admin/metrics/current", token).json(t)
			assert.Equal(t, "healthy", m["system_health"], "the interval is over")
			assert.EqualValues(t, 2, m["active_sessions_count"])

			h.clock.Advance(8 * time.Second)
			assert.Equal(t, http.StatusOK, h.admin("/api/admin/metrics/sessions", token).Code)
		})

		t.Run("GuardStillRunsOnEveryRequest", func(t *testing.T) {
			other := h.mustAdmin("content@example.org", pulse.RoleContentManager)
			assert.Equal(t, http.StatusForbidden, h.admin("/api/admin/metrics/current", other).Code)
			assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/admin/metrics/current", "").Code)
		})
	})
}

// blockingSessions holds SessionSummary until released, telling when it is
// entered.
type blockingSessions struct {
	pulse.SessionStore
	entered, release chan struct{}
}

func (s blockingSessions) SessionSummary(ctx context.Context, now time.Time, days int) (pulse.SessionSummary, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.SessionStore.SessionSummary(ctx, now, days)
}

// A client that leaves while the snapshot is being built does not fail the
// build for the others.
func TestMetricsSnapshotOutlivesItsFirstClient(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	blocking := blockingSessions{SessionStore: db, entered: make(chan struct{}, 1), release: make(chan struct{})}
	cfg := config.Defaults()
	h := newHarness(t, db, func(d *httpapi.Deps) {
		d.Sessions = blocking
		d.CurrentSnapshotInterval, d.SnapshotInterval = cfg.SnapshotIntervalCurrent, cfg.SnapshotInterval
	})
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

	ctx, leave := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/admin/metrics/sessions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	first := httptest.NewRecorder()
	served := make(chan struct{})
	go func() {
		h.srv.ServeHTTP(first, req)
		close(served)
	}()
	<-blocking.entered
	leave()
	<-served // the first client is gone; the build goes on
	close(blocking.release)

	m := h.admin("/api/admin/metrics/sessions", token).json(t)
	assert.EqualValues(t, 30, m["window_days"])
	select {
	case <-blocking.entered:
		t.Fatal("the second request built the answer again")
	default:
	}
}
