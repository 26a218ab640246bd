package httpapi

import (
	"context"
	"errors"
	"log/slog"

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
			// One line per request is an access log: at debug, so that the
			// default level writes none on the ingestion path (the request
			// counts are in /metrics and the rollups). Server errors are
			// always logged.
			level := slog.LevelDebug
			if v.Status >= 500 {
				level = slog.LevelError
			}
			ctx := c.Request().Context()
			if !s.log.Enabled(ctx, level) {
				return nil
			}
			s.log.LogAttrs(ctx, level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.String("route", c.Path()),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}
