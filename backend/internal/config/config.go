// Package config reads Pulse's settings from the environment: one struct, with
// defaults, validation, and a way to log it without its secrets.
package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"regexp"
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
	// DBWriters is how many group-commit writers send the ingestion
	// statements to PostgreSQL, each a batch of whatever queued up while its
	// last one committed (ignored on SQLite).
	DBWriters int `env:"PULSE_DB_WRITERS" envDefault:"4"`

	JWTSecret    string        `env:"PULSE_JWT_SECRET"`
	JWTTTL       time.Duration `env:"PULSE_JWT_TTL" envDefault:"12h"`
	CookieSecure bool          `env:"PULSE_COOKIE_SECURE" envDefault:"false"`
	// LoginRatePerMinute bounds login attempts per client address (an IPv6
	// client's /64).
	LoginRatePerMinute int `env:"PULSE_LOGIN_RATE_PER_MINUTE" envDefault:"10"`
	// After LoginFreeFailures consecutive failed sign-ins for one email, from
	// any address, each further attempt must wait 1s, 2s, 4s… up to
	// LoginBackoffMax.
	LoginFreeFailures int           `env:"PULSE_LOGIN_FREE_FAILURES" envDefault:"5"`
	LoginBackoffMax   time.Duration `env:"PULSE_LOGIN_BACKOFF_MAX" envDefault:"5m"`
	// AllowedOrigins are origins (scheme://host[:port]) besides Pulse's own
	// from which a browser may sign in and out: a front end on another host.
	AllowedOrigins []string `env:"PULSE_ALLOWED_ORIGINS" envSeparator:","`
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

	// BodyReadTimeout is how long a client may take to send a request body
	// once its headers are in (408 beyond): a slow client ties up no
	// handler for longer, and its slowness is not the service's latency.
	BodyReadTimeout time.Duration `env:"PULSE_BODY_READ_TIMEOUT" envDefault:"5s"`

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
	// The providers' Statuspage summary.json, read with their checks while
	// the provider is configured; "off" reads none (an empty value means the
	// default, as everywhere). See StatusPageURL.
	DailyStatusURL   string `env:"PULSE_DAILY_STATUS_URL" envDefault:"https://status.daily.co/api/v2/summary.json"`
	LiveKitStatusURL string `env:"PULSE_LIVEKIT_STATUS_URL" envDefault:"https://status.livekit.io/api/v2/summary.json"`
	// SessionRetention is how long session rows are kept (the daily summary
	// is kept for good); SessionStaleAfter ends an open session not seen for
	// that long, as abandoned.
	SessionRetention  time.Duration `env:"PULSE_SESSION_RETENTION" envDefault:"2160h"`
	SessionStaleAfter time.Duration `env:"PULSE_SESSION_STALE_AFTER" envDefault:"4h"`

	// Provider webhooks. LiveKit's are verified with PULSE_LIVEKIT_API_KEY and
	// PULSE_LIVEKIT_API_SECRET; Daily's with DailyWebhookSecret (base64, the
	// webhook's "hmac"); "" leaves that route unconfigured (404).
	DailyWebhookSecret string `env:"PULSE_DAILY_WEBHOOK_SECRET"`
	// WebhookDefaultCategory places a webhook room that names no known
	// category and matches no prefix rule; created on first use.
	WebhookDefaultCategory string `env:"PULSE_WEBHOOK_DEFAULT_CATEGORY" envDefault:"General"`
	// BeyAgentIdentity is the LiveKit participant identity of the Beyond
	// Presence avatar agent: a room it joins is a beyond_presence session.
	BeyAgentIdentity string `env:"PULSE_BEY_AGENT_IDENTITY" envDefault:"bey-avatar-agent"`
	// WebhookEventRetention is how long applied webhook event ids are kept:
	// a redelivery within it has no second effect.
	WebhookEventRetention time.Duration `env:"PULSE_WEBHOOK_EVENT_RETENTION" envDefault:"168h"`
	// QualityTokenTTL bounds a session's quality token (it also stops when
	// the session ends); QualityOrigins are the browser origins allowed to
	// post quality samples with it (CORS), e.g. https://call.example.edu.
	QualityTokenTTL time.Duration `env:"PULSE_QUALITY_TOKEN_TTL" envDefault:"12h"`
	QualityOrigins  []string      `env:"PULSE_QUALITY_ORIGINS" envSeparator:","`
	// Alerts: the leader evaluates every rule each AlertEvalInterval; an
	// incident opens after AlertFailureThreshold bad evaluations in a row and
	// resolves after AlertSuccessThreshold good ones. Failed notifications are
	// retried for AlertRetryFor; an open incident is reminded of every
	// AlertReminderInterval (0: never). Resolved incidents are kept for
	// IncidentRetention.
	AlertEvalInterval     time.Duration `env:"PULSE_ALERT_EVAL_INTERVAL" envDefault:"30s"`
	AlertFailureThreshold int           `env:"PULSE_ALERT_FAILURE_THRESHOLD" envDefault:"3"`
	AlertSuccessThreshold int           `env:"PULSE_ALERT_SUCCESS_THRESHOLD" envDefault:"2"`
	AlertReminderInterval time.Duration `env:"PULSE_ALERT_REMINDER_INTERVAL" envDefault:"1h"`
	AlertRetryFor         time.Duration `env:"PULSE_ALERT_RETRY_FOR" envDefault:"10m"`
	IncidentRetention     time.Duration `env:"PULSE_INCIDENT_RETENTION" envDefault:"2160h"`
	// Channels: each is off while its setting is empty.
	AlertWebhookURLs   []string `env:"PULSE_ALERT_WEBHOOK_URLS" envSeparator:","`
	AlertWebhookSecret string   `env:"PULSE_ALERT_WEBHOOK_SECRET"`
	AlertSlackURL      string   `env:"PULSE_ALERT_SLACK_URL"`
	SMTPURL            string   `env:"PULSE_SMTP_URL"`
	AlertEmailTo       []string `env:"PULSE_ALERT_EMAIL_TO" envSeparator:","`
	AlertEmailFrom     string   `env:"PULSE_ALERT_EMAIL_FROM" envDefault:"pulse@localhost"`
	// DashboardURL is the dashboard's public address, linked from every
	// notification (e.g. https://pulse.example.org/admin/dashboard).
	DashboardURL string `env:"PULSE_DASHBOARD_URL"`

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
	if c.DBWriters < 1 || (c.DBMaxOpenConns > 0 && c.DBWriters >= c.DBMaxOpenConns) {
		errs = append(errs, "PULSE_DB_WRITERS must be at least 1 and below PULSE_DB_MAX_OPEN_CONNS (each writer holds a connection while it commits)")
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
	if c.LoginFreeFailures < 1 || c.LoginBackoffMax < time.Second {
		errs = append(errs, "PULSE_LOGIN_FREE_FAILURES must be at least 1 and PULSE_LOGIN_BACKOFF_MAX at least 1s")
	}
	if c.BodyReadTimeout <= 0 {
		errs = append(errs, "PULSE_BODY_READ_TIMEOUT must be positive")
	}
	if _, err := c.AllowedOriginList(); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := c.TrustedProxyNets(); err != nil {
		errs = append(errs, err.Error())
	}
	errs = append(errs, c.validateWebhooks()...)
	errs = append(errs, c.validateAlerts()...)
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

func (c Config) validateWebhooks() []string {
	var errs []string
	if s := strings.TrimSpace(c.DailyWebhookSecret); s != "" {
		_, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			_, err = base64.RawStdEncoding.DecodeString(s)
		}
		if err != nil {
			errs = append(errs, "PULSE_DAILY_WEBHOOK_SECRET must be base64 (the hmac given to Daily)")
		}
	}
	if !pulse.ValidCategoryName(strings.TrimSpace(c.WebhookDefaultCategory)) {
		errs = append(errs, "PULSE_WEBHOOK_DEFAULT_CATEGORY must have 1 to 100 characters")
	}
	if c.WebhookEventRetention < time.Hour {
		errs = append(errs, "PULSE_WEBHOOK_EVENT_RETENTION must be at least 1h (providers redeliver for minutes to hours)")
	}
	if c.QualityTokenTTL <= 0 {
		errs = append(errs, "PULSE_QUALITY_TOKEN_TTL must be positive")
	}
	if _, err := originList("PULSE_QUALITY_ORIGINS", "https://call.example.edu", c.QualityOrigins); err != nil {
		errs = append(errs, err.Error())
	}
	return errs
}

