// Package httpapi is Pulse's HTTP adapter: Echo routes, guards, wire types and
// the one error handler. Handlers read the same straight line: bind, validate,
// call the domain, respond.
package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// Database is what the HTTP layer needs of the store beyond the domain
// services: a ping for /readyz and the pool figures.
type Database interface {
	Ping(ctx context.Context) error
	PoolStats() pulse.PoolStats
}

// Deps are the parts a Server is wired from; cmd/pulse builds them.
type Deps struct {
	Sessions   pulse.SessionService
	Admins     pulse.AdminService
	APIKeys    pulse.APIKeyService
	Telemetry  pulse.TelemetryService
	Providers  pulse.ProviderService
	DB         Database
	Tokens     *auth.Tokens
	Thresholds pulse.HealthThresholds
	Logger     *slog.Logger
	// Now is the clock; time.Now when nil. Tests inject a fixed one.
	Now func() time.Time

	// RequestTimeout bounds each request's work: a database that hangs
	// instead of refusing gives a 503 in time, not a request that never ends.
	RequestTimeout time.Duration

	CookieSecure       bool
	BodyLimit          string // e.g. "1M"
	LoginRatePerMinute int
	// TrustedProxies are the networks whose X-Forwarded-For is believed when
	// telling clients apart (the login rate limit); empty trusts none, so a
	// client cannot dodge the limit by sending the header itself.
	TrustedProxies []*net.IPNet
	StaticDir      string // the built dashboard; "" serves none
	// Metrics serves /metrics (Prometheus); nil serves none.
	Metrics http.Handler
	// Telemetry middleware, built once the routes are known so that it can
	// label requests by route template; nil records nothing.
	RequestTelemetry func(e *echo.Echo) echo.MiddlewareFunc
	// Faults, when set, is consulted on ingestion requests to inject failures.
	// Only `pulse demo` sets it.
	Faults FaultInjector
}

// FaultInjector decides whether an ingestion request should fail on purpose.
type FaultInjector interface {
	Fail() bool
}

// Server is the HTTP API.
type Server struct {
	Deps
	Echo *echo.Echo
	log  *slog.Logger
}

// New builds the Echo instance with every route and middleware.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.BodyLimit == "" {
		d.BodyLimit = "1M"
	}
	if d.RequestTimeout == 0 {
		d.RequestTimeout = 10 * time.Second
	}
	if d.LoginRatePerMinute == 0 {
		d.LoginRatePerMinute = 10
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{Deps: d, Echo: e, log: d.Logger}
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	s.routes()
	s.middleware()
	return s
}

// ServeHTTP lets tests and servers use the Server as an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.Echo.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.Now().UTC() }
