// Package lifecycle keeps the database from growing without bound: it deletes
// what is past its retention and ends the sessions nobody ended. One replica
// does it at a time (the leader of Job); `pulse prune` does it at once.
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"pulse/internal/pulse"
)

// Job is the leadership the pruner asks pulse.Leader for.
const Job = "lifecycle-prune"

// Every is how often Run prunes on the leader.
const Every = time.Hour

// Store is what the pruner deletes from; each call works in bounded batches.
type Store interface {
	// EndStaleSessions ends the open sessions last seen before seenBefore,
	// at their last-seen time, as abandoned.
	EndStaleSessions(ctx context.Context, seenBefore time.Time) (int64, error)
	PruneSessions(ctx context.Context, startedBefore time.Time) (int64, error)
	PruneProviderChecks(ctx context.Context, before time.Time) (int64, error)
	PruneRollups(ctx context.Context, before time.Time) (int64, error)
	PruneProcessedEvents(ctx context.Context, before time.Time) (int64, error)
	// PruneIncidents deletes incidents resolved before `before` (with their
	// timeline and notifications) and silences that ended before it.
	PruneIncidents(ctx context.Context, before time.Time) (int64, error)
	PruneQualityMinutes(ctx context.Context, before time.Time) (int64, error)
	PruneSeenMinutes(ctx context.Context, before time.Time) (int64, error)
	// PruneSignInThrottle deletes the per-account sign-in records forgotten
	// at now (pulse.SignInFailures.Forgotten).
	PruneSignInThrottle(ctx context.Context, now time.Time) (int64, error)
}

// Config is every rule; all durations must be positive.
type Config struct {
	SessionRetention       time.Duration
	SessionStaleAfter      time.Duration
	ProviderCheckRetention time.Duration
	RollupRetention        time.Duration
	// WebhookEventRetention keeps applied webhook event ids: a redelivery
	// within it has no second effect.
	WebhookEventRetention time.Duration
	IncidentRetention     time.Duration
}

// Report is what one pass removed or ended.
type Report struct {
	Sessions, ProviderChecks, Rollups int64 // rows deleted
	ProcessedEvents                   int64 // webhook event ids forgotten
	Incidents                         int64 // resolved incidents deleted
	Abandoned                         int64 // open sessions ended as abandoned
	QualityMinutes                    int64 // rows of the live quality rollup deleted
	SeenMinutes                       int64 // rows of the live-session count's rollup deleted
	SignInThrottle                    int64 // forgotten per-account sign-in records deleted
}

// WriteTo prints the report one table a line, as `pulse prune` shows it.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	n, err := fmt.Fprintf(w, "sessions: %d deleted\nprovider_checks: %d deleted\nrequest_rollups: %d deleted\nprocessed_events: %d deleted\nincidents: %d deleted\nabandoned sessions ended: %d\nquality_minutes: %d deleted\nseen_minutes: %d deleted\nlogin_throttle: %d deleted\n",
		r.Sessions, r.ProviderChecks, r.Rollups, r.ProcessedEvents, r.Incidents, r.Abandoned, r.QualityMinutes, r.SeenMinutes, r.SignInThrottle)
	return int64(n), err
}

// Pruner applies Config to Store.
type Pruner struct {
	cfg    Config
	store  Store
	leader pulse.Leader
	now    func() time.Time
	log    *slog.Logger
}

// New returns a pruner. leader nil means this instance always prunes; now nil
// means time.Now; log nil means slog.Default().
func New(cfg Config, store Store, leader pulse.Leader, now func() time.Time, log *slog.Logger) (*Pruner, error) {
	if cfg.SessionRetention <= 0 || cfg.SessionStaleAfter <= 0 || cfg.ProviderCheckRetention <= 0 || cfg.RollupRetention <= 0 || cfg.WebhookEventRetention <= 0 || cfg.IncidentRetention <= 0 {
		return nil, errors.New("lifecycle: every retention and the stale limit must be positive")
	}
	if store == nil {
		return nil, errors.New("lifecycle: a Store is required")
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Pruner{cfg: cfg, store: store, leader: leader, now: now, log: log}, nil
}

// Prune runs every rule once, now: the stale sweep first, so that a session
// about to be deleted is counted as abandoned before it goes. It stops at the
// first error and reports what was done until then.
func (p *Pruner) Prune(ctx context.Context) (Report, error) {
	now := p.now()
	var r Report
	steps := []struct {
		name string
		n    *int64
		run  func(context.Context, time.Time) (int64, error)
		age  time.Duration
	}{
		{"end stale sessions", &r.Abandoned, p.store.EndStaleSessions, p.cfg.SessionStaleAfter},
		{"prune sessions", &r.Sessions, p.store.PruneSessions, p.cfg.SessionRetention},
		{"prune provider checks", &r.ProviderChecks, p.store.PruneProviderChecks, p.cfg.ProviderCheckRetention},
		{"prune request rollups", &r.Rollups, p.store.PruneRollups, p.cfg.RollupRetention},
		{"prune processed webhook events", &r.ProcessedEvents, p.store.PruneProcessedEvents, p.cfg.WebhookEventRetention},
		{"prune incidents", &r.Incidents, p.store.PruneIncidents, p.cfg.IncidentRetention},
		{"prune quality minutes", &r.QualityMinutes, p.store.PruneQualityMinutes, pulse.QualityRollupKept},
		{"prune seen minutes", &r.SeenMinutes, p.store.PruneSeenMinutes, pulse.SeenRollupKept},
		// Age 0: the store reads "forgotten" at now (quiet and not waiting).
		{"prune sign-in throttle", &r.SignInThrottle, p.store.PruneSignInThrottle, 0},
	}
	for _, s := range steps {
		n, err := s.run(ctx, now.Add(-s.age))
		*s.n = n
		if err != nil {
			return r, fmt.Errorf("lifecycle: %s: %w", s.name, err)
		}
	}
	return r, nil
}

// Run prunes at once and then every Every until ctx ends, on whichever
// replica leads Job; call it once, in its own goroutine.
func (p *Pruner) Run(ctx context.Context) {
	ticker := time.NewTicker(Every)
	defer ticker.Stop()
	for {
		_, _, _ = p.RunOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// RunOnce is one pass of Run: if this replica leads Job, prune and give
// leadership back, so that any replica may take the next pass. led reports
// whether it pruned; errors are logged as well as returned.
func (p *Pruner) RunOnce(ctx context.Context) (r Report, led bool, err error) {
	if ctx.Err() != nil {
		return r, false, ctx.Err()
	}
	if p.leader != nil {
		release, ok, err := p.leader.TryLead(ctx, Job)
		if err != nil {
			p.log.Warn("lifecycle: could not ask for leadership; skipping this pass", "err", err)
			return r, false, err
		}
		if !ok {
			return r, false, nil
		}
		if release != nil {
			defer release()
		}
	}
	r, err = p.Prune(ctx)
	if err != nil {
		p.log.Warn("lifecycle: prune failed", "err", err)
	}
	if r != (Report{}) {
		p.log.Info("lifecycle: pruned", "sessions", r.Sessions, "provider_checks", r.ProviderChecks,
			"request_rollups", r.Rollups, "incidents", r.Incidents, "abandoned_sessions_ended", r.Abandoned, "quality_minutes", r.QualityMinutes,
			"seen_minutes", r.SeenMinutes, "login_throttle", r.SignInThrottle)
	}
	return r, true, err
}
