// Package config reads Pulse's settings from the environment: one struct, with
// defaults, validation, and a way to log it without its secrets.
package config

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"pulse/internal/pulse"
)

// Config is every setting of every verb. Verbs that do not need a setting
// still read it, so `pulse admin create` sees the same database as `serve`.
type Config struct {
	Addr        string `env:"PULSE_ADDR" envDefault:":8080"`
	DatabaseURL string `env:"PULSE_DATABASE_URL" envDefault:"data/pulse.db"`

	// The pool keeps idle as many connections as it may open: a pool that
	// cannot keep one idle closes it, and the next burst reconnects (on
	// PostgreSQL, a new server process each time).
	DBMaxOpenConns    int           `env:"PULSE_DB_MAX_OPEN_CONNS" envDefault:"20"`
	DBMaxIdleConns    int           `env:"PULSE_DB_MAX_IDLE_CONNS" envDefault:"20"`
	DBConnMaxLifetime time.Duration `env:"PULSE_DB_CONN_MAX_LIFETIME" envDefault:"30m"`

	JWTSecret    string        `env:"PULSE_JWT_SECRET"`
	JWTTTL       time.Duration `env:"PULSE_JWT_TTL" envDefault:"12h"`
	CookieSecure bool          `env:"PULSE_COOKIE_SECURE" envDefault:"false"`
	// LoginRatePerMinute bounds login attempts per client address.
	LoginRatePerMinute int `env:"PULSE_LOGIN_RATE_PER_MINUTE" envDefault:"10"`
	// TrustedProxies are CIDRs whose X-Forwarded-For header is believed.
	TrustedProxies []string `env:"PULSE_TRUSTED_PROXIES" envSeparator:","`

	BodyLimit      string        `env:"PULSE_BODY_LIMIT" envDefault:"1M"`
	RequestTimeout time.Duration `env:"PULSE_REQUEST_TIMEOUT" envDefault:"10s"`
	// DashboardDBTimeout bounds the database reads of the dashboard's metrics
	// routes, well under RequestTimeout: a database that hangs shows as
	// "critical, database unreachable" at once, not after the request timeout.
	DashboardDBTimeout time.Duration `env:"PULSE_DASHBOARD_DB_TIMEOUT" envDefault:"1500ms"`
	StaticDir          string        `env:"PULSE_STATIC_DIR"`
	// SnapshotIntervalCurrent and SnapshotInterval are how old, at most, the
	// shared answer of /metrics/current and of the other three metrics routes
	// may be: N dashboards cost one set of queries per interval per replica.
	// 0 rebuilds on every request (concurrent requests still share one build).
	SnapshotIntervalCurrent time.Duration `env:"PULSE_SNAPSHOT_INTERVAL_CURRENT" envDefault:"2s"`
	SnapshotInterval        time.Duration `env:"PULSE_SNAPSHOT_INTERVAL" envDefault:"10s"`

	// InstanceID prefixes this replica's name in the shared telemetry
	// rollups (default: the hostname). A random suffix, new at each start, is
	// always added: a restarted process must not overwrite the rows its
	// predecessor flushed for the same minute.
	InstanceID         string        `env:"PULSE_INSTANCE_ID"`
	TelemetryFlush     time.Duration `env:"PULSE_TELEMETRY_FLUSH_INTERVAL" envDefault:"5s"`
	TelemetryRetention time.Duration `env:"PULSE_TELEMETRY_RETENTION" envDefault:"168h"`

	ErrorRateDegraded float64 `env:"PULSE_ERROR_RATE_DEGRADED" envDefault:"0.02"`
	ErrorRateCritical float64 `env:"PULSE_ERROR_RATE_CRITICAL" envDefault:"0.05"`
	P95DegradedMs     float64 `env:"PULSE_P95_DEGRADED_MS" envDefault:"500"`
	P95CriticalMs     float64 `env:"PULSE_P95_CRITICAL_MS" envDefault:"1000"`
	HealthMinRequests int64   `env:"PULSE_HEALTH_MIN_REQUESTS" envDefault:"20"`

	DailyAPIURL      string        `env:"PULSE_DAILY_API_URL" envDefault:"https://api.daily.co/v1"`
	DailyAPIKey      string        `env:"PULSE_DAILY_API_KEY"`
	LiveKitURL       string        `env:"PULSE_LIVEKIT_URL"`
	LiveKitAPIKey    string        `env:"PULSE_LIVEKIT_API_KEY"`
	LiveKitAPISecret string        `env:"PULSE_LIVEKIT_API_SECRET"`
	BeyAPIURL        string        `env:"PULSE_BEY_API_URL" envDefault:"https://api.bey.dev/v1"`
	BeyAPIKey        string        `env:"PULSE_BEY_API_KEY"`
	CheckInterval    time.Duration `env:"PULSE_CHECK_INTERVAL" envDefault:"30s"`
	CheckTimeout     time.Duration `env:"PULSE_CHECK_TIMEOUT" envDefault:"5s"`
	// A provider answering 2xx slower than CheckSlowThreshold is degraded;
	// CheckDownAfter consecutive failures make it down; CheckFlapChanges
	// status changes over its last CheckFlapWindow checks make it degraded.
	CheckSlowThreshold time.Duration `env:"PULSE_CHECK_SLOW_THRESHOLD" envDefault:"1s"`
	CheckDownAfter     int           `env:"PULSE_CHECK_DOWN_AFTER" envDefault:"3"`
	CheckFlapWindow    int           `env:"PULSE_CHECK_FLAP_WINDOW" envDefault:"10"`
	CheckFlapChanges   int           `env:"PULSE_CHECK_FLAP_CHANGES" envDefault:"4"`
	// ProviderCheckRetention is how long provider check history is kept.
	ProviderCheckRetention time.Duration `env:"PULSE_PROVIDER_CHECK_RETENTION" envDefault:"720h"`
	// SessionRetention is how long session rows are kept (the daily summary
	// is kept for good); SessionStaleAfter ends an open session not seen for
	// that long, as abandoned.
	SessionRetention  time.Duration `env:"PULSE_SESSION_RETENTION" envDefault:"2160h"`
	SessionStaleAfter time.Duration `env:"PULSE_SESSION_STALE_AFTER" envDefault:"4h"`

	LogLevel  string `env:"PULSE_LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"PULSE_LOG_FORMAT" envDefault:"text"`
}

