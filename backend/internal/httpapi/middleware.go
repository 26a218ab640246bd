package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pulse/internal/pulse"
)

// middleware installs the global chain, outermost first. Telemetry sits
// outside the logger and Recover so that it sees the status the client really
// got, including a panic that Recover turned into a 500.
func (s *Server) middleware() {
	s.Echo.Use(middleware.RequestID())
	if s.requestTelemetry != nil {
		s.Echo.Use(s.requestTelemetry)
	}
	s.Echo.Use(
		s.requestLogger(),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.ErrorContext(c.Request().Context(), "panic recovered", "err", err, "stack", string(stack))
				return pulse.Wrap(err, pulse.EINTERNAL, "Internal error.")
			},
		}),
		middleware.BodyLimit(s.bodyLimit),
		s.bodyReadDeadline(),
		middleware.Secure(),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: s.requestTimeout,
			ErrorHandler: func(err error, c echo.Context) error {
				if errors.Is(err, context.DeadlineExceeded) && pulse.ErrorCode(err) == pulse.EINTERNAL {
					return pulse.Wrap(err, pulse.EUNAVAILABLE, "The request took too long; try again shortly.")
				}
				return err
			},
		}),
	)
	if s.staticDir != "" {
		s.Echo.Use(s.dashboard())
	}
}

func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the status logged is the one the error handler will write
		Skipper:     func(c echo.Context) bool { p := c.Request().URL.Path; return p == "/healthz" || p == "/readyz" },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.String("route", c.Path()),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// bodyReadDeadline gives a request body a read deadline of its own,
// bodyReadTimeout from the moment the headers are in: a client that
// trickles its body gets a 408 instead of holding a handler for as long as
// it likes. (Go's server lifts the connection's read deadline itself once
// the body has been read to its end, so a handler may outlast it.) Where
// there is no connection to set a deadline on (tests' recorders), bodies
// are read as they come.
func (s *Server) bodyReadDeadline() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if s.bodyReadTimeout <= 0 || req.Body == nil || req.Body == http.NoBody {
				return next(c)
			}
			rc := http.NewResponseController(c.Response())
			if err := rc.SetReadDeadline(time.Now().Add(s.bodyReadTimeout)); err != nil {
				return next(c)
			}
			req.Body = &deadlineBody{ReadCloser: req.Body, timeout: s.bodyReadTimeout}
			return next(c)
		}
	}
}

// deadlineBody turns the read deadline's error into the client's: 408.
type deadlineBody struct {
	io.ReadCloser
	timeout time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = pulse.Wrap(err, pulse.ETIMEOUT, "The request body did not arrive within %s.", b.timeout)
	}
	return n, err
}
