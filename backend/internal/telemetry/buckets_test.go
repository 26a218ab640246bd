package telemetry

import (
	"bufio"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/testclock"
)

// defaultBuckets is the layout pulse serve exports with the default p95
// thresholds.
func defaultBuckets() []float64 {
	c := config.Defaults()
	return LatencyBuckets(c.P95DegradedMs, c.P95CriticalMs)
}

func TestLatencyBuckets(t *testing.T) {
	t.Run("DefaultThresholds", func(t *testing.T) {
		b := defaultBuckets()
		assert.Len(t, b, 42)
		assert.Contains(t, b, 0.5, "the degraded threshold is a bound")
		assert.Contains(t, b, 1.0, "the critical threshold is a bound")
		assert.True(t, sort.Float64sAreSorted(b))
		assert.True(t, b[0] >= 0.001 && b[0] < 0.0015, "from about 1 ms: %g", b[0])
		assert.InDelta(t, 32, b[len(b)-1], 4)
		for i := 1; i < len(b); i++ {
			ratio := b[i] / b[i-1]
			assert.Greater(t, ratio, 1.0)
			if b[i-1] >= 0.5/8 && b[i] <= 4 {
				assert.LessOrEqualf(t, ratio, 1.19+0.01, "dense around the thresholds: %g..%g", b[i-1], b[i])
			} else {
				assert.LessOrEqualf(t, ratio, 1.415+0.01, "%g..%g", b[i-1], b[i])
			}
		}
	})
	t.Run("OtherThresholdsAreBoundsToo", func(t *testing.T) {
		b := LatencyBuckets(300, 700)
		assert.Contains(t, b, 0.3)
		assert.Contains(t, b, 0.7)
	})
	t.Run("UnusableThresholdsGiveTheDefaults", func(t *testing.T) {
		assert.Equal(t, prometheus.DefBuckets, LatencyBuckets(0, 100))
		assert.Equal(t, prometheus.DefBuckets, LatencyBuckets(500, 100))
	})
}

// bucket is one classic bucket as scraped: an upper bound and the count of
// observations at or below it.
type bucket struct {
	le    float64
	count float64
}

// histogramQuantile is PromQL's histogram_quantile over classic buckets
// (promql/quantile.go, bucketQuantile): find the bucket holding the rank,
// interpolate linearly inside it; a rank in the +Inf bucket answers the
// highest finite bound.
func histogramQuantile(q float64, buckets []bucket) float64 {
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].le < buckets[j].le })
	if len(buckets) < 2 || !math.IsInf(buckets[len(buckets)-1].le, 1) {
		return math.NaN()
	}
	observations := buckets[len(buckets)-1].count
	if observations == 0 {
		return math.NaN()
	}
	rank := q * observations
	b := sort.Search(len(buckets)-1, func(i int) bool { return buckets[i].count >= rank })
	if b == len(buckets)-1 {
		return buckets[len(buckets)-2].le
	}
	if b == 0 && buckets[0].le <= 0 {
		return buckets[0].le
	}
	start, end, count := 0.0, buckets[b].le, buckets[b].count
	if b > 0 {
		start = buckets[b-1].le
		count -= buckets[b-1].count
		rank -= buckets[b-1].count
	}
	return start + (end-start)*(rank/count)
}

