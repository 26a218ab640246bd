package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
)

// needPromtool returns promtool's path; it skips the test without it, except
// in CI, which must have it.
func needPromtool(t *testing.T) string {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is not installed (apt-get install prometheus)")
		}
		t.Skip("promtool not installed")
	}
	return promtool
}

// TestMetricsPassPromtool scrapes /metrics of a running server and lints it
// with promtool (Debian package prometheus), as Prometheus itself would parse it.
func TestMetricsPassPromtool(t *testing.T) {
	promtool := needPromtool(t)
	t.Setenv("PULSE_DATABASE_URL", filepath.Join(t.TempDir(), "pulse.db"))
	t.Setenv("PULSE_ADDR", "127.0.0.1:0")
	cfg, err := config.Load()
	require.NoError(t, err)
	base, _ := startServe(t, cfg, serveOptions{})
	// Some traffic, so that the request histograms have series.
	for _, p := range []string{"/api/admin/metrics/current", "/api/nowhere"} {
		res, err := http.Get(base + p)
		require.NoError(t, err)
		_ = res.Body.Close()
	}
	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	text := string(body)
	for _, name := range []string{"pulse_http_requests_total", "pulse_http_request_duration_seconds_bucket", "pulse_active_sessions",
		"go_sql_max_open_connections", "pulse_provider_status", "go_goroutines",
		// what deploy/pulse-alerts.yml reads besides
		"go_sql_in_use_connections", "go_sql_wait_count_total", "pulse_sessions_scrape_success"} {
		assert.True(t, strings.Contains(text, name), "/metrics lacks %s", name)
	}
	assert.Contains(t, text, `route="unmatched"`, "unknown paths share one label value")
	assert.Contains(t, text, `le="0.5"}`, "the p95 thresholds are bucket bounds")
	assert.Contains(t, text, `le="1"}`)

	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	assert.NoError(t, err, "promtool: %s", strings.TrimSpace(string(out)))
}
