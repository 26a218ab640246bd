package config

import (
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
	assert.False(t, c.IsPostgres())
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
	assert.Equal(t, 2*time.Second, c.SnapshotIntervalCurrent)
	assert.Equal(t, 10*time.Second, c.SnapshotInterval)
}

func TestLoadRejects(t *testing.T) {
	for name, env := range map[string][2]string{
		"ShortJWTSecret":            {"PULSE_JWT_SECRET", "short"},
		"DegradedAboveCritical":     {"PULSE_ERROR_RATE_DEGRADED", "0.5"},
		"NotANumber":                {"PULSE_P95_DEGRADED_MS", "fast"},
		"NegativePool":              {"PULSE_DB_MAX_OPEN_CONNS", "-1"},
		"RetentionUnderAnHour":      {"PULSE_TELEMETRY_RETENTION", "5m"},
		"CheckIntervalNotADuration": {"PULSE_CHECK_INTERVAL", "often"},
		"ZeroDownAfter":             {"PULSE_CHECK_DOWN_AFTER", "0"},
		"CheckHistoryUnderADay":     {"PULSE_PROVIDER_CHECK_RETENTION", "1h"},
		"ZeroDashboardDBTimeout":    {"PULSE_DASHBOARD_DB_TIMEOUT", "0s"},
		"NegativeDashboardTimeout":  {"PULSE_DASHBOARD_DB_TIMEOUT", "-1s"},
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
