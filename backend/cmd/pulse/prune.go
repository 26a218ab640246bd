package main

import (
	"context"
	"io"
	"log/slog"

	"pulse/internal/config"
	"pulse/internal/lifecycle"
	"pulse/internal/pulse"
	"pulse/internal/store"
)

// newPruner wires every retention rule of cfg, the one place old rows are
// deleted; leader nil prunes unconditionally.
func newPruner(cfg config.Config, db *store.DB, leader pulse.Leader, log *slog.Logger) (*lifecycle.Pruner, error) {
	return lifecycle.New(lifecycle.Config{
		SessionRetention:       cfg.SessionRetention,
		SessionStaleAfter:      cfg.SessionStaleAfter,
		ProviderCheckRetention: cfg.ProviderCheckRetention,
		RollupRetention:        cfg.TelemetryRetention,
		WebhookEventRetention:  cfg.WebhookEventRetention,
		IncidentRetention:      cfg.IncidentRetention,
	}, db, leader, nil, log)
}

// prune runs every rule once, now, without asking for leadership: the
// deletes are batched and idempotent, so running beside the hourly pass of a
// serving replica is safe.
func prune(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	return withStore(ctx, cfg, func(db *store.DB) error {
		p, err := newPruner(cfg, db, nil, log)
		if err != nil {
			return err
		}
		r, err := p.Prune(ctx)
		// What was done before an error is still worth printing.
		if _, werr := r.WriteTo(stdout); err == nil {
			err = werr
		}
		return err
	})
}
