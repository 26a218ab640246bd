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

	"pulse/internal/access"
	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// Database is what the HTTP layer needs of the store beyond the domain
// stores: a ping for /readyz and the pool figures.
type Database interface {
	Ping(ctx context.Context) error
	PoolStats() pulse.PoolStats
}

// Deps are the parts a Server is wired from; cmd/pulse builds them from the
// configuration, which owns every default: zero values are taken as given.
type Deps struct {
	Sessions   pulse.SessionStore
	Admins     pulse.AdminStore
	APIKeys    pulse.APIKeyStore
	Telemetry  pulse.TelemetryService
	Providers  pulse.ProviderService
	DB         Database
	Tokens     *auth.Tokens
	Thresholds pulse.HealthThresholds
	Logger     *slog.Logger // nil discards
	// Now is the clock; time.Now when nil. Tests inject a settable one. It
	// also ages the access caches (admins, sign-outs, API keys).
	Now func() time.Time

	// RevokedTokens records sign-outs: logout revokes the token itself.
	RevokedTokens pulse.RevokedTokenStore
	// SignInThrottle keeps each account's failed sign-ins, shared by every
	// replica on the database.
	SignInThrottle pulse.SignInThrottleStore

	// Incidents and Silences serve the alert routes.
	Incidents pulse.IncidentStore
	Silences  pulse.SilenceStore

	// RequestTimeout bounds each request's work: a database that hangs
	// instead of refusing gives a 503 in time, not a request that never ends.
	RequestTimeout time.Duration
	// DashboardDBTimeout bounds the database reads of each metrics route,
	// separately from RequestTimeout and well under it: the dashboard must
	// tell "database unreachable" within a couple of seconds. Zero leaves
	// those reads to RequestTimeout alone.
	DashboardDBTimeout time.Duration
	// BodyReadTimeout is how long a client may take to send its request
	// body (408 beyond); zero sets no deadline of its own.
	BodyReadTimeout time.Duration
	// CookieSecure marks the admin cookie Secure and, Pulse being reached
	// over HTTPS then, sends HSTS.
	CookieSecure       bool
	BodyLimit          string // e.g. "1M"
	LoginRatePerMinute int
	// LoginFreeFailures consecutive failed sign-ins of one account are
	// free; then each attempt waits 1s, 2s, 4s… up to LoginBackoffMax
	// (pulse.SignInBackoff, kept in SignInThrottle).
	LoginFreeFailures int
	LoginBackoffMax   time.Duration
	// AllowedOrigins may sign in and out from a browser besides Pulse's own
	// origin (scheme://host[:port]).
	AllowedOrigins []string
	// TrustedProxies are the networks whose X-Forwarded-For is believed when
	// telling clients apart (the login rate limit); empty trusts none, so a
	// client cannot dodge the limit by sending the header itself.
	TrustedProxies []*net.IPNet
	StaticDir      string // the built dashboard; "" serves none

	// Metrics serves /metrics (Prometheus); nil serves none.
	Metrics http.Handler
	// RequestTelemetry times every request; nil records nothing.
	RequestTelemetry echo.MiddlewareFunc
	// IngestMiddleware runs on ingestion requests after the API key is
	// checked (`pulse demo` injects failures there).
	IngestMiddleware []echo.MiddlewareFunc

	// RoomEvents applies provider webhook events; LiveKitWebhook and
	// DailyWebhook verify and translate deliveries (nil: that route answers
	// 404, not configured). WebhookDefaultCategory places rooms nothing else
	// places. WebhookRejected counts refused signatures; nil counts nothing.
	RoomEvents             pulse.RoomEventStore
	LiveKitWebhook         WebhookReceiver
	DailyWebhook           WebhookReceiver
	WebhookDefaultCategory string
	WebhookRejected        func(pulse.Provider)

	// QualityTokens issues and checks the session-scoped tokens that let a
	// browser post its session's quality samples; nil issues none.
	// QualityOrigins are the origins allowed to do so (CORS); none allows no
	// cross-origin browser.
	QualityTokens  *auth.QualityTokens
	QualityOrigins []string

	// CurrentSnapshotInterval and SnapshotInterval are how old, at most, the
	// answer of /metrics/current and of the other metrics routes shared by
	// every request may be. Zero rebuilds it for every request (concurrent
	// requests still share one build).
	CurrentSnapshotInterval time.Duration
	SnapshotInterval        time.Duration
}