// validateAlerts checks the alert settings and channels.
func (c Config) validateAlerts() []string {
	var errs []string
	if c.AlertEvalInterval <= 0 || c.AlertRetryFor <= 0 || c.AlertReminderInterval < 0 {
		errs = append(errs, "PULSE_ALERT_EVAL_INTERVAL and PULSE_ALERT_RETRY_FOR must be positive, PULSE_ALERT_REMINDER_INTERVAL not negative")
	}
	if c.AlertFailureThreshold < 1 || c.AlertSuccessThreshold < 1 {
		errs = append(errs, "PULSE_ALERT_FAILURE_THRESHOLD and PULSE_ALERT_SUCCESS_THRESHOLD must be at least 1")
	}
	if c.IncidentRetention < 24*time.Hour {
		errs = append(errs, "PULSE_INCIDENT_RETENTION must be at least 24h")
	}
	for _, u := range c.AlertWebhookURLs {
		if !httpURL(u) {
			errs = append(errs, "PULSE_ALERT_WEBHOOK_URLS: every entry must be an http:// or https:// URL")
			break
		}
	}
	if c.AlertSlackURL != "" && !httpURL(c.AlertSlackURL) {
		errs = append(errs, "PULSE_ALERT_SLACK_URL must be an http:// or https:// URL")
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		switch {
		case err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "":
			errs = append(errs, "PULSE_SMTP_URL must look like smtp://user:password@host:587 (or smtps:// for TLS from the start)")
		case len(c.AlertEmailTo) == 0:
			errs = append(errs, "PULSE_ALERT_EMAIL_TO is required with PULSE_SMTP_URL")
		}
		for _, a := range append([]string{c.AlertEmailFrom}, c.AlertEmailTo...) {
			if _, err := mail.ParseAddress(strings.TrimSpace(a)); err != nil {
				errs = append(errs, fmt.Sprintf("PULSE_ALERT_EMAIL_TO / PULSE_ALERT_EMAIL_FROM: %q is not an e-mail address", a))
			}
		}
	}
	return errs
}

