package telemetry

import (
	"pulse/internal/testclock"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollector(t *testing.T) {
	t.Run("NothingRecordedExportsOnlyTheDroppedCounter", func(t *testing.T) {
		c := NewCollector(newTestRecorder(testclock.New(t0)))
		assert.Equal(t, 1, testutil.CollectAndCount(c))
		assert.Equal(t, 1, testutil.CollectAndCount(c, "pulse_telemetry_dropped_requests_total"), "exported at zero, so alerts can rely on it")
	})

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

	t.Run("ExportsCountersAndHistogramsBySeenLabels", func(t *testing.T) {
		rec := newTestRecorder(testclock.New(t0))
		rec.Record("/api/sessions/:id", "GET", 200, 3*time.Millisecond, t0)
		rec.Record("/api/sessions/:id", "GET", 200, 40*time.Millisecond, t0)
		rec.Record("/api/sessions/:id", "GET", 204, 20*time.Second, t0)
		rec.Record("/api/sessions", "POST", 503, 100*time.Millisecond, t0)
		rec.Record("/wp-admin.php", "GET", 404, time.Millisecond, t0)
		rec.RecordCanceled("/api/sessions/:id", "GET")

		expected := `
# HELP pulse_http_request_duration_seconds API request latency, by route template, method and status class.
# TYPE pulse_http_request_duration_seconds histogram
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.005"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.01"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.025"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.05"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.1"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.25"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="0.5"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="1"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="2.5"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="5"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="10"} 2
pulse_http_request_duration_seconds_bucket{method="GET",route="/api/sessions/:id",status_class="2xx",le="+Inf"} 3
pulse_http_request_duration_seconds_sum{method="GET",route="/api/sessions/:id",status_class="2xx"} 20.043
pulse_http_request_duration_seconds_count{method="GET",route="/api/sessions/:id",status_class="2xx"} 3
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.005"} 0
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.01"} 0
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.025"} 0
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.05"} 0
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.1"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.25"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="0.5"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="1"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="2.5"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="5"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="10"} 1
pulse_http_request_duration_seconds_bucket{method="POST",route="/api/sessions",status_class="5xx",le="+Inf"} 1
pulse_http_request_duration_seconds_sum{method="POST",route="/api/sessions",status_class="5xx"} 0.1
pulse_http_request_duration_seconds_count{method="POST",route="/api/sessions",status_class="5xx"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.005"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.01"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.025"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.05"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.1"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.25"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="0.5"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="1"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="2.5"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="5"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="10"} 1
pulse_http_request_duration_seconds_bucket{method="GET",route="unmatched",status_class="4xx",le="+Inf"} 1
pulse_http_request_duration_seconds_sum{method="GET",route="unmatched",status_class="4xx"} 0.001
pulse_http_request_duration_seconds_count{method="GET",route="unmatched",status_class="4xx"} 1
# HELP pulse_http_requests_total API requests answered, by route template, method and status class.
# TYPE pulse_http_requests_total counter
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="2xx"} 3
pulse_http_requests_total{method="GET",route="/api/sessions/:id",status_class="canceled"} 1
pulse_http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1
pulse_http_requests_total{method="POST",route="/api/sessions",status_class="5xx"} 1
`
		c := NewCollector(rec)
		require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(expected),
			"pulse_http_requests_total", "pulse_http_request_duration_seconds"))
		assert.Equal(t, 4, testutil.CollectAndCount(c, "pulse_http_requests_total"))
		assert.Equal(t, 3, testutil.CollectAndCount(c, "pulse_http_request_duration_seconds"))
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
