package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"strconv"
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
// dashboard's /current; instance names this replica.
func newEvaluator(cfg config.Config, db *store.DB, instance string, src pulse.LiveSources, thresholds pulse.HealthThresholds, log *slog.Logger) (*alerting.Evaluator, error) {
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
		Instance:         instance,
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

// silenceAdd silences a rule (or all) for --for, with a reason.
func silenceAdd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("silence add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rule := fs.String("rule", "", "an alert rule id ("+pulse.AlertRuleIDs()+") or all")
	dur := fs.Duration("for", 0, "how long, e.g. 2h or 90m")
	reason := fs.String("reason", "", "what is being maintained")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if *rule == "" || *dur == 0 {
		return usageErr("silence add needs --rule RULE|all and --for DURATION (and --reason TEXT)")
	}
	now := time.Now().UTC()
	s, err := pulse.NewSilence(*rule, now, now.Add(*dur), *reason, cliUser())
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		s, err := db.CreateSilence(ctx, s)
		if err != nil {
			return err
		}
		return say(stdout, "silence %d: %s sends no notification until %s (incidents are still recorded)\n", s.ID, silencedWhat(s.Rule), stamp(s.EndsAt))
	})
}

// silenceList prints the silences that have not ended.
func silenceList(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return usageErr("silence list takes no arguments")
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		ss, err := db.ActiveSilences(ctx, time.Now())
		if err != nil {
			return err
		}
		if len(ss) == 0 {
			return say(stderr, "no silences; add one with: pulse silence add --rule RULE|all --for 2h --reason TEXT\n")
		}
		rows := make([][]string, 0, len(ss))
		for _, s := range ss {
			rows = append(rows, []string{strconv.FormatInt(s.ID, 10), string(s.Rule), stamp(s.EndsAt), s.CreatedBy, s.Reason})
		}
		return writeTable(stdout, []string{"ID", "RULE", "UNTIL", "BY", "REASON"}, rows)
	})
}

// silenceRemove ends a silence now.
func silenceRemove(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageErr("silence remove needs one ID (see pulse silence list)")
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErr("silence remove: %q is not a silence id", args[0])
	}
	return withStore(ctx, cfg, func(db *store.DB) error {
		if err := db.DeleteSilence(ctx, id); err != nil {
			return err
		}
		return say(stdout, "silence %d removed: its rules notify again from the next evaluation\n", id)
	})
}

func silencedWhat(rule string) string {
	if rule == pulse.SilenceAll {
		return "every alert rule"
	}
	return "rule " + rule
}

// cliUser names who added a silence from the command line.
func cliUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