// Load reads the environment and validates the result.
func Load() (Config, error) {
	c, err := env.ParseAs[Config]()
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, c.Validate()
}

// Defaults is the configuration with no environment at all: every default,
// from the one place defaults are written (the envDefault tags above). Tests
// and tools that wire parts by hand start from it.
func Defaults() Config {
	c, err := env.ParseAsWithOptions[Config](env.Options{Environment: map[string]string{}})
	if err != nil {
		panic(fmt.Sprintf("config: the defaults do not parse: %v", err))
	}
	return c
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	var errs []string
	if c.ErrorRateDegraded <= 0 || c.ErrorRateCritical > 1 || c.ErrorRateDegraded > c.ErrorRateCritical {
		errs = append(errs, "PULSE_ERROR_RATE_DEGRADED must be > 0 and <= PULSE_ERROR_RATE_CRITICAL <= 1")
	}
	if c.P95DegradedMs <= 0 || c.P95DegradedMs > c.P95CriticalMs {
		errs = append(errs, "PULSE_P95_DEGRADED_MS must be > 0 and <= PULSE_P95_CRITICAL_MS")
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, "PULSE_JWT_SECRET must be at least 32 characters")
	}
	if c.JWTTTL <= 0 {
		errs = append(errs, "PULSE_JWT_TTL must be positive")
	}
	if c.DBMaxOpenConns < 0 || c.DBMaxIdleConns < 0 {
		errs = append(errs, "PULSE_DB_MAX_OPEN_CONNS and PULSE_DB_MAX_IDLE_CONNS must not be negative")
	}
	if c.CheckInterval <= 0 || c.CheckTimeout <= 0 || c.CheckSlowThreshold <= 0 || c.TelemetryFlush <= 0 {
		errs = append(errs, "PULSE_CHECK_INTERVAL, PULSE_CHECK_TIMEOUT, PULSE_CHECK_SLOW_THRESHOLD and PULSE_TELEMETRY_FLUSH_INTERVAL must be positive")
	}
	if c.CheckDownAfter <= 0 || c.CheckFlapWindow <= 0 || c.CheckFlapChanges <= 0 {
		errs = append(errs, "PULSE_CHECK_DOWN_AFTER, PULSE_CHECK_FLAP_WINDOW and PULSE_CHECK_FLAP_CHANGES must be positive")
	}
	if c.TelemetryRetention < time.Hour || c.ProviderCheckRetention < 24*time.Hour {
		errs = append(errs, "PULSE_TELEMETRY_RETENTION must be at least 1h and PULSE_PROVIDER_CHECK_RETENTION at least 24h (the uptime window)")
	}
	// Quality samples of a session still move its day in the summary, so its
	// row must outlive the 30-day view.
	if c.SessionRetention < time.Duration(pulse.SummaryWindowDays)*24*time.Hour {
		errs = append(errs, "PULSE_SESSION_RETENTION must be at least 720h (the 30-day sessions view)")
	}
	// A session still counted live must never be ended as abandoned.
	if c.SessionStaleAfter < pulse.ActiveWindow {
		errs = append(errs, "PULSE_SESSION_STALE_AFTER must be at least 30m (the live-session window)")
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, "PULSE_REQUEST_TIMEOUT must be positive")
	}
	if c.DashboardDBTimeout <= 0 {
		errs = append(errs, "PULSE_DASHBOARD_DB_TIMEOUT must be positive")
	}
	if c.SnapshotIntervalCurrent < 0 || c.SnapshotInterval < 0 {
		errs = append(errs, "PULSE_SNAPSHOT_INTERVAL_CURRENT and PULSE_SNAPSHOT_INTERVAL must not be negative")
	}
	if c.LoginRatePerMinute <= 0 {
		errs = append(errs, "PULSE_LOGIN_RATE_PER_MINUTE must be positive")
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// TrustedProxyNets parses TrustedProxies.
func (c Config) TrustedProxyNets() ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, s := range c.TrustedProxies {
		_, n, err := net.ParseCIDR(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("PULSE_TRUSTED_PROXIES: %q is not a CIDR", s)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// IsPostgres tells whether DatabaseURL selects PostgreSQL; anything else is a
// SQLite file path.
func (c Config) IsPostgres() bool { return IsPostgresURL(c.DatabaseURL) }

// IsPostgresURL is IsPostgres for a bare URL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Instance names this process: InstanceID (or the hostname) and a suffix
// that is new at each start.
func (c Config) Instance(random string) string {
	prefix := c.InstanceID
	if prefix == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "pulse"
		}
		prefix = host
	}
	return prefix + "-" + random
}

// Redacted returns the settings as key/value pairs for a start-up log line,
// with secrets and database passwords masked.
func (c Config) Redacted() []any {
	mask := func(s string) string {
		if s == "" {
			return ""
		}
		return "***"
	}
	return []any{
		"addr", c.Addr,
		"database", RedactURL(c.DatabaseURL),
		"jwt_secret", mask(c.JWTSecret),
		"cookie_secure", c.CookieSecure,
		"static_dir", c.StaticDir,
		"daily_api_key", mask(c.DailyAPIKey),
		"livekit_url", c.LiveKitURL,
		"livekit_api_secret", mask(c.LiveKitAPISecret),
		"bey_api_key", mask(c.BeyAPIKey),
		"check_interval", c.CheckInterval.String(),
	}
}

// RedactURL hides the password of a database URL.
func RedactURL(u string) string {
	if !IsPostgresURL(u) {
		return u
	}
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://") + 3
	if at < 0 {
		return u
	}
	creds := u[scheme:at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return u[:scheme] + creds[:i] + ":***" + u[at:]
	}
	return u
}
