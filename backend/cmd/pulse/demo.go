package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/auth"
	"pulse/internal/config"
	"pulse/internal/demo"
	"pulse/internal/pulse"
	"pulse/internal/store"
)

const demoPassword = "pulse-demo"

var demoAccounts = []struct {
	email string
	role  pulse.Role
}{
	{"super@pulse.demo", pulse.RoleSuperAdmin},
	{"monitor@pulse.demo", pulse.RoleSystemMonitor},
	{"content@pulse.demo", pulse.RoleContentManager},
}

// runDemo runs the server with demo accounts, a month of replayed history and
// live traffic through the real API. It is a verb of its own, with no
// environment switch, so that no production deployment turns it on by
// accident; and it refuses a database that has real admins.
func runDemo(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	backfill := fs.Duration("backfill", 24*time.Hour, "request history to replay (0 for none); a month of sessions comes with it")
	peak := fs.Int("peak", 40, "live sessions at the busiest moment")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if os.Getenv("PULSE_LOG_LEVEL") == "" {
		log = newLogger(config.Config{LogLevel: "warn", LogFormat: cfg.LogFormat}, stderr)
	}

	var key string
	if err := withStore(ctx, cfg, func(db *store.DB) (err error) {
		key, err = prepareDemo(ctx, db, *backfill, stderr)
		return err
	}); err != nil {
		return err
	}

	standIns := demo.NewStandIns()
	if err := standIns.Start(); err != nil {
		return err
	}
	defer func() { _ = standIns.Close() }()
	cfg, standing := withStandIns(cfg, standIns)
	cfg, hooks := demoWebhooks(cfg, standing)

	faults := demo.NewFaults()
	// Quicker than in production, so that an incident opens and resolves
	// within a minute or two of each stand-in outage: checks every 10 s
	// (3 failures: down), evaluations every 10 s (3 bad: open; 2 good: resolve).
	if os.Getenv("PULSE_CHECK_INTERVAL") == "" {
		cfg.CheckInterval = 10 * time.Second
	}
	if os.Getenv("PULSE_ALERT_EVAL_INTERVAL") == "" {
		cfg.AlertEvalInterval = 10 * time.Second
	}
	return serve(ctx, cfg, log, &serveOptions{
		ingest:           []echo.MiddlewareFunc{faults.Middleware},
		providerStandIns: standing,
		ready: func(ctx context.Context, base string) {
			_, _ = fmt.Fprint(stdout, demoBanner(base, key, standInsNote(standing, standIns), *peak, faults.BurstEvery, *backfill))
			(&demo.Driver{BaseURL: base, APIKey: key, PeakLive: *peak, Log: log, OnLive: standIns.SetLive, Webhooks: hooks}).Run(ctx)
		},
	})
}

// demoBanner is what the demo prints once it serves. providers says what
// the provider cards show (standInsNote); the first burst comes a third of
// burstEvery after the start.
func demoBanner(base, key, providers string, peak int, burstEvery, backfill time.Duration) string {
	var b strings.Builder
	_, _ = fmt.Fprintf(&b, `
  Pulse demo is running: %s/admin/dashboard

  Sign in with password %q as
    monitor@pulse.demo   SYSTEM_MONITOR   sees the dashboard
    super@pulse.demo     SUPER_ADMIN      sees the dashboard
    content@pulse.demo   CONTENT_MANAGER  is told they are not authorized

  Live demo traffic goes through the API (about %d sessions at peak), with a
  small share of injected 5xx answers and a burst every %s, the first in %s.
%s
  Each stand-in outage opens an alert incident, resolved a minute or so after
  it ends (GET /api/admin/incidents, and the dashboard's incident timeline).
  API key for your own requests (X-API-Key): %s
  Swagger UI: %s/swagger/index.html   Prometheus: %s/metrics
`, base, demoPassword, peak, burstEvery, burstEvery/3, providers, key, base, base)
	if hours := int(backfill / time.Hour); hours > 0 {
		_, _ = fmt.Fprintf(&b, `
  The replayed history (the past %d hours of API requests) is in the dashboard
  only: it was written into the rollups, not sent through the API, so
  Prometheus never saw it. /metrics counts the live traffic since this start;
  do not compare the two over the replayed hours.
`, hours)
	}
	b.WriteString(`
  Demo mode is for evaluation only: never run it against a production database.
  Stop with Ctrl-C.

`)
	return b.String()
}

// withStandIns points every provider the operator did not configure at its
// local stand-in (API, keys and status page), and says which ones it did.
func withStandIns(cfg config.Config, si *demo.StandIns) (config.Config, map[pulse.Provider]bool) {
	standing := map[pulse.Provider]bool{}
	if cfg.DailyAPIKey == "" {
		cfg.DailyAPIURL, cfg.DailyAPIKey, cfg.DailyStatusURL = si.DailyAPIURL(), si.DailyKey, si.DailyStatusURL()
		standing[pulse.ProviderDaily] = true
	}
	if cfg.LiveKitURL == "" {
		cfg.LiveKitURL, cfg.LiveKitAPIKey, cfg.LiveKitAPISecret, cfg.LiveKitStatusURL = si.LiveKitURL(), si.LiveKitKey, si.LiveKitSecret, si.LiveKitStatusURL()
		standing[pulse.ProviderLiveKit] = true
	}
	if cfg.BeyAPIKey == "" {
		cfg.BeyAPIURL, cfg.BeyAPIKey = si.BeyAPIURL(), si.BeyKey
		standing[pulse.ProviderBeyondPresence] = true
	}
	return cfg, standing
}

