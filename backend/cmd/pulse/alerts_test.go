package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
)

// TestAlertRules checks deploy/pulse-alerts.yml with promtool, runs its unit
// tests (deploy/pulse-alerts.test.yml), and checks that its thresholds are
// the dashboard's defaults, so that a change of one is not forgotten in the
// other.
func TestAlertRules(t *testing.T) {
	promtool := needPromtool(t)
	deploy := filepath.Join("..", "..", "..", "deploy") // the repository's, beside backend/
	for _, args := range [][]string{
		{"check", "rules", filepath.Join(deploy, "pulse-alerts.yml")},
		{"test", "rules", filepath.Join(deploy, "pulse-alerts.test.yml")},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		assert.NoError(t, err, "promtool %s: %s", strings.Join(args, " "), out)
	}

	rules, err := os.ReadFile(filepath.Join(deploy, "pulse-alerts.yml"))
	require.NoError(t, err)
	cfg := config.Defaults()
	for _, want := range []string{
		fmt.Sprintf("job:pulse_http_error_ratio:1h > %g\n", cfg.ErrorRateCritical),
		fmt.Sprintf("job:pulse_http_error_ratio:1h > %g\n", cfg.ErrorRateDegraded),
		fmt.Sprintf("job:pulse_http_error_ratio:1h <= %g\n", cfg.ErrorRateCritical),
		fmt.Sprintf("job:pulse_http_request_duration_seconds:p95_1h > %g\n", cfg.P95CriticalMs/1000),
		fmt.Sprintf("job:pulse_http_request_duration_seconds:p95_1h > %g\n", cfg.P95DegradedMs/1000),
		fmt.Sprintf("job:pulse_http_request_duration_seconds:p95_1h <= %g\n", cfg.P95CriticalMs/1000),
		fmt.Sprintf("job:pulse_http_requests:increase1h >= %d\n", cfg.HealthMinRequests),
	} {
		assert.Contains(t, string(rules), want, "deploy/pulse-alerts.yml against the defaults in internal/config")
	}
}