// QualityOriginList is QualityOrigins as browsers send them in the Origin
// header (see originList); Validate has refused any that is not an origin.
func (c Config) QualityOriginList() []string {
	out, _ := originList("PULSE_QUALITY_ORIGINS", "https://call.example.edu", c.QualityOrigins)
	return out
}

func httpURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
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

// AllowedOriginList is AllowedOrigins as browsers send them in the Origin
// header (see originList).
func (c Config) AllowedOriginList() ([]string, error) {
	return originList("PULSE_ALLOWED_ORIGINS", "https://pulse.example.org", c.AllowedOrigins)
}

// originList trims each value of setting, drops a trailing slash, and checks
// that it is a bare origin (scheme://host[:port]), the form a browser's
// Origin header takes, as Go's cross-origin protection judges it.
func originList(setting, example string, values []string) ([]string, error) {
	var origins []string
	for _, o := range values {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("%s: %q is not an origin like %s", setting, o, example)
		}
		origins = append(origins, o)
	}
	return origins, nil
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
		"livekit_url", RedactURL(c.LiveKitURL),
		"livekit_api_secret", mask(c.LiveKitAPISecret),
		"bey_api_key", mask(c.BeyAPIKey),
		"daily_webhook_secret", mask(c.DailyWebhookSecret),
		"quality_origins", strings.Join(c.QualityOriginList(), ","),
		"check_interval", c.CheckInterval.String(),
		"alert_eval_interval", c.AlertEvalInterval.String(),
		"alert_webhooks", len(c.AlertWebhookURLs),
		"alert_webhook_secret", mask(c.AlertWebhookSecret),
		"alert_slack_url", mask(c.AlertSlackURL),
		"smtp_url", RedactURL(c.SMTPURL),
		"alert_email_to", strings.Join(c.AlertEmailTo, ","),
	}
}