// demoWebhooks lets the demo's traffic sign the webhooks of the providers
// that are stand-ins, as those providers would: LiveKit's with the
// stand-in's API key and secret, Daily's with the operator's webhook secret
// or else a random one. A real provider's webhooks are left to it.
func demoWebhooks(cfg config.Config, standing map[pulse.Provider]bool) (config.Config, *demo.Webhooks) {
	hooks := &demo.Webhooks{}
	if standing[pulse.ProviderLiveKit] {
		hooks.LiveKitKey, hooks.LiveKitSecret = cfg.LiveKitAPIKey, cfg.LiveKitAPISecret
	}
	if standing[pulse.ProviderDaily] {
		if cfg.DailyWebhookSecret == "" {
			cfg.DailyWebhookSecret = demo.NewDailyWebhookSecret()
		}
		hooks.DailySecret = cfg.DailyWebhookSecret
	}
	return cfg, hooks
}

// standInsNote tells which provider cards show stand-ins.
func standInsNote(standing map[pulse.Provider]bool, si *demo.StandIns) string {
	var names []string
	for _, p := range pulse.Providers {
		if standing[p] {
			names = append(names, p.Name())
		}
	}
	if len(names) == 0 {
		return "  Provider cards: your own providers (their keys and URLs are set)."
	}
	s := si.Schedule
	hooks := ""
	if standing[pulse.ProviderLiveKit] || standing[pulse.ProviderDaily] {
		hooks = `
  About a third of the stand-ins' LiveKit and Daily sessions come through the
  signed provider webhooks (POST /api/webhooks/livekit and /daily).`
	}
	return fmt.Sprintf(`  Provider cards: local demo stand-ins of %s
  (on %s), probed by the real checker and labelled "demo stand-in";
  their rooms are the demo's live sessions. LiveKit's API fails for %s every
  %s (first after %s); its status page declares a major incident meanwhile.%s`,
		strings.Join(names, ", "), si.BaseURL(), s.OutageFor, s.OutageEvery, s.OutageAfter, hooks)
}

// prepareDemo creates the demo accounts and an API key, and replays history.
func prepareDemo(ctx context.Context, db *store.DB, backfill time.Duration, progress io.Writer) (string, error) {
	if n, err := db.CountAdminsOutside(ctx, "@pulse.demo"); err != nil {
		return "", err
	} else if n > 0 {
		return "", fmt.Errorf("this database has %d admin(s) outside @pulse.demo: pulse demo will not add accounts with a known password to it; point PULSE_DATABASE_URL at a scratch database", n)
	}
	hash, err := auth.HashPassword(demoPassword)
	if err != nil {
		return "", err
	}
	for _, a := range demoAccounts {
		_, err := db.AdminByEmail(ctx, a.email)
		if pulse.ErrorCode(err) == pulse.ENOTFOUND {
			_, err = db.CreateAdmin(ctx, pulse.Admin{Email: a.email, Role: a.role, PasswordHash: hash})
		}
		if err != nil {
			return "", err
		}
	}
	secret, prefix, keyHash, err := auth.NewAPIKey()
	if err != nil {
		return "", err
	}
	if _, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: "demo traffic", Prefix: prefix, Hash: keyHash}); err != nil {
		return "", err
	}
	if backfill <= 0 {
		return secret, nil
	}

	now := time.Now()
	sum, err := db.SessionSummary(ctx, now, pulse.SummaryWindowDays)
	if err != nil {
		return "", err
	}
	if sum.Total == 0 {
		_, _ = fmt.Fprintln(progress, "demo data: replaying 30 days of sessions through the store")
		n, err := demo.BackfillSessions(ctx, db, now, pulse.SummaryWindowDays-1, 90, bar(progress, "  sessions "))
		if err != nil {
			return "", err
		}
		_, _ = fmt.Fprintf(progress, "\n  %d past sessions recorded\n", n)
	} else {
		_, _ = fmt.Fprintf(progress, "demo data: %d sessions already in the last 30 days; not replaying them again\n", sum.Total)
	}
	hours := int(backfill / time.Hour)
	_, _ = fmt.Fprintf(progress, "demo data: replaying %d hours of API requests through the telemetry recorder\n", hours)
	n, err := demo.BackfillTelemetry(ctx, db, now, hours, bar(progress, "  requests "))
	if err != nil {
		return "", err
	}
	_, _ = fmt.Fprintf(progress, "\n  %d past requests recorded (instance %q)\n", n, demo.BackfillInstance)
	return secret, nil
}

// bar draws a one-line progress bar.
func bar(w io.Writer, label string) demo.Progress {
	return func(done, total int) {
		const width = 30
		filled := width * done / max(total, 1)
		_, _ = fmt.Fprintf(w, "\r%s[%-*s] %3d%%", label, width, strings.Repeat("#", filled), 100*done/max(total, 1))
	}
}
