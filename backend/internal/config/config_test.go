package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	assert.Equal(t, ":8080", c.Addr)
	assert.Equal(t, "data/pulse.db", c.DatabaseURL)
	assert.False(t, c.IsPostgres())
	assert.Equal(t, 0.02, c.ErrorRateDegraded)
	assert.Equal(t, 0.05, c.ErrorRateCritical)
	assert.Equal(t, 500.0, c.P95DegradedMs)
	assert.Equal(t, 1000.0, c.P95CriticalMs)
	assert.Equal(t, 30*time.Second, c.CheckInterval)
	assert.Equal(t, 5*time.Second, c.CheckTimeout)
	assert.Equal(t, 7*24*time.Hour, c.TelemetryRetention)
	assert.Equal(t, 5*time.Second, c.BodyReadTimeout)
	assert.Equal(t, 5, c.LoginFreeFailures)
	assert.Equal(t, 5*time.Minute, c.LoginBackoffMax)
	assert.Empty(t, c.AllowedOrigins)
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
		"RetentionUnderAnHour":      {"PULSE_TELEMETRY_RETENTION", "5m"},
		"CheckIntervalNotADuration": {"PULSE_CHECK_INTERVAL", "often"},
		"NoFreeLoginFailure":        {"PULSE_LOGIN_FREE_FAILURES", "0"},
		"LoginBackoffUnderASecond":  {"PULSE_LOGIN_BACKOFF_MAX", "500ms"},
		"NoBodyReadTimeout":         {"PULSE_BODY_READ_TIMEOUT", "0s"},
		"AllowedOriginWithAPath":    {"PULSE_ALLOWED_ORIGINS", "https://dashboard.example.org/login"},
		"AllowedOriginWithoutHost":  {"PULSE_ALLOWED_ORIGINS", "dashboard.example.org"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(env[0], env[1])
			_, err := Load()
			assert.Error(t, err)
		})
	}
}

func TestDatabaseURL(t *testing.T) {
	assert.True(t, IsPostgresURL("postgres://u@h/db"))
	assert.True(t, IsPostgresURL("postgresql://u@h/db"))
	assert.False(t, IsPostgresURL("/var/lib/pulse.db"))
	assert.Equal(t, "postgres://pulse:***@db:5432/pulse?sslmode=disable", RedactURL("postgres://pulse:s3cret@db:5432/pulse?sslmode=disable"))
	assert.Equal(t, "postgres://pulse@db/pulse", RedactURL("postgres://pulse@db/pulse"))
}

func TestRedactedHidesSecrets(t *testing.T) {
	c := Config{JWTSecret: "super-secret-value-of-32-characters!", DailyAPIKey: "daily-key", DatabaseURL: "postgres://u:pw@h/db"}
	for _, v := range c.Redacted() {
		s, _ := v.(string)
		assert.NotContains(t, s, "super-secret")
		assert.NotContains(t, s, "daily-key")
		assert.NotContains(t, s, ":pw@")
	}
}

func TestInstanceIsNewAtEachStart(t *testing.T) {
	c := Config{InstanceID: "pulse-1"}
	assert.Equal(t, "pulse-1-ab12", c.Instance("ab12"))
	assert.NotEqual(t, c.Instance("ab12"), c.Instance("cd34"), "a restart must not overwrite its predecessor's rows")
}
