package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"pulse/internal/config"
	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/webhooks"
)

// webhookReceivers builds the receivers the configuration allows; a route
// without one answers 404 (not configured).
func webhookReceivers(cfg config.Config, now func() time.Time) (livekit, daily httpapi.WebhookReceiver, err error) {
	if cfg.LiveKitAPIKey != "" && cfg.LiveKitAPISecret != "" {
		livekit = webhooks.NewLiveKit(cfg.LiveKitAPIKey, cfg.LiveKitAPISecret, cfg.BeyAgentIdentity)
	}
	if cfg.DailyWebhookSecret != "" {
		d, err := webhooks.NewDaily(cfg.DailyWebhookSecret, now)
		if err != nil {
			return nil, nil, err
		}
		daily = d
	}
	return livekit, daily, nil
}

// newWebhookRejections is pulse_webhook_rejected_total, with both providers'
// series present from the start.
func newWebhookRejections() (*prometheus.CounterVec, func(pulse.Provider)) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "pulse_webhook_rejected_total",
		Help: "Provider webhook deliveries refused for a missing, invalid or stale signature.",
	}, []string{"provider"})
	for _, p := range []pulse.Provider{pulse.ProviderLiveKit, pulse.ProviderDaily} {
		c.WithLabelValues(string(p))
	}
	return c, func(p pulse.Provider) { c.WithLabelValues(string(p)).Inc() }
}

// categoryMap is `pulse category map`: with --provider, --prefix and
// --category it adds (or moves) a room-name prefix rule; with no flag it
// lists the rules.
func categoryMap(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("category map", flag.ContinueOnError)
	fs.SetOutput(stderr)
	provider := fs.String("provider", "", "daily or livekit")
	prefix := fs.String("prefix", "", "the start of the room names")
	category := fs.String("category", "", "an existing category")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	list := *provider == "" && *prefix == "" && *category == ""
	if !list && (*provider == "" || *prefix == "" || strings.TrimSpace(*category) == "") {
		return usageErr("category map needs --provider, --prefix and --category (or no flag, to list the rules)")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		if !list {
			p, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.Provider(*provider), Prefix: *prefix, Category: *category})
			if err != nil {
				return err
			}
			return say(stdout, "%s rooms named %q… go to %q (the longest matching prefix wins)\n", p.Provider, p.Prefix, p.Category)
		}
		rules, err := db.ListCategoryPrefixes(ctx)
		if err != nil {
			return err
		}
		rows := make([][]string, 0, len(rules))
		for _, r := range rules {
			rows = append(rows, []string{string(r.Provider), r.Prefix, r.Category})
		}
		return writeTable(stdout, []string{"PROVIDER", "PREFIX", "CATEGORY"}, rows)
	})
}
