package telemetry

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// The benchmarks of this file are meant to be read side by side:
//
//	go test -run x -bench . -benchmem ./internal/telemetry/

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
		Buckets: promBounds[:],
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
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := echo.New()
			rec := NewRecorder(RecorderConfig{})
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
