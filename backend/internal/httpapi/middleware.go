package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// middleware installs the global chain, outermost first. Telemetry sits
// outside the logger and Recover so that it sees the status the client really
// got, including a panic that Recover turned into a 500.
func (s *Server) middleware() {
	s.Echo.Use(middleware.RequestID())
	if s.RequestTelemetry != nil {
		s.Echo.Use(s.RequestTelemetry(s.Echo))
	}
	s.Echo.Use(
		s.requestLogger(),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.ErrorContext(c.Request().Context(), "panic recovered", "err", err, "stack", string(stack))
				return pulse.Wrap(err, pulse.EINTERNAL, "Internal error.")
			},
		}),
		middleware.BodyLimit(s.BodyLimit),
		middleware.Secure(),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: s.RequestTimeout,
			ErrorHandler: func(err error, c echo.Context) error {
				if errors.Is(err, context.DeadlineExceeded) && pulse.ErrorCode(err) == pulse.EINTERNAL {
					return pulse.Wrap(err, pulse.EUNAVAILABLE, "The request took too long; try again shortly.")
				}
				return err
			},
		}),
	)
	if s.StaticDir != "" {
		s.Echo.Use(middleware.StaticWithConfig(middleware.StaticConfig{
			Root:    s.StaticDir,
			HTML5:   true, // unknown dashboard paths get index.html: the SPA routes them
			Skipper: func(c echo.Context) bool { return !s.isSPAPath(c.Request().URL.Path) },
		}))
	}
}

// isSPAPath is every path the dashboard owns: everything but the API, the
// docs, the probes and the metrics. A missing file (an asset name from an
// older build) is not one: it gets a 404 rather than index.html, which a
// browser would try to run as JavaScript.
func (s *Server) isSPAPath(p string) bool {
	if path.Ext(p) != "" {
		if _, err := os.Stat(filepath.Join(s.StaticDir, filepath.FromSlash(path.Clean("/"+p)))); err != nil {
			return false
		}
	}
	for _, prefix := range []string{"/api/", "/swagger", "/metrics", "/healthz", "/readyz"} {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return true
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

const tokenCookie = "admin_token"

// claimsKey is where the guard leaves the verified claims for handlers.
const claimsKey = "pulse.claims"

// requireRole admits a request carrying a valid admin token whose role is
// allowed: 401 without a valid token, 403 for any other role. The role is
// taken from the signed token, so the guard works while the database is down.
func (s *Server) requireRole(allowed func(pulse.Role) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			claims, err := s.Tokens.Verify(bearerOrCookie(c))
			if err != nil {
				return err
			}
			if !allowed(claims.Role) {
				return pulse.Errorf(pulse.EFORBIDDEN, "Your role (%s) may not view system metrics.", claims.Role)
			}
			c.Set(claimsKey, claims)
			return next(c)
		}
	}
}

func anyRole(pulse.Role) bool { return true }

func claimsOf(c echo.Context) auth.Claims {
	cl, _ := c.Get(claimsKey).(auth.Claims)
	return cl
}

func bearerOrCookie(c echo.Context) string {
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(tokenCookie); err == nil {
		return ck.Value
	}
	return ""
}

// requireAPIKey admits the platform's services by the X-API-Key header.
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("X-API-Key")
		if key == "" {
			return pulse.Errorf(pulse.EUNAUTHORIZED, "An API key is required in the X-API-Key header.")
		}
		if _, err := s.APIKeys.APIKeyByHash(c.Request().Context(), auth.HashAPIKey(key)); err != nil {
			if pulse.ErrorCode(err) == pulse.ENOTFOUND {
				return pulse.Errorf(pulse.EUNAUTHORIZED, "The API key is not valid.")
			}
			return err
		}
		if s.Faults != nil && s.Faults.Fail() {
			return pulse.Errorf(pulse.EUNAVAILABLE, "Injected failure (demo mode).")
		}
		return next(c)
	}
}

// loginLimiter bounds login attempts per client address.
func (s *Server) loginLimiter() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(s.LoginRatePerMinute) / 60), Burst: s.LoginRatePerMinute, ExpiresIn: 3 * time.Minute,
		}),
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return pulse.Errorf(pulse.ERATELIMITED, "Too many sign-in attempts; try again in a minute.")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return pulse.Wrap(err, pulse.EINTERNAL, "Internal error.")
		},
	})
}

func setTokenCookie(c echo.Context, token string, expires time.Time, secure bool) {
	c.SetCookie(&http.Cookie{
		Name: tokenCookie, Value: token, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode,
	})
}

func clearTokenCookie(c echo.Context, secure bool) {
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}
