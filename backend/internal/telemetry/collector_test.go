package telemetry

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/testclock"
)

func TestCollector(t *testing.T) {
	t.Run("ExportsDroppedRequests", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0.Add(ringSize*time.Minute)) // same slot: t0 is overwritten
		expected := `
# HELP pulse_telemetry_dropped_requests_total API requests counted in memory that will never reach the rollup table: their minute was overwritten before a flush wrote it (a database outage longer than an hour).
# TYPE pulse_telemetry_dropped_requests_total counter
pulse_telemetry_dropped_requests_total 2
`
		require.NoError(t, testutil.CollectAndCompare(NewCollector(rec), strings.NewReader(expected), "pulse_telemetry_dropped_requests_total"))
	})

	t.Run("KnownRoutesStartAtZero", func(t *testing.T) {
		c := NewCollector(newTestRecorder(testclock.New(t0)))
		var expected strings.Builder
		expected.WriteString("# HELP pulse_http_requests_total API requests answered, by route template, method and status class.\n# TYPE pulse_http_requests_total counter\n")
		for _, r := range testRoutes {
			for _, class := range []string{"2xx", "3xx", "4xx", "5xx", "canceled"} {
				fmt.Fprintf(&expected, "pulse_http_requests_total{method=%q,route=%q,status_class=%q} 0\n", r.Method, r.Path, class)
			}
		}
		require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(expected.String()), "pulse_http_requests_total"))
		assert.Equal(t, len(testRoutes)*4, testutil.CollectAndCount(c, "pulse_http_request_duration_seconds"))
		h := mustHistogram(t, c, "POST", "/api/sessions", "5xx")
		assert.Zero(t, h.GetSampleCount())
		assert.Len(t, h.GetBucket(), len(prometheus.DefBuckets), "the default layout (no thresholds given)")
	})

	// The first 5xx of a route is a change from 0 to 1 between two scrapes,
	// which rate() and increase() count, not a new series already at 1.
	t.Run("FirstErrorIsAChangeFromZeroToOne", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		c := NewCollector(rec)
		before := mustCounter(t, c, "POST", "/api/sessions", "5xx")
		rec.Record("/api/sessions", "POST", 503, 100*time.Millisecond, t0)
		after := mustCounter(t, c, "POST", "/api/sessions", "5xx")
		assert.Equal(t, [2]float64{0, 1}, [2]float64{before, after})
		assert.EqualValues(t, 1, mustHistogram(t, c, "POST", "/api/sessions", "5xx").GetSampleCount())
	})

	t.Run("ExportsCountersAndHistograms", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		rec.Record("/api/sessions/:id", "GET", 200, 3*time.Millisecond, t0)
		rec.Record("/api/sessions/:id", "GET", 200, 40*time.Millisecond, t0)
		rec.Record("/api/sessions/:id", "GET", 204, 20*time.Second, t0)
		rec.Record("/api/sessions", "POST", 503, 100*time.Millisecond, t0)
		rec.Record("/wp-admin.php", "GET", 404, time.Millisecond, t0)
		rec.RecordCanceled("/api/sessions/:id", "GET")

		expected := `
# HELP pulse_http_requests_total API requests answered, by route template, method and status class.
# TYPE pulse_http_requests_total counter
pulse_http_requests_total{method="GET",route="/api/sessions",status_class="2xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions",status_class="3xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions",status_class="4xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions",status_class="5xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions",status_class="canceled"} 0
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="2xx"} 3
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="3xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="4xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="5xx"} 0
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="canceled"} 1
pulse_http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="2xx"} 0
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="3xx"} 0
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="4xx"} 0
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="5xx"} 1
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="canceled"} 0
`
		c := NewCollector(rec)
		require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(expected), "pulse_http_requests_total"))
		assert.Equal(t, len(testRoutes)*4+1, testutil.CollectAndCount(c, "pulse_http_request_duration_seconds"), "unmatched only once seen")

		h := mustHistogram(t, c, "GET", "/api/sessions/:id", "2xx")
		var cumulative []uint64
		for _, b := range h.GetBucket() {
			cumulative = append(cumulative, b.GetCumulativeCount())
		}
		// cumulative counts at 5ms 10ms 25ms 50ms 100ms 250ms 500ms 1s 2.5s 5s 10s
		assert.Equal(t, []uint64{1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2}, cumulative)
		assert.EqualValues(t, 3, h.GetSampleCount(), "+Inf")
		assert.InDelta(t, 20.043, h.GetSampleSum(), 1e-9)
		assert.EqualValues(t, 1, mustHistogram(t, c, "GET", "unmatched", "4xx").GetSampleCount())
		assert.InDelta(t, 0.1, mustHistogram(t, c, "POST", "/api/sessions", "5xx").GetSampleSum(), 1e-9)
	})

	t.Run("PassesLint", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		rec.RecordCanceled("/api/sessions", "GET")
		problems, err := testutil.CollectAndLint(NewCollector(rec))
		require.NoError(t, err)
		assert.Empty(t, problems)
	})

	t.Run("RegistersOnAPedanticRegistry", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		reg := prometheus.NewPedanticRegistry()
		require.NoError(t, reg.Register(NewCollector(rec)))
		families, err := reg.Gather()
		require.NoError(t, err)
		assert.Len(t, families, 3)
	})
}

// mustMetric gathers c and returns the series of name with these labels.
func mustMetric(t *testing.T, c prometheus.Collector, name, method, route, class string) *dto.Metric {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(c))
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["route"] == route && labels["status_class"] == class {
				return m
			}
		}
	}
	t.Fatalf("no %s{method=%q,route=%q,status_class=%q}", name, method, route, class)
	return nil
}

func mustCounter(t *testing.T, c prometheus.Collector, method, route, class string) float64 {
	t.Helper()
	return mustMetric(t, c, "pulse_http_requests_total", method, route, class).GetCounter().GetValue()
}

func mustHistogram(t *testing.T, c prometheus.Collector, method, route, class string) *dto.Histogram {
	t.Helper()
	return mustMetric(t, c, "pulse_http_request_duration_seconds", method, route, class).GetHistogram()
}

// Only the routes the middleware times get series: a probe's would stay at
// zero whatever its traffic.
func TestTimedRoutes(t *testing.T) {
	e := echo.New()
	noop := func(echo.Context) error { return nil }
	e.GET("/healthz", noop)
	e.GET("/swagger/*", noop)
	e.POST("/api/sessions", noop)
	e.GET("/api/admin/metrics/current", noop)
	assert.ElementsMatch(t, []Route{{Method: "POST", Path: "/api/sessions"}, {Method: "GET", Path: "/api/admin/metrics/current"}},
		TimedRoutes(e, nil))
}
