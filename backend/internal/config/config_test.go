package config

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clearEnv unsets every PULSE_ variable for the test (make exports some).
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PULSE_") {
			t.Setenv(k, "") // restores the value after the test
			require.NoError(t, os.Unsetenv(k))
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	clearEnv(t)
	c, err := Load()
	require.NoError(t, err)
	assert.Equal(t, ":8080", c.Addr)
	assert.Equal(t, "data/pulse.db", c.DatabaseURL)
	assert.Equal(t, 0.02, c.ErrorRateDegraded)
	assert.Equal(t, 0.05, c.ErrorRateCritical)
	assert.Equal(t, 500.0, c.P95DegradedMs)
	assert.Equal(t, 1000.0, c.P95CriticalMs)
	assert.Equal(t, 30*time.Second, c.CheckInterval)
	assert.Equal(t, 5*time.Second, c.CheckTimeout)
	assert.Equal(t, 7*24*time.Hour, c.TelemetryRetention)
	assert.Equal(t, 30*24*time.Hour, c.ProviderCheckRetention)
	assert.Equal(t, time.Second, c.CheckSlowThreshold)
	assert.Equal(t, 3, c.CheckDownAfter)
	assert.Equal(t, 90*24*time.Hour, c.SessionRetention)
	assert.Equal(t, 4*time.Hour, c.SessionStaleAfter)
	assert.Equal(t, Defaults(), c, "Defaults is Load with no environment")
	assert.Equal(t, 1500*time.Millisecond, c.DashboardDBTimeout)
	assert.Equal(t, 5*time.Second, c.BodyReadTimeout)
	assert.Equal(t, 5, c.LoginFreeFailures)
	assert.Equal(t, 5*time.Minute, c.LoginBackoffMax)
	assert.Empty(t, c.AllowedOrigins)
	assert.Equal(t, "General", c.WebhookDefaultCategory)
	assert.Equal(t, "bey-avatar-agent", c.BeyAgentIdentity)
	assert.Equal(t, 12*time.Hour, c.QualityTokenTTL)
	assert.Empty(t, c.QualityOriginList())
	assert.Equal(t, 2*time.Second, c.SnapshotIntervalCurrent)
	assert.Equal(t, 10*time.Second, c.SnapshotInterval)
}

func TestStatusPageURL(t *testing.T) {
	clearEnv(t)
	c, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "https://status.daily.co/api/v2/summary.json", StatusPageURL(c.DailyStatusURL))
	assert.Equal(t, "https://status.livekit.io/api/v2/summary.json", StatusPageURL(c.LiveKitStatusURL))

	t.Setenv("PULSE_DAILY_STATUS_URL", "off")
	t.Setenv("PULSE_LIVEKIT_STATUS_URL", "http://127.0.0.1:9000/api/v2/summary.json")
	c, err = Load()
	require.NoError(t, err)
	assert.Empty(t, StatusPageURL(c.DailyStatusURL), "off reads none")
	assert.Equal(t, "http://127.0.0.1:9000/api/v2/summary.json", StatusPageURL(c.LiveKitStatusURL))
}

func TestAllowedOrigins(t *testing.T) {
	t.Setenv("PULSE_ALLOWED_ORIGINS", "https://dashboard.example.org, http://localhost:5173")
	c, err := Load()
	require.NoError(t, err)
	origins, err := c.AllowedOriginList()
	require.NoError(t, err)
	assert.Equal(t, []string{"https://dashboard.example.org", "http://localhost:5173"}, origins)
}

