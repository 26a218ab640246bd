package alerting

import (
	"context"
	"fmt"
	"time"

	"pulse/internal/pulse"
)

// pingTimeout bounds the database check of each evaluation tick, so that a
// database that does not answer at all holds the tick loop up this long only.
const pingTimeout = 2 * time.Second

// outage is the fallback for the one trouble the evaluator cannot record:
// its own database unreachable. Elections, incidents, rule state and the
// outbox all live in the database, so this lives in memory only, on every
// replica: the same hysteresis as the rules, over one ping per tick, and
// notifications sent straight to the channels.
type outage struct {
	state pulse.RuleState
	// down tells whether the last ping failed.
	down bool
	// since is the first failed ping of the current streak, backAt the first
	// good one after it.
	since, backAt time.Time
	// announced tells whether this replica sent the outage's opening; only
	// then is its resolve sent.
	announced bool
	// stopOpening ends the opening's retries once the outage resolves: the
	// resolve says since when and for how long.
	stopOpening context.CancelFunc
}

// watchDatabase pings the database, steps the outage's hysteresis, and
// notifies an opening or a resolve; it returns the ping's error.
func (e *Evaluator) watchDatabase(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, pingTimeout)
	err := e.store.Ping(pctx)
	cancel()
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: not the database's fault
	}
	now := e.now().UTC()
	o := &e.db
	obs := pulse.SeverityOK
	if err != nil {
		obs = pulse.SeverityCritical
		// A streak starts a new outage only while none is open: one good
		// ping inside an open outage zeroes Failures too, and the resolve
		// must carry the opening's opened_at (the first failed check).
		if o.state.Failures == 0 && !o.state.Open {
			o.since = now
			e.log.Warn("alerts: the database does not answer", "err", err)
		}
	} else if o.state.Failures > 0 {
		o.backAt = now
	}
	o.down = err != nil
	var tr pulse.Transition
	o.state, tr = e.cfg.Hysteresis.Step(o.state, obs)
	switch tr {
	case pulse.TransitionOpen:
		e.outageOpened(ctx, now, err)
	case pulse.TransitionResolve:
		e.outageResolved(ctx)
	}
	return err
}

// outageOpened pages every channel, once, from one replica.
//
// Only the replica that led the alert evaluation when the database last
// answered pages (without a leader, as on SQLite, the one replica does): N
// replicas must not page N times, and with the database gone there is no
// election to ask. It still knows it led, because a tick whose ping fails
// does not ask for leadership, and an election that failed with the
// database (rather than lost) does not make it forget. The limit: if that process died with
// the database, nobody pages; an outside probe of /readyz stays the
// backstop.
func (e *Evaluator) outageOpened(ctx context.Context, now time.Time, cause error) {
	o := &e.db
	switch {
	case e.leader != nil && !e.ledLast:
		e.log.Warn("alerts: the database is unreachable; the replica that led the alert evaluation pages, not this one",
			"since", o.since, "err", cause)
		return
	case e.dbRuleOpen:
		e.log.Warn("alerts: the database is unreachable; the database rule's incident is already open, so no second page",
			"since", o.since, "err", cause)
		return
	case pulse.Silenced(e.silences, pulse.RuleDatabase, now):
		// The silences last read while the database answered, judged by
		// their end: one added for a planned failover covers it.
		e.log.Warn("alerts: the database is unreachable; silenced, nobody is paged", "since", o.since, "err", cause)
		return
	}
	e.log.Error("alerts: the database is unreachable; paging every channel directly (nothing can be recorded)",
		"since", o.since, "channels", len(e.channels), "err", cause)
	o.announced = true
	sctx, cancel := context.WithCancel(ctx)
	o.stopOpening = cancel
	// The reason is the database rule's own words; the driver's error (hosts,
	// user names) stays in the log above, out of third-party chat rooms.
	e.send(sctx, pulse.Notification{Rule: pulse.RuleDatabase, Severity: pulse.SeverityCritical, Kind: pulse.EventOpened,
		Summary:  fmt.Sprintf("Pulse cannot reach its database%s since %s", e.replica(), o.since.Format(time.RFC3339)),
		Reasons:  []string{"database unreachable"},
		OpenedAt: o.since, DashboardURL: e.cfg.DashboardURL, Unrecorded: true})
}

// outageResolved sends the resolve if the opening was sent.
func (e *Evaluator) outageResolved(ctx context.Context) {
	o := &e.db
	after := o.backAt.Sub(o.since).Round(time.Second)
	if o.stopOpening != nil {
		o.stopOpening()
		o.stopOpening = nil
	}
	if !o.announced {
		e.log.Info("alerts: the database is reachable again", "after", after)
		return
	}
	o.announced = false
	e.log.Info("alerts: the database is reachable again; sending the resolve", "after", after)
	e.send(ctx, pulse.Notification{Rule: pulse.RuleDatabase, Severity: pulse.SeverityCritical, Kind: pulse.EventResolved,
		Summary:  fmt.Sprintf("Database reachable again after %s%s", after, e.replica()),
		OpenedAt: o.since, ResolvedAt: o.backAt, DashboardURL: e.cfg.DashboardURL, Unrecorded: true})
}

func (e *Evaluator) replica() string {
	if e.cfg.Instance == "" {
		return ""
	}
	return " (replica " + e.cfg.Instance + ")"
}

// send delivers n to every channel, each in a goroutine of its own so that
// the tick loop goes on, and retries a failed attempt after Backoff for as
// long as the waits stay within RetryFor, as the outbox does. Nothing is
// stored: a process that stops forgets.
func (e *Evaluator) send(ctx context.Context, n pulse.Notification) {
	for _, ch := range e.channels {
		notifier := e.notifiers[ch]
		e.sends.Go(func() {
			var waited time.Duration
			for attempt := 1; ; attempt++ {
				nctx, cancel := context.WithTimeout(ctx, sendTimeout)
				err := notifier.Notify(nctx, n)
				cancel()
				if err == nil {
					e.log.Info("alerts: database outage notified", "channel", ch, "status", n.Status(), "attempt", attempt)
					return
				}
				wait := e.backoff(attempt)
				if ctx.Err() != nil || waited+wait >= e.cfg.RetryFor {
					e.log.Error("alerts: database outage not notified; giving up", "channel", ch, "status", n.Status(),
						"attempts", attempt, "err", err)
					return
				}
				e.log.Warn("alerts: database outage not notified; retrying", "channel", ch, "status", n.Status(),
					"attempt", attempt, "retry_in", wait, "err", err)
				waited += wait
				t := time.NewTimer(wait)
				select {
				case <-ctx.Done():
					t.Stop()
					return
				case <-t.C:
				}
			}
		})
	}
}

// Wait waits for the database-outage notifications still being sent; their
// retries end with the context of the Evaluate that started them.
func (e *Evaluator) Wait() { e.sends.Wait() }