// nativeQuantile is histogram_quantile over a native histogram of positive
// observations, as Prometheus 3 computes it for exponential schemas: find
// the bucket holding the rank, interpolate exponentially inside it.
func nativeQuantile(q float64, h *dto.Histogram) float64 {
	count := float64(h.GetSampleCount())
	rank := q * count
	seen := float64(h.GetZeroCount())
	if seen >= rank {
		return h.GetZeroThreshold()
	}
	base := math.Exp2(math.Exp2(-float64(h.GetSchema())))
	deltas := h.GetPositiveDelta()
	next, n, i := 0, int64(0), 0
	for s, span := range h.GetPositiveSpan() {
		if s == 0 {
			next = int(span.GetOffset()) // the first span's offset is its first key
		} else {
			next += int(span.GetOffset()) // later ones count the empty keys between
		}
		for range span.GetLength() {
			n += deltas[i] // counts are deltas from the previous bucket's
			i++
			key := next
			next++
			if seen+float64(n) >= rank {
				lower, upper := math.Pow(base, float64(key-1)), math.Pow(base, float64(key))
				fraction := (rank - seen) / float64(n)
				return math.Exp2(math.Log2(lower) + (math.Log2(upper)-math.Log2(lower))*fraction)
			}
			seen += float64(n)
		}
	}
	return math.NaN()
}

// threeSets are the latency sets the Prometheus p95 is held to.
var threeSets = []string{"LogNormal", "Bimodal", "Uniform1To1000ms"}

// recordAll records a set on one route, in one minute, and returns the
// recorder and Pulse's own p95 of it (ms): what /current and the error
// trend report.
func recordAll(t *testing.T, latencies []time.Duration, bounds []float64) (*Recorder, float64) {
	t.Helper()
	rec := NewRecorder(RecorderConfig{Routes: testRoutes, Now: testclock.New(t0).Now, Buckets: bounds})
	for _, d := range latencies {
		rec.Record("/api/sessions", http.MethodPost, http.StatusCreated, d, t0)
	}
	minutes := rec.snapshot()
	require.Len(t, minutes, 1)
	return rec, minutes[0].hist.Quantile(0.95)
}

// scrape serves the collector through promhttp and returns the body of a
// GET with the given Accept header.
func scrape(t *testing.T, rec *Recorder, accept string) *http.Response {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(rec))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	require.Equal(t, http.StatusOK, res.StatusCode)
	return res
}

// recordedSeries names the one series recordAll records into; every other
// known route × method × class is exported too, at zero.
const recordedSeries = `method="POST",route="/api/sessions",status_class="2xx"`

