package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
)

func TestCLICategoryMap(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, dsn := e.Open(t)
			t.Setenv("PULSE_DATABASE_URL", dsn)
			t.Run("Map", func(t *testing.T) {
				out, _, err := cli(t, "", "category", "map", "--provider", "daily", "--prefix", "fin-", "--category", "financial aid")
				require.NoError(t, err)
				assert.Contains(t, out, `daily rooms named "fin-"… go to "Financial Aid"`)
				rules, err := db.ListCategoryPrefixes(context.Background())
				require.NoError(t, err)
				assert.Equal(t, []pulse.CategoryPrefix{{Provider: pulse.ProviderDaily, Prefix: "fin-", Category: "Financial Aid"}}, rules)
			})
			t.Run("List", func(t *testing.T) {
				out, _, err := cli(t, "", "category", "map")
				require.NoError(t, err)
				assert.Regexp(t, `(?m)^daily\s+fin-\s+Financial Aid$`, out)
			})
			t.Run("UnknownCategory", func(t *testing.T) {
				_, _, err := cli(t, "", "category", "map", "--provider", "daily", "--prefix", "x-", "--category", "Nope")
				assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
			})
			t.Run("MissingFlag", func(t *testing.T) {
				_, _, err := cli(t, "", "category", "map", "--provider", "daily", "--prefix", "x-")
				assert.ErrorIs(t, err, errUsage)
			})
		})
	}
}

// TestServeCountsWebhookRejections runs the real server: a delivery with a
// bad signature is a 401 and shows in pulse_webhook_rejected_total.
func TestServeCountsWebhookRejections(t *testing.T) {
	t.Setenv("PULSE_DATABASE_URL", filepath.Join(t.TempDir(), "pulse.db"))
	t.Setenv("PULSE_ADDR", "127.0.0.1:0")
	t.Setenv("PULSE_LIVEKIT_URL", "http://127.0.0.1:1") // the checker's, never reached here
	t.Setenv("PULSE_LIVEKIT_API_KEY", "APIserve")
	t.Setenv("PULSE_LIVEKIT_API_SECRET", "serve-secret-serve-secret-serve-secret")
	cfg, err := config.Load()
	require.NoError(t, err)
	base, _ := startServe(t, cfg, serveOptions{})
	post := func(path string) int {
		res, err := http.Post(base+path, "application/webhook+json", strings.NewReader(`{"event":"room_started"}`))
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, post("/api/webhooks/livekit"))
	assert.Equal(t, http.StatusNotFound, post("/api/webhooks/daily"), "no Daily secret: not configured")

	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), `pulse_webhook_rejected_total{provider="livekit"} 1`)
	assert.Contains(t, string(body), `pulse_webhook_rejected_total{provider="daily"} 0`)
}
