package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// DefaultSkipper records only the API: paths under /api/. Probes (/healthz,
// /readyz), /metrics, Swagger UI and the static SPA files are skipped.
func DefaultSkipper(path string) bool {
	return !strings.HasPrefix(path, "/api/")
}

// Middleware times every request that skip (nil means DefaultSkipper) does
// not exclude, by raw URL path, and records it under its route template
// (c.Path()), method and final status.
//
// To see the status the client really gets, it renders errors itself: when
// the chain below returns an error and nothing has been written yet, it calls
// c.Error(err) (the central HTTPErrorHandler, which maps application error
// codes to statuses) and then reads c.Response().Status; it returns nil
// because the error has been handled. Hence its place in the chain:
//
//	e.Use(middleware.RequestID())            // outside: ids are set before errors are rendered
//	e.Use(telemetry.Middleware(rec, nil))    // here
//	e.Use(requestLogger)                     // inside: still sees the error value
//	e.Use(middleware.Recover())              // inside: a panic becomes a 500 that is counted
//
// Middlewares outside it never see handler errors.
//
// A request whose client went away (the server's request context canceled)
// and that ended in an error or wrote nothing is counted with
// RecordCanceled, not as a request or an error: the failure is the
// disconnect's, not the service's. A response fully served before the
// client left counts normally.
//
// The latency is the service's, not the client's: time spent blocked
// reading the request body (a client trickling its body in) is left out. A
// body read that hit a read deadline (the server gave up waiting, and Go's
// server cancels the request context when that happens) is not a
// disconnect: the request counts with the status it was answered, a 408.
func Middleware(rec *Recorder, skip func(path string) bool) echo.MiddlewareFunc {
	if skip == nil {
		skip = DefaultSkipper
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if skip(req.URL.Path) {
				return next(c)
			}
			// The server's context, taken before next: inner middlewares
			// (e.g. ContextTimeout) may replace the request with a context
			// they cancel themselves on return, which is not a disconnect.
			ctx := req.Context()
			start := rec.now()
			var body *timedBody
			if req.Body != nil && req.Body != http.NoBody {
				body = &timedBody{ReadCloser: req.Body, now: rec.now}
				req.Body = body
			}

			err := next(c)

			res := c.Response()
			written := res.Committed
			if err != nil && !written {
				c.Error(err)
			}
			elapsed := rec.since(start)
			latency := elapsed
			if body != nil {
				latency -= time.Duration(body.waited.Load())
			}
			// An error that an inner middleware already rendered (echo's
			// RequestLogger with HandleError does) still comes back as err:
			// with the client gone, that error is the disconnect's doing.
			if (err != nil || !written) && errors.Is(ctx.Err(), context.Canceled) && !body.timedOut() {
				rec.RecordCanceled(c.Path(), req.Method)
				return nil
			}
			rec.Record(c.Path(), req.Method, res.Status, latency, start.Add(elapsed))
			return nil
		}
	}
}

// timedBody is a request body that adds up the time its reader spent
// blocked in Read: time waiting for the client, not working.
type timedBody struct {
	io.ReadCloser
	now      func() time.Time
	waited   atomic.Int64 // nanoseconds
	deadline atomic.Bool  // a Read failed on a read deadline
}

func (b *timedBody) Read(p []byte) (int, error) {
	t := b.now()
	n, err := b.ReadCloser.Read(p)
	b.waited.Add(int64(b.now().Sub(t)))
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		b.deadline.Store(true)
	}
	return n, err
}

// timedOut tells whether reading the body hit a read deadline; false for a
// request without a body (nil).
func (b *timedBody) timedOut() bool { return b != nil && b.deadline.Load() }
