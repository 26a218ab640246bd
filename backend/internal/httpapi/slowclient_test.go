package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/telemetry"
)

// slowClient is a server on a real connection, with the real request
// telemetry, and a client that writes its requests piece by piece.
type slowClient struct {
	h   *harness
	url string
	rec *telemetry.Recorder
	db  *store.DB
}

func newSlowClient(t *testing.T, opts ...func(*httpapi.Deps)) *slowClient {
	t.Helper()
	db, _ := storetest.MustOpenSQLite(t)
	rec := telemetry.NewRecorder(telemetry.RecorderConfig{Instance: "test"})
	h := newHarness(t, db, append(opts, func(d *httpapi.Deps) { d.RequestTelemetry = telemetry.Middleware(rec, nil) })...)
	rec.Register(telemetry.EchoRoutes(h.srv.Echo)...)
	srv := httptest.NewServer(h.srv)
	t.Cleanup(srv.Close)
	return &slowClient{h: h, url: srv.Listener.Addr().String(), rec: rec, db: db}
}

// post sends the headers of a POST /api/sessions announcing body, then the
// pieces, `every` apart (pieces may stop short of the whole body), and
// reads the answer.
func (sc *slowClient) post(t *testing.T, body string, pieces []string, every time.Duration) (*http.Response, ErrorLike) {
	t.Helper()
	conn, err := net.Dial("tcp", sc.url)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "POST /api/sessions HTTP/1.1\r\nHost: %s\r\nX-API-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		sc.url, sc.h.apiKey, len(body))
	require.NoError(t, err)
	for i, p := range pieces {
		if i > 0 {
			time.Sleep(every)
		}
		_, err := conn.Write([]byte(p))
		require.NoError(t, err)
	}
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	var e ErrorLike
	_ = json.NewDecoder(res.Body).Decode(&e)
	return res, e
}

// split cuts s into n pieces of about the same length.
func split(s string, n int) []string {
	var pieces []string
	size := (len(s) + n - 1) / n
	for len(s) > size {
		pieces, s = append(pieces, s[:size]), s[size:]
	}
	return append(pieces, s)
}

// ErrorLike is the error shape, read loosely.
type ErrorLike struct {
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (sc *slowClient) lastHour(t *testing.T) pulse.RequestStats {
	t.Helper()
	s, err := telemetry.NewService(sc.rec, sc.db).LastHour(context.Background(), time.Now())
	require.NoError(t, err)
	return s
}

func TestSlowClientIsNotTheServicesLatency(t *testing.T) {
	const body = `{"category":"Mental Health","provider":"daily","external_id":"room-slow-client"}`

	t.Run("TrickledBodyIsTimedFromItsArrival", func(t *testing.T) {
		sc := newSlowClient(t)
		// 9 pieces 250 ms apart: the client takes about 2 s to send its body.
		start := time.Now()
		res, _ := sc.post(t, body, split(body, 9), 250*time.Millisecond)
		trickle := time.Since(start)
		require.Equal(t, http.StatusCreated, res.StatusCode)
		require.Greater(t, trickle, 1750*time.Millisecond)

		s := sc.lastHour(t)
		assert.Equal(t, int64(1), s.Requests)
		assert.Less(t, s.P95Ms, float64(trickle.Milliseconds())/2,
			"the p95 is the handler's time, not the %s the client took to send its body", trickle)
	})

	t.Run("BodySlowerThanTheReadDeadlineIs408", func(t *testing.T) {
		sc := newSlowClient(t, func(d *httpapi.Deps) { d.BodyReadTimeout = 300 * time.Millisecond })
		// The first half, then nothing.
		res, e := sc.post(t, body, split(body, 2)[:1], 0)
		require.Equal(t, http.StatusRequestTimeout, res.StatusCode)
		assert.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "application/json"))
		require.NotNil(t, e.Error, "the error shape")
		assert.Equal(t, pulse.ETIMEOUT, e.Error.Code)
		assert.NotEmpty(t, e.Error.Message)
		assert.NotEmpty(t, res.Header.Get("Content-Security-Policy"), "security headers on a 408 too")

		s := sc.lastHour(t)
		assert.Equal(t, int64(1), s.Requests, "a request, not a disconnect")
		assert.Equal(t, int64(1), s.ClientErrors, "the client's error: a 4xx")
		assert.Zero(t, s.Errors)
		assert.Less(t, s.P95Ms, 300.0, "the wait for the body is not latency")
	})

	t.Run("HandlerOutlastingTheReadDeadlineKeepsItsRequest", func(t *testing.T) {
		// The deadline is the body's, not the handler's: once the body is
		// in, a deadline still set on the connection would cancel the
		// request (Go's server reads on in the background, and a failed
		// read there means the client has gone).
		sc := newSlowClient(t, func(d *httpapi.Deps) { d.BodyReadTimeout = 200 * time.Millisecond })
		sc.h.srv.Echo.POST("/api/test-slow", func(c echo.Context) error {
			if _, err := io.ReadAll(c.Request().Body); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond)
			if err := c.Request().Context().Err(); err != nil {
				return c.String(http.StatusServiceUnavailable, err.Error())
			}
			return c.NoContent(http.StatusNoContent)
		})
		conn, err := net.Dial("tcp", sc.url)
		require.NoError(t, err)
		defer func() { _ = conn.Close() }()
		_, err = fmt.Fprintf(conn, "POST /api/test-slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		assert.Equal(t, http.StatusNoContent, res.StatusCode)
	})

	t.Run("BodyWithinTheReadDeadlineIsServed", func(t *testing.T) {
		sc := newSlowClient(t, func(d *httpapi.Deps) { d.BodyReadTimeout = 3 * time.Second })
		res, _ := sc.post(t, body, split(body, 3), 100*time.Millisecond)
		assert.Equal(t, http.StatusCreated, res.StatusCode)
	})
}
