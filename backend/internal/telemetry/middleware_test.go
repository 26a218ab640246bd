package telemetry

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// testServer is an Echo app wired like the real one: a central error
// handler mapping pulse error codes, telemetry outside Recover.
type testServer struct {
	e             *echo.Echo
	rec           *Recorder
	clock         *testclock.Clock
	errorHandlers int // calls of the central error handler
}

func newTestServer(t *testing.T, skip func(string) bool, inner ...echo.MiddlewareFunc) *testServer {
	t.Helper()
	ts := &testServer{e: echo.New(), clock: testclock.New(t0.Add(10 * time.Second))}
	ts.rec = NewRecorder(RecorderConfig{Instance: "a", Now: ts.clock.Now})
	ts.e.HTTPErrorHandler = func(err error, c echo.Context) {
		ts.errorHandlers++
		if c.Response().Committed {
			return
		}
		status := http.StatusInternalServerError
		var he *echo.HTTPError
		switch {
		case errors.As(err, &he):
			status = he.Code
		case pulse.ErrorCode(err) == pulse.ENOTFOUND:
			status = http.StatusNotFound // Echo's default handler would say 500
		}
		_ = c.JSON(status, map[string]string{"code": pulse.ErrorCode(err)})
	}
	ts.e.Use(Middleware(ts.rec, skip))
	ts.e.Use(inner...)
	ts.e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))

	ts.e.GET("/api/sessions/:id", func(c echo.Context) error {
		ts.clock.Advance(250 * time.Millisecond)
		return c.String(http.StatusOK, c.Param("id"))
	})
	ts.e.GET("/api/missing", func(echo.Context) error { return pulse.Errorf(pulse.ENOTFOUND, "no such thing") })
	ts.e.GET("/api/unavailable", func(echo.Context) error { return echo.NewHTTPError(http.StatusServiceUnavailable) })
	ts.e.GET("/api/panic", func(echo.Context) error { panic("boom") })
	ts.e.GET("/api/wait", func(c echo.Context) error {
		<-c.Request().Context().Done()
		return c.Request().Context().Err()
	})
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/swagger/*", "/*"} {
		ts.e.GET(p, func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	}
	ts.rec.Register(EchoRoutes(ts.e)...)
	return ts
}

func (ts *testServer) do(t *testing.T, path string, ctx context.Context) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	ts.e.ServeHTTP(w, req)
	return w
}

// minute returns the in-memory totals of the test minute (zeros if none).
func (ts *testServer) minute(t *testing.T) minuteSnapshot {
	t.Helper()
	s, _ := snapshotAt(t, ts.rec, t0)
	if s.hist == nil {
		s.hist = NewHistogram()
	}
	return s
}

// routeCount is the cumulative count of one GET route and status class.
func (ts *testServer) routeCount(route string, class int) uint64 {
	var n uint64
	cs := &ts.rec.routes.Load().lookup(route, "GET").classes[class]
	for i := range cs.classic {
		n += cs.classic[i].Load()
	}
	return n
}

func TestMiddleware(t *testing.T) {
	ctx := context.Background()

	t.Run("RecordsTheRouteTemplateAndLatency", func(t *testing.T) {
		ts := newTestServer(t, nil)
		assert.Equal(t, http.StatusOK, ts.do(t, "/api/sessions/1", ctx).Code)
		assert.Equal(t, http.StatusOK, ts.do(t, "/api/sessions/2?x=y", ctx).Code)

		assert.Equal(t, uint64(2), ts.routeCount("/api/sessions/:id", class2xx))
		m := ts.minute(t)
		assert.Equal(t, uint64(2), m.requests)
		assert.Zero(t, m.errors)
		assert.InEpsilon(t, 250.0, m.hist.Quantile(0.95), RelativeAccuracy)
	})

	t.Run("ErrorIsRenderedOnceWithTheMappedStatus", func(t *testing.T) {
		ts := newTestServer(t, nil)
		w := ts.do(t, "/api/missing", ctx)
		assert.Equal(t, http.StatusNotFound, w.Code)
		assert.JSONEq(t, `{"code":"not_found"}`, w.Body.String())
		assert.Equal(t, 1, ts.errorHandlers)
		assert.Equal(t, uint64(1), ts.routeCount("/api/missing", class4xx))
		assert.Equal(t, uint64(1), ts.minute(t).clientErrors)
		assert.Zero(t, ts.minute(t).errors)
	})

	t.Run("HTTPErrorKeepsItsCode", func(t *testing.T) {
		ts := newTestServer(t, nil)
		assert.Equal(t, http.StatusServiceUnavailable, ts.do(t, "/api/unavailable", ctx).Code)
		assert.Equal(t, uint64(1), ts.routeCount("/api/unavailable", class5xx))
		assert.Equal(t, uint64(1), ts.minute(t).errors)
	})

	t.Run("RecoveredPanicIsA5xx", func(t *testing.T) {
		ts := newTestServer(t, nil)
		assert.Equal(t, http.StatusInternalServerError, ts.do(t, "/api/panic", ctx).Code)
		assert.Equal(t, uint64(1), ts.routeCount("/api/panic", class5xx))
		m := ts.minute(t)
		assert.Equal(t, uint64(1), m.requests)
		assert.Equal(t, uint64(1), m.errors)
	})

	t.Run("ClientCancelIsNotAnError", func(t *testing.T) {
		ts := newTestServer(t, nil)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		ts.do(t, "/api/wait", canceled)

		m := ts.minute(t)
		assert.Zero(t, m.requests, "not a request")
		assert.Zero(t, m.errors, "not an error")
		assert.Zero(t, ts.routeCount("/api/wait", class5xx))
		assert.Equal(t, uint64(1), ts.rec.routes.Load().lookup("/api/wait", "GET").canceled.Load())
	})

	t.Run("ClientCancelRenderedByAnInnerLoggerIsNotAnError", func(t *testing.T) {
		// echo's RequestLogger with HandleError renders the error itself
		// and still returns it: the response is committed (a 500) by the
		// time the telemetry middleware looks.
		logger := middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			HandleError: true, LogStatus: true,
			LogValuesFunc: func(echo.Context, middleware.RequestLoggerValues) error { return nil },
		})
		ts := newTestServer(t, nil, logger)
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		assert.Equal(t, http.StatusInternalServerError, ts.do(t, "/api/wait", canceled).Code)

		assert.Zero(t, ts.minute(t).errors)
		assert.Zero(t, ts.routeCount("/api/wait", class5xx))
		assert.Equal(t, uint64(1), ts.rec.routes.Load().lookup("/api/wait", "GET").canceled.Load())
		assert.Equal(t, 1, ts.errorHandlers, "rendered once")
	})

	t.Run("ErrorRenderedByAnInnerLoggerKeepsItsStatus", func(t *testing.T) {
		logger := middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			HandleError: true, LogStatus: true,
			LogValuesFunc: func(echo.Context, middleware.RequestLoggerValues) error { return nil },
		})
		ts := newTestServer(t, nil, logger)
		assert.Equal(t, http.StatusNotFound, ts.do(t, "/api/missing", ctx).Code)
		assert.Equal(t, uint64(1), ts.routeCount("/api/missing", class4xx))
		assert.Equal(t, 1, ts.errorHandlers, "rendered once")
	})

	t.Run("InnerMiddlewareCancelIsNotADisconnect", func(t *testing.T) {
		// Like echo's ContextTimeout: a context of its own, canceled on
		// return. The middleware must judge the server's context, or every
		// error behind such a middleware would pass for a disconnect.
		ownContext := func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				ctx, cancel := context.WithCancel(c.Request().Context())
				defer cancel()
				c.SetRequest(c.Request().WithContext(ctx))
				return next(c)
			}
		}
		ts := newTestServer(t, nil, ownContext)
		assert.Equal(t, http.StatusServiceUnavailable, ts.do(t, "/api/unavailable", ctx).Code)
		assert.Equal(t, uint64(1), ts.minute(t).errors)
		assert.Zero(t, ts.rec.routes.Load().lookup("/api/unavailable", "GET").canceled.Load())
	})

	t.Run("CancelAfterTheResponseIsARequest", func(t *testing.T) {
		ts := newTestServer(t, nil)
		serverCtx, cancel := context.WithCancel(ctx)
		ts.e.GET("/api/hangup", func(c echo.Context) error {
			err := c.String(http.StatusOK, "done")
			cancel() // the client hangs up once served
			return err
		})
		ts.rec.Register(Route{Method: "GET", Path: "/api/hangup"})
		ts.do(t, "/api/hangup", serverCtx)
		assert.Equal(t, uint64(1), ts.routeCount("/api/hangup", class2xx))
		assert.Equal(t, uint64(1), ts.minute(t).requests)
	})

	t.Run("UnmatchedAPIPathIsA404OfUnmatched", func(t *testing.T) {
		ts := newTestServer(t, nil)
		ts.e.RouteNotFound("/api/*", func(c echo.Context) error { return c.NoContent(http.StatusNotFound) })
		ts.rec.Register(EchoRoutes(ts.e)...)

		assert.Equal(t, http.StatusNotFound, ts.do(t, "/api/nope/123", ctx).Code)
		assert.Equal(t, uint64(1), ts.routeCount(UnmatchedRoute, class4xx))
		assert.Equal(t, uint64(1), ts.minute(t).clientErrors)
	})

	t.Run("ProbesMetricsSwaggerAndStaticAreSkipped", func(t *testing.T) {
		ts := newTestServer(t, nil)
		for _, p := range []string{"/healthz", "/readyz", "/metrics", "/swagger/index.html", "/", "/assets/app.js", "/api"} {
			require.Equal(t, http.StatusOK, ts.do(t, p, ctx).Code, p)
		}
		assert.Empty(t, ts.rec.snapshot())
		for _, rs := range ts.rec.routes.Load().all {
			for class := range numClasses {
				assert.Zero(t, ts.routeCount(rs.route, class), rs.route)
			}
		}
	})

	t.Run("CustomSkipperRecordsMore", func(t *testing.T) {
		ts := newTestServer(t, func(string) bool { return false })
		ts.do(t, "/healthz", ctx)
		assert.Equal(t, uint64(1), ts.routeCount("/healthz", class2xx))
	})
}

// slowBody is a client trickling its body in: every Read waits (on the
// fake clock) before it hands over the next piece, and the last one can fail
// the way a connection read deadline fails.
type slowBody struct {
	clock  *testclock.Clock
	pieces []string
	wait   time.Duration
	err    error // returned after the pieces; io.EOF when nil
}

func (b *slowBody) Read(p []byte) (int, error) {
	b.clock.Advance(b.wait)
	if len(b.pieces) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n := copy(p, b.pieces[0])
	b.pieces = b.pieces[1:]
	return n, nil
}

func TestMiddlewareRequestBody(t *testing.T) {
	const route = "/api/upload"
	post := func(ts *testServer, body io.Reader, ctx context.Context) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, route, body)
		w := httptest.NewRecorder()
		ts.e.ServeHTTP(w, req)
		return w
	}
	count := func(ts *testServer, class int) uint64 {
		var n uint64
		cs := &ts.rec.routes.Load().lookup(route, http.MethodPost).classes[class]
		for i := range cs.classic {
			n += cs.classic[i].Load()
		}
		return n
	}
	// The handler reads the whole body, then works 250 ms.
	newServer := func(t *testing.T) *testServer {
		ts := newTestServer(t, nil)
		ts.e.POST(route, func(c echo.Context) error {
			if _, err := io.ReadAll(c.Request().Body); err != nil {
				return echo.NewHTTPError(http.StatusRequestTimeout, err.Error())
			}
			ts.clock.Advance(250 * time.Millisecond)
			return c.NoContent(http.StatusNoContent)
		})
		ts.rec.Register(Route{Method: http.MethodPost, Path: route})
		return ts
	}

	t.Run("TrickledBodyIsNotLatency", func(t *testing.T) {
		ts := newServer(t)
		body := &slowBody{clock: ts.clock, pieces: []string{`{"a":`, `1`, `}`}, wait: 2 * time.Second}
		assert.Equal(t, http.StatusNoContent, post(ts, body, context.Background()).Code)

		m := ts.minute(t)
		assert.Equal(t, uint64(1), m.requests)
		assert.InEpsilon(t, 250.0, m.hist.Quantile(0.95), RelativeAccuracy, "the handler's 250 ms, not the client's 8 s")
	})

	t.Run("BodyReadDeadlineIsA4xxNotADisconnect", func(t *testing.T) {
		ts := newServer(t)
		// Go's server cancels the request context when a body read fails,
		// deadline included.
		ctx, cancel := context.WithCancel(context.Background())
		deadline := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
		body := &slowBody{clock: ts.clock, pieces: []string{`{"a":`}, wait: 3 * time.Second, err: deadline}
		canceling := readerFunc(func(p []byte) (int, error) {
			n, err := body.Read(p)
			if err != nil {
				cancel()
			}
			return n, err
		})
		assert.Equal(t, http.StatusRequestTimeout, post(ts, canceling, ctx).Code)

		assert.Equal(t, uint64(1), count(ts, class4xx))
		assert.Zero(t, ts.rec.routes.Load().lookup(route, http.MethodPost).canceled.Load())
		m := ts.minute(t)
		assert.Equal(t, uint64(1), m.clientErrors)
		assert.Less(t, m.hist.Quantile(0.95), 1.0, "the 6 s of waiting are not latency")
	})

	t.Run("DisconnectWhileSendingIsCanceled", func(t *testing.T) {
		ts := newServer(t)
		ctx, cancel := context.WithCancel(context.Background())
		body := &slowBody{clock: ts.clock, pieces: []string{`{"a":`}, err: io.ErrUnexpectedEOF}
		canceling := readerFunc(func(p []byte) (int, error) {
			n, err := body.Read(p)
			if err != nil {
				cancel()
			}
			return n, err
		})
		post(ts, canceling, ctx)

		assert.Zero(t, count(ts, class4xx))
		assert.Zero(t, ts.minute(t).requests)
		assert.Equal(t, uint64(1), ts.rec.routes.Load().lookup(route, http.MethodPost).canceled.Load())
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestDefaultSkipper(t *testing.T) {
	for path, skipped := range map[string]bool{
		"/api/sessions":       false,
		"/api/admin/metrics":  false,
		"/healthz":            true,
		"/readyz":             true,
		"/metrics":            true,
		"/swagger/index.html": true,
		"/":                   true,
		"/index.html":         true,
		"/apix":               true,
	} {
		assert.Equal(t, skipped, DefaultSkipper(path), path)
	}
}