func TestLoadRejects(t *testing.T) {
	for name, env := range map[string][2]string{
		"ShortJWTSecret":            {"PULSE_JWT_SECRET", "short"},
		"DegradedAboveCritical":     {"PULSE_ERROR_RATE_DEGRADED", "0.5"},
		"NotANumber":                {"PULSE_P95_DEGRADED_MS", "fast"},
		"NegativePool":              {"PULSE_DB_MAX_OPEN_CONNS", "-1"},
		"NoWriter":                  {"PULSE_DB_WRITERS", "0"},
		"WritersTakeThePool":        {"PULSE_DB_WRITERS", "20"},
		"RetentionUnderAnHour":      {"PULSE_TELEMETRY_RETENTION", "5m"},
		"CheckIntervalNotADuration": {"PULSE_CHECK_INTERVAL", "often"},
		"ZeroDownAfter":             {"PULSE_CHECK_DOWN_AFTER", "0"},
		"CheckHistoryUnderADay":     {"PULSE_PROVIDER_CHECK_RETENTION", "1h"},
		"ZeroDashboardDBTimeout":    {"PULSE_DASHBOARD_DB_TIMEOUT", "0s"},
		"NegativeDashboardTimeout":  {"PULSE_DASHBOARD_DB_TIMEOUT", "-1s"},
		"NoFreeLoginFailure":        {"PULSE_LOGIN_FREE_FAILURES", "0"},
		"LoginBackoffUnderASecond":  {"PULSE_LOGIN_BACKOFF_MAX", "500ms"},
		"NoBodyReadTimeout":         {"PULSE_BODY_READ_TIMEOUT", "0s"},
		"AllowedOriginWithAPath":    {"PULSE_ALLOWED_ORIGINS", "https://dashboard.example.org/login"},
		"AllowedOriginWithoutHost":  {"PULSE_ALLOWED_ORIGINS", "dashboard.example.org"},
		"DailySecretNotBase64":      {"PULSE_DAILY_WEBHOOK_SECRET", "not base64!"},
		"EmptyDefaultCategory":      {"PULSE_WEBHOOK_DEFAULT_CATEGORY", " "},
		"WebhookEventsUnderAnHour":  {"PULSE_WEBHOOK_EVENT_RETENTION", "5m"},
		"ZeroQualityTokenTTL":       {"PULSE_QUALITY_TOKEN_TTL", "0s"},
		"QualityOriginWithPath":     {"PULSE_QUALITY_ORIGINS", "https://call.example.edu/room"},
		"QualityOriginWildcard":     {"PULSE_QUALITY_ORIGINS", "*"},
		"NegativeSnapshotInterval":  {"PULSE_SNAPSHOT_INTERVAL", "-1s"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(env[0], env[1])
			_, err := Load()
			assert.Error(t, err)
		})
	}
}

func TestLoadRejectsLifecycle(t *testing.T) {
	for name, env := range map[string][2]string{
		"SessionsUnder30Days":   {"PULSE_SESSION_RETENTION", "719h"},
		"StaleWithinLiveWindow": {"PULSE_SESSION_STALE_AFTER", "10m"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(env[0], env[1])
			_, err := Load()
			require.Error(t, err)
			assert.Contains(t, err.Error(), env[0], "the error names the setting")
		})
	}
}

func TestRedactURL(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"URLPassword", "postgres://pulse:s3cret@db:5432/pulse?sslmode=disable", "postgres://pulse:***@db:5432/pulse?sslmode=disable"},
		{"URLWithoutPassword", "postgres://pulse@db/pulse", "postgres://pulse@db/pulse"},
		{"URLWithoutUser", "postgres://db/pulse?sslmode=disable", "postgres://db/pulse?sslmode=disable"},
		{"URLEscapedPassword", "postgresql://pulse:s3%40cret@db/pulse", "postgresql://pulse:***@db/pulse"},
		{"QueryPasswordFirst", "postgres://pulse@db/pulse?password=s3cret&sslmode=disable", "postgres://pulse@db/pulse?password=***&sslmode=disable"},
		{"QueryPasswordLater", "postgres://db/pulse?sslmode=require&password=s3cret", "postgres://db/pulse?sslmode=require&password=***"},
		{"QuerySSLPasswordAndKey", "postgres://db/p?sslpassword=s3cret&sslkey=/k/s3cret.key&sslcert=/k/c.crt", "postgres://db/p?sslpassword=***&sslkey=***&sslcert=/k/c.crt"},
		{"QueryPasswordWithHash", "postgres://db/p?password=s3#cret&sslmode=disable", "postgres://db/p?password=***&sslmode=disable"},
		{"BothForms", "postgres://u:s3cret@db/p?password=s3cret", "postgres://u:***@db/p?password=***"},
		{"AnySchemeIsMasked", "mysql://u:s3cret@tcp(db)/p", "mysql://u:***@tcp(db)/p"},
		{"RawAtInPassword", "postgres://u:s3@cret@db/p", "postgres://u:***@db/p"},
		{"RawSlashInPassword", "postgres://u:s3/cret@db/p", "postgres://u:***@db/p"},
		{"RawQuestionMarkInDigitsPassword", "postgres://u:123?s3cret@db/p", "postgres://u:***@db/p"},
		{"RawHashInPassword", "postgres://u:12#s3cret@db/p?sslmode=disable", "postgres://u:***@db/p?sslmode=disable"},
		{"KeyValue", "host=db user=pulse password=s3cret dbname=pulse", "host=db user=pulse password=*** dbname=pulse"},
		{"KeyValueFirst", "password=s3cret host=db", "password=*** host=db"},
		{"KeyValueSpaces", "host=db password = s3cret sslmode=disable", "host=db password = *** sslmode=disable"},
		{"KeyValueQuoted", `host=db password='s3 \' cret' dbname=p`, "host=db password=*** dbname=p"},
		{"KeyValueUnterminatedQuote", "host=db password='s3 cret", "host=db password=***"},
		{"KeyValueSSLPassword", "host=db sslpassword=s3cret sslkey=/k/s3cret.key", "host=db sslpassword=*** sslkey=***"},
		{"SQLitePath", "data/pulse.db", "data/pulse.db"},
		{"SQLiteFileURIKey", "file:data/pulse.db?_pragma_key=s3cret&mode=rwc", "file:data/pulse.db?_pragma_key=***&mode=rwc"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, "s3")
		})
	}
}