// StatusPageURL is a status page setting as the checker takes it: "" for
// "off" (any case).
func StatusPageURL(setting string) string {
	if strings.EqualFold(strings.TrimSpace(setting), "off") {
		return ""
	}
	return setting
}

// RedactURL masks every credential a database URL or DSN can carry, in any
// of the forms drivers accept, whatever the scheme (masking must not depend
// on recognising the driver):
//
//   - URL userinfo: scheme://user:secret@host → scheme://user:***@host;
//   - query parameters whose name says secret (password, sslpassword, sslkey,
//     passfile, any *pass*, *pwd*, *secret*, *token*, *key*), in a URL or in
//     a SQLite file:…?… path;
//   - libpq key=value DSNs: host=h password=secret → host=h password=***,
//     quoted values included.
//
// When a URL is ambiguous (a raw '@', '/', '?' or '#' in the password, which
// url.Parse rejects or reads another way) it masks more rather than less.
func RedactURL(dsn string) string {
	switch {
	case strings.Contains(dsn, "://"):
		return redactURLForm(dsn)
	case kvStart.MatchString(dsn):
		return kvValue.ReplaceAllStringFunc(dsn, func(pair string) string {
			m := kvValue.FindStringSubmatch(pair)
			if !secretKey(m[1]) {
				return pair
			}
			return m[1] + m[2] + "***"
		})
	default: // a SQLite path, perhaps file:…?query
		if path, query, ok := strings.Cut(dsn, "?"); ok {
			return path + "?" + redactQuery(query)
		}
		return dsn
	}
}

var (
	// kvStart recognises a libpq key=value DSN ("host=db user=pulse …").
	kvStart = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_]*\s*=`)
	// kvValue is one key=value pair: a single-quoted value (backslash
	// escapes; an unterminated quote runs to the end) or a bare word.
	kvValue = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)('(?:[^'\\]|\\.)*(?:'|\\?$)|\S*)`)
)

// secretKey tells whether a parameter name says its value is a credential.
func secretKey(name string) bool {
	k := strings.ToLower(name)
	for _, s := range []string{"pass", "pwd", "secret", "token", "key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// redactQuery masks the secret parameters of a raw query string. Values
// are masked up to the next '&', fragment included: a raw '#' may be part
// of a password.
func redactQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if ok && secretKey(name) {
			parts[i] = k + "=***"
		}
	}
	return strings.Join(parts, "&")
}

func redactURLForm(dsn string) string {
	i := strings.Index(dsn, "://") + 3
	scheme, rest := dsn[:i], dsn[i:]
	u, err := url.Parse(dsn)
	// url.Parse reads a well-formed URL as the drivers do: the authority
	// ends at the first '/', '?' or '#', and its userinfo at its last '@'.
	// An '@' it did not read as ending a userinfo, or a URL it rejects, may
	// be a password with a raw '@', '/', '?' or '#'.
	if err == nil && (u.User != nil || !strings.Contains(rest, "@")) {
		authority, tail := rest, ""
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			authority, tail = rest[:j], rest[j:]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if user, _, hasPass := strings.Cut(authority[:at], ":"); hasPass {
				authority = user + ":***" + authority[at:]
			}
		}
		return scheme + redactTail(authority+tail)
	}
	// Ambiguous: everything from the first ':' to the last '@' is taken for
	// a password. It may hide a host or a path too; never a secret.
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if colon := strings.Index(rest[:at], ":"); colon >= 0 {
			rest = rest[:colon] + ":***" + rest[at:]
		}
	}
	return scheme + redactTail(rest)
}

// redactTail masks the query of what follows a URL's scheme.
func redactTail(s string) string {
	if before, query, ok := strings.Cut(s, "?"); ok {
		return before + "?" + redactQuery(query)
	}
	return s
}
