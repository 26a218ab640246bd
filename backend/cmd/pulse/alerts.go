package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"pulse/internal/alerting"
	"pulse/internal/config"
	"pulse/internal/notify"
	"pulse/internal/pulse"
	"pulse/internal/store"
)

// newNotifiers builds the configured alert channels: "webhook:1", … in the
// order of PULSE_ALERT_WEBHOOK_URLS, "slack", "email".
func newNotifiers(cfg config.Config) ([]pulse.Notifier, error) {
	var out []pulse.Notifier
	for i, u := range cfg.AlertWebhookURLs {
		if strings.TrimSpace(u) != "" {
			out = append(out, notify.NewWebhook(fmt.Sprintf("webhook:%d", i+1), u, cfg.AlertWebhookSecret, nil))
		}
	}
	if cfg.AlertSlackURL != "" {
		out = append(out, notify.NewSlack(cfg.AlertSlackURL, nil))
	}
	if cfg.SMTPURL != "" {
		m, err := notify.NewSMTP(cfg.SMTPURL, cfg.AlertEmailFrom, cfg.AlertEmailTo)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// newEvaluator wires the alert evaluator to the same live figures as the
// dashboard's /current.
func newEvaluator(cfg config.Config, db *store.DB, src pulse.LiveSources, thresholds pulse.HealthThresholds, log *slog.Logger) (*alerting.Evaluator, error) {
	notifiers, err := newNotifiers(cfg)
	if err != nil {
		return nil, err
	}
	e, err := alerting.New(alerting.Config{
		Interval:         cfg.AlertEvalInterval,
		Hysteresis:       pulse.Hysteresis{FailureThreshold: cfg.AlertFailureThreshold, SuccessThreshold: cfg.AlertSuccessThreshold},
		Thresholds:       thresholds,
		ReminderInterval: cfg.AlertReminderInterval,
		RetryFor:         cfg.AlertRetryFor,
		DashboardURL:     cfg.DashboardURL,
	}, alerting.Deps{
		Store: db, Leader: db, Notifiers: notifiers, Logger: log,
		Live: func(ctx context.Context, now time.Time) (pulse.Live, error) {
			return pulse.ReadLive(ctx, now, src, nil)
		},
	})
	if err != nil {
		return nil, err
	}
	if len(e.Channels()) == 0 {
		log.Info("alerts: no channel configured; incidents are recorded but nobody is notified (see PULSE_ALERT_* in the README)")
	} else {
		log.Info("alerts: notifying", "channels", strings.Join(e.Channels(), ","))
	}
	return e, nil
}