func TestRedactedHidesSecrets(t *testing.T) {
	c := Config{
		JWTSecret: "super-secret-value-of-32-characters!", DatabaseURL: "postgres://u@h/db?password=db-pass",
		DailyAPIKey: "daily-key", LiveKitAPIKey: "livekit-key", LiveKitAPISecret: "livekit-secret", BeyAPIKey: "bey-key",
	}
	line := fmt.Sprint(c.Redacted()...)
	for _, secret := range []string{"super-secret", "db-pass", "daily-key", "livekit-key", "livekit-secret", "bey-key"} {
		assert.NotContains(t, line, secret)
	}
}

func TestInstanceIsNewAtEachStart(t *testing.T) {
	c := Config{InstanceID: "pulse-1"}
	assert.Equal(t, "pulse-1-ab12", c.Instance("ab12"))
	assert.NotEqual(t, c.Instance("ab12"), c.Instance("cd34"), "a restart must not overwrite its predecessor's rows")
}

func TestQualityOriginList(t *testing.T) {
	clearEnv(t)
	t.Setenv("PULSE_QUALITY_ORIGINS", "https://call.example.edu/, http://localhost:5173")
	c, err := Load()
	require.NoError(t, err)
	assert.Equal(t, []string{"https://call.example.edu", "http://localhost:5173"}, c.QualityOriginList())
}

func TestLoadRejectsAlerts(t *testing.T) {
	clearEnv(t)
	for name, env := range map[string][][2]string{
		"ZeroEvalInterval":     {{"PULSE_ALERT_EVAL_INTERVAL", "0s"}},
		"ZeroFailureThreshold": {{"PULSE_ALERT_FAILURE_THRESHOLD", "0"}},
		"NegativeReminder":     {{"PULSE_ALERT_REMINDER_INTERVAL", "-1h"}},
		"IncidentsUnderADay":   {{"PULSE_INCIDENT_RETENTION", "1h"}},
		"WebhookNotHTTP":       {{"PULSE_ALERT_WEBHOOK_URLS", "https://ok.example.org/h,ftp://x"}},
		"SlackNotAURL":         {{"PULSE_ALERT_SLACK_URL", "hooks.slack.com/services/x"}},
		"SMTPNotSMTP":          {{"PULSE_SMTP_URL", "http://mail.example.org"}, {"PULSE_ALERT_EMAIL_TO", "a@example.org"}},
		"SMTPWithoutTo":        {{"PULSE_SMTP_URL", "smtp://mail.example.org:587"}},
		"BadRecipient":         {{"PULSE_SMTP_URL", "smtp://mail.example.org:587"}, {"PULSE_ALERT_EMAIL_TO", "not an address"}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, kv := range env {
				t.Setenv(kv[0], kv[1])
			}
			_, err := Load()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "PULSE_", "the error names the setting")
		})
	}
	t.Run("EveryChannelAccepted", func(t *testing.T) {
		t.Setenv("PULSE_ALERT_WEBHOOK_URLS", "https://a.example.org/hook, http://127.0.0.1:9000/hook")
		t.Setenv("PULSE_ALERT_SLACK_URL", "https://hooks.slack.com/services/T/B/x")
		t.Setenv("PULSE_SMTP_URL", "smtps://alerts:pw@mail.example.org")
		t.Setenv("PULSE_ALERT_EMAIL_TO", "oncall@example.org,ops@example.org")
		c, err := Load()
		require.NoError(t, err)
		assert.Len(t, c.AlertWebhookURLs, 2)
	})
}

func TestRedactedHidesAlertSecrets(t *testing.T) {
	c := Config{AlertWebhookSecret: "hook-secret", AlertSlackURL: "https://hooks.slack.com/services/T/B/slack-token",
		SMTPURL: "smtp://alerts:smtp-pw@mail.example.org:587"}
	var all []string
	for _, v := range c.Redacted() {
		s, _ := v.(string)
		all = append(all, s)
		assert.NotContains(t, s, "hook-secret")
		assert.NotContains(t, s, "slack-token")
		assert.NotContains(t, s, "smtp-pw")
	}
	assert.Contains(t, all, "smtp://alerts:***@mail.example.org:587")
}
