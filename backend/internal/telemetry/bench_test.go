package telemetry

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The benchmarks of this file are meant to be read side by side (make bench):
//
//	go test -run '^$' -bench . -benchmem ./internal/telemetry/

// benchLatencies are varied so the histogram buckets touched vary as in
// production.
var benchLatencies = func() (ls [64]time.Duration) {
	for i := range ls {
		ls[i] = time.Duration(1+i*i) * 250 * time.Microsecond
	}
	return ls
}()

func BenchmarkRecorderRecord(b *testing.B) {
	rec := NewRecorder(RecorderConfig{Routes: testRoutes})
	at := time.Now()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec.Record("/api/sessions/:id", http.MethodGet, http.StatusOK, benchLatencies[i%len(benchLatencies)], at)
			i++
		}
	})
}

func BenchmarkPrometheusHistogramVec(b *testing.B) {
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "pulse_http_request_duration_seconds",
		Help:    "API request latency.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method", "status_class"})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			vec.WithLabelValues("/api/sessions/:id", http.MethodGet, "2xx").Observe(benchLatencies[i%len(benchLatencies)].Seconds())
			i++
		}
	})
}

// discardWriter is a ResponseWriter that costs nothing, so the benchmark
// measures Echo and the middleware only.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkMiddleware serves a trivial handler through Echo: bare, with a
// middleware that does nothing, and with telemetry. Echo builds the
// middleware chain per request, so any middleware costs one closure
// allocation; the rest of the difference is the telemetry's own cost.
func BenchmarkMiddleware(b *testing.B) {
	noop := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return next(c) }
	}
	for _, tc := range []struct {
		name string
		mw   func(*Recorder) echo.MiddlewareFunc
	}{
		{"Bare", nil},
		{"NoopMiddleware", func(*Recorder) echo.MiddlewareFunc { return noop }},
		{"WithTelemetry", func(rec *Recorder) echo.MiddlewareFunc { return Middleware(rec, nil) }},
		// The same request through the usual alternatives, on a registry of
		// their own: echo-contrib's middleware (counter, latency, request
		// and response size histograms), and a client_golang HistogramVec
		// with the same classic buckets, with and without native buckets.
		{"EchoPrometheus", func(*Recorder) echo.MiddlewareFunc {
			return echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{Registerer: prometheus.NewRegistry()})
		}},
		{"ClientGolangHistogramVec", func(*Recorder) echo.MiddlewareFunc { return histogramVecMiddleware(0) }},
		{"ClientGolangNativeHistogramVec", func(*Recorder) echo.MiddlewareFunc { return histogramVecMiddleware(1.1) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := echo.New()
			rec := NewRecorder(RecorderConfig{Buckets: defaultBuckets()})
			if tc.mw != nil {
				e.Use(tc.mw(rec))
			}
			e.GET("/api/sessions/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			rec.Register(EchoRoutes(e)...)

			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, "/api/sessions/42", nil)
				w := &discardWriter{h: http.Header{}}
				for pb.Next() {
					e.ServeHTTP(w, req)
				}
			})
		})
	}
}

// histogramVecMiddleware times requests into a client_golang HistogramVec
// with the exported bucket layout (and native buckets of factor
// nativeFactor, 0 for none), labelled as Pulse labels them.
func histogramVecMiddleware(nativeFactor float64) echo.MiddlewareFunc {
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "pulse_http_request_duration_seconds", Help: "API request latency.",
		Buckets: defaultBuckets(), NativeHistogramBucketFactor: nativeFactor,
	}, []string{"route", "method", "status_class"})
	prometheus.NewRegistry().MustRegister(vec)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			vec.WithLabelValues(c.Path(), c.Request().Method, classLabels[statusClass(c.Response().Status)]).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// BenchmarkP95Accuracy reports how far histogram_quantile(0.95, …) over a
// scrape lands from Pulse's own p95 on each latency set, with the exported
// layout and with Prometheus' default buckets (p95_err_% is the relative
// error in percent; ns/op is the cost of one scrape and quantile).
func BenchmarkP95Accuracy(b *testing.B) {
	sets := latencyDistributions()
	for _, layout := range []struct {
		name   string
		bounds []float64
	}{{"PulseBuckets", defaultBuckets()}, {"PrometheusDefaultBuckets", prometheus.DefBuckets}} {
		for _, name := range threeSets {
			b.Run(layout.name+"/"+name, func(b *testing.B) {
				rec := NewRecorder(RecorderConfig{Routes: testRoutes, Buckets: layout.bounds})
				own := NewHistogram()
				for _, d := range sets[name] {
					rec.Record("/api/sessions", http.MethodPost, http.StatusCreated, d, t0)
					own.Observe(d)
				}
				c := NewCollector(rec)
				var prom float64
				for b.Loop() {
					prom = collectedP95(c)
				}
				if math.IsNaN(prom) || prom == 0 {
					b.Fatal("no exported duration histogram has the observations")
				}
				want := own.Quantile(0.95) / 1000
				b.ReportMetric(100*math.Abs(prom-want)/want, "p95_err_%")
			})
		}
	}
}

// collectedP95 is histogram_quantile(0.95) over the classic buckets of the
// first duration histogram c exports with observations in it (every route
// is exported from the start, most at zero: their quantile is NaN).
func collectedP95(c *Collector) float64 {
	ch := make(chan prometheus.Metric, 16)
	go func() { c.Collect(ch); close(ch) }()
	var out float64
	for m := range ch {
		var d dto.Metric
		if m.Write(&d) != nil || d.GetHistogram().GetSampleCount() == 0 || out != 0 {
			continue
		}
		buckets := make([]bucket, 0, len(d.GetHistogram().GetBucket())+1)
		for _, bk := range d.GetHistogram().GetBucket() {
			buckets = append(buckets, bucket{le: bk.GetUpperBound(), count: float64(bk.GetCumulativeCount())})
		}
		buckets = append(buckets, bucket{le: math.Inf(1), count: float64(d.GetHistogram().GetSampleCount())})
		out = histogramQuantile(0.95, buckets)
	}
	return out
}