// Server is the HTTP API.
type Server struct {
	Echo *echo.Echo

	sessions   pulse.SessionStore
	admins     pulse.AdminStore
	telemetry  pulse.TelemetryService
	providers  pulse.ProviderService
	db         Database
	tokens     *auth.Tokens
	thresholds pulse.HealthThresholds
	incidents  pulse.IncidentStore
	silences   pulse.SilenceStore
	log        *slog.Logger
	clock      func() time.Time

	// The guards' view of the store, at most access.MaxAge old.
	currentAdmins *access.Admins
	revocations   *access.Revocations
	apiKeys       *access.APIKeys

	// The metrics routes' shared answers.
	snapshots metricsSnapshots

	requestTimeout     time.Duration
	dashboardDBTimeout time.Duration
	bodyReadTimeout    time.Duration
	cookieSecure       bool
	bodyLimit          string
	loginRatePerMinute int
	crossOrigin        *http.CrossOriginProtection
	staticDir          string
	metrics            http.Handler
	requestTelemetry   echo.MiddlewareFunc
	ingestMiddleware   []echo.MiddlewareFunc

	// The per-account backoff lives in the database, so that all replicas
	// share it; the per-address limit (loginRatePerMinute) is per replica.
	// The table is bounded by the per-address limit (a sprayer adds at most
	// that many emails a minute per address) and by the lifecycle pass,
	// which deletes the records forgotten after pulse.SignInForget.
	signIns pulse.SignInThrottleStore
	backoff pulse.SignInBackoff

	roomEvents             pulse.RoomEventStore
	livekitHook            WebhookReceiver
	dailyHook              WebhookReceiver
	webhookDefaultCategory string
	webhookRejected        func(pulse.Provider)
	qualityTokens          *auth.QualityTokens
	qualityOrigins         map[string]bool
}

// New builds the Echo instance with every route and middleware.
func New(d Deps) *Server {
	s := &Server{
		Echo:     echo.New(),
		sessions: d.Sessions, admins: d.Admins, telemetry: d.Telemetry, providers: d.Providers,
		db: d.DB, tokens: d.Tokens, thresholds: d.Thresholds, log: d.Logger, clock: d.Now,
		incidents: d.Incidents, silences: d.Silences,
		requestTimeout: d.RequestTimeout, dashboardDBTimeout: d.DashboardDBTimeout, bodyReadTimeout: d.BodyReadTimeout,
		cookieSecure: d.CookieSecure, bodyLimit: d.BodyLimit,
		crossOrigin: http.NewCrossOriginProtection(),
		signIns:     d.SignInThrottle, backoff: pulse.SignInBackoff{Free: d.LoginFreeFailures, Max: d.LoginBackoffMax},
		loginRatePerMinute: d.LoginRatePerMinute, staticDir: d.StaticDir, metrics: d.Metrics,
		requestTelemetry: d.RequestTelemetry, ingestMiddleware: d.IngestMiddleware,
	}
	s.roomEvents, s.livekitHook, s.dailyHook = d.RoomEvents, d.LiveKitWebhook, d.DailyWebhook
	s.webhookDefaultCategory, s.webhookRejected, s.qualityTokens = d.WebhookDefaultCategory, d.WebhookRejected, d.QualityTokens
	if s.webhookRejected == nil {
		s.webhookRejected = func(pulse.Provider) {}
	}
	s.qualityOrigins = make(map[string]bool, len(d.QualityOrigins))
	for _, o := range d.QualityOrigins {
		s.qualityOrigins[o] = true
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.currentAdmins = access.NewAdmins(d.Admins, s.clock)
	s.revocations = access.NewRevocations(d.RevokedTokens, s.clock)
	s.apiKeys = access.NewAPIKeys(d.APIKeys, s.clock, s.log)
	for _, o := range d.AllowedOrigins {
		if err := s.crossOrigin.AddTrustedOrigin(o); err != nil {
			s.log.Error("allowed origin ignored", "origin", o, "err", err) // config.Validate refuses it first
		}
	}
	s.snapshots = s.newMetricsSnapshots(d.CurrentSnapshotInterval, d.SnapshotInterval)
	e := s.Echo
	e.HideBanner, e.HidePort = true, true
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

func (s *Server) now() time.Time { return s.clock().UTC() }