// scrapedBuckets reads the classic buckets of the recorded series of the
// duration histogram from the text exposition.
func scrapedBuckets(t *testing.T, body io.Reader) []bucket {
	t.Helper()
	var out []bucket
	sc := bufio.NewScanner(body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "pulse_http_request_duration_seconds_bucket{"+recordedSeries) {
			continue
		}
		_, rest, _ := strings.Cut(line, `le="`)
		le, value, ok := strings.Cut(rest, `"} `)
		require.True(t, ok, line)
		b := bucket{}
		var err error
		if le == "+Inf" {
			b.le = math.Inf(1)
		} else {
			b.le, err = strconv.ParseFloat(le, 64)
			require.NoError(t, err)
		}
		b.count, err = strconv.ParseFloat(value, 64)
		require.NoError(t, err)
		out = append(out, b)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// TestPrometheusP95 computes histogram_quantile(0.95) from a scrape of
// /metrics, as Prometheus would, and holds it to Pulse's own p95 on the
// lognormal, bimodal and uniform sets.
func TestPrometheusP95(t *testing.T) {
	sets := latencyDistributions()
	t.Run("ClassicBucketsWithinFivePercent", func(t *testing.T) {
		for _, name := range threeSets {
			t.Run(name, func(t *testing.T) {
				rec, own := recordAll(t, sets[name], defaultBuckets())
				prom := histogramQuantile(0.95, scrapedBuckets(t, scrape(t, rec, "text/plain").Body)) * 1000
				assert.InEpsilonf(t, own, prom, 0.05, "histogram_quantile %.1f ms, Pulse %.1f ms", prom, own)
			})
		}
	})
	t.Run("PrometheusDefaultBucketsMissIt", func(t *testing.T) {
		// What the layout is for: the same scrape over Prometheus' default
		// buckets is off by more than 5 % on at least one set.
		worst := 0.0
		for _, name := range threeSets {
			rec, own := recordAll(t, sets[name], prometheus.DefBuckets)
			prom := histogramQuantile(0.95, scrapedBuckets(t, scrape(t, rec, "text/plain").Body)) * 1000
			worst = max(worst, math.Abs(prom-own)/own)
		}
		assert.Greater(t, worst, 0.05)
	})
	t.Run("NativeHistogramForScrapersThatAskForIt", func(t *testing.T) {
		for _, name := range threeSets {
			t.Run(name, func(t *testing.T) {
				rec, own := recordAll(t, sets[name], defaultBuckets())
				res := scrape(t, rec, `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited`)
				dec := expfmt.NewDecoder(res.Body, expfmt.ResponseFormat(res.Header))
				var h *dto.Histogram
				for {
					var mf dto.MetricFamily
					err := dec.Decode(&mf)
					if errors.Is(err, io.EOF) {
						break
					}
					require.NoError(t, err)
					if mf.GetName() == "pulse_http_request_duration_seconds" {
						for _, m := range mf.GetMetric() {
							if m.GetHistogram().GetSampleCount() > 0 {
								require.Nil(t, h, "one recorded series; the rest at zero")
								h = m.GetHistogram()
							}
						}
					}
				}
				require.NotNil(t, h)
				assert.EqualValues(t, nativeSchema, h.GetSchema())
				assert.EqualValues(t, len(sets[name]), h.GetSampleCount())
				assert.NotEmpty(t, h.GetPositiveSpan())
				assert.NotEmpty(t, h.GetBucket(), "the classic buckets travel in the same series")
				prom := nativeQuantile(0.95, h) * 1000
				assert.InEpsilonf(t, own, prom, 0.05, "native histogram_quantile %.1f ms, Pulse %.1f ms", prom, own)
			})
		}
	})
}

func TestLatencyCounters(t *testing.T) {
	t.Run("NativeIndexMatchesTheSchema", func(t *testing.T) {
		for _, d := range []time.Duration{time.Microsecond, 37 * time.Microsecond, time.Millisecond, 499 * time.Millisecond,
			500 * time.Millisecond, time.Second, 1001 * time.Millisecond, 90 * time.Second} {
			key := nativeIndex(int64(d)) + nativeMinKey
			v := d.Seconds()
			lower, upper := math.Exp2(float64(key-1)/8), math.Exp2(float64(key)/8)
			assert.Truef(t, v > lower*(1-1e-12) && v <= upper*(1+1e-12), "%v in bucket %d (%g, %g]", d, key, lower, upper)
		}
	})
	t.Run("OutOfRangeIsClampedAndZeroIsZero", func(t *testing.T) {
		var h latencyCounters
		l := newBucketLayout(defaultBuckets())
		h = newLatencyCounters(l)
		h.observe(0, l)
		h.observe(int64(time.Hour), l)
		assert.EqualValues(t, 1, h.nativeZero.Load())
		assert.EqualValues(t, 1, h.native[nativeBuckets-1].Load())
		assert.EqualValues(t, 1, h.classic[len(l.bounds)].Load(), "+Inf")
	})
	t.Run("ClassicIndexIsTheFirstBoundAtOrAbove", func(t *testing.T) {
		l := newBucketLayout([]float64{0.5, 0.1, 1, 0.1, math.Inf(1), -1})
		assert.Equal(t, []float64{0.1, 0.5, 1}, l.bounds, "sorted, positive, finite, once")
		for ns, want := range map[int64]int{0: 0, int64(100 * time.Millisecond): 0, int64(100*time.Millisecond) + 1: 1, int64(time.Second): 2, int64(2 * time.Second): 3} {
			assert.Equal(t, want, l.index(ns), "%v", time.Duration(ns))
		}
		assert.Equal(t, prometheus.DefBuckets, newBucketLayout(nil).bounds)
		assert.False(t, slices.Equal(prometheus.DefBuckets, newBucketLayout(defaultBuckets()).bounds))
	})
}
