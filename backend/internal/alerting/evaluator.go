// Package alerting runs the alert rules: on the one replica that leads, it
// reads the live figures every interval, steps each rule's incident state
// machine (pulse.Hysteresis), records what changed in the store, and delivers
// the notifications the store holds for it, with retries.
//
// Exactly once, per transition and channel: a transition and its pending
// deliveries commit in one transaction, guarded by the rule's version, and
// each delivery attempt is claimed by a conditional update first. Only a
// replica that dies between a receiver's answer and the record of it can
// cause a repeat (after the claim's lease), never a second evaluator.
//
// The one outage this cannot record is its own database's: every tick
// first pings the database, on every replica, and an outage that lasts is
// sent straight to the channels, from memory (dbdown.go).
package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pulse/internal/pulse"
)

// LeaderJob is the leadership the evaluator asks pulse.Leader for.
const LeaderJob = "alert-evaluator"

const (
	// DeliverEvery is how often the leader looks for due deliveries between
	// evaluations, so that retries keep their schedule.
	DeliverEvery = 5 * time.Second
	// sendTimeout bounds one attempt to one channel; claimLease outlives it,
	// so a claimed delivery is taken over only from a sender that died.
	sendTimeout = 15 * time.Second
	claimLease  = time.Minute
	claimBatch  = 50
	// storeTimeout bounds each pass's store calls and reads.
	storeTimeout = 10 * time.Second
)

// Config is the evaluator's rules; cmd/pulse fills it from the configuration.
type Config struct {
	Interval   time.Duration
	Hysteresis pulse.Hysteresis
	Thresholds pulse.HealthThresholds
	// ReminderInterval re-notifies an incident still open; 0 turns it off.
	ReminderInterval time.Duration
	// RetryFor is how long a failed delivery is retried.
	RetryFor time.Duration
	// DashboardURL is linked from every notification; "" for none.
	DashboardURL string
	// Instance names this replica in the notification of a database outage.
	Instance string
}

// Store is what the evaluator keeps its state in.
type Store interface {
	pulse.IncidentStore
	ActiveSilences(ctx context.Context, now time.Time) ([]pulse.Silence, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}

// Deps are the evaluator's collaborators.
type Deps struct {
	Store Store
	// Leader elects the one replica that evaluates; nil means this one does.
	Leader pulse.Leader
	// Live reads the live figures (pulse.ReadLive over the same services as
	// the dashboard's /current).
	Live func(ctx context.Context, now time.Time) (pulse.Live, error)
	// Notifiers are the channels; their names must differ.
	Notifiers []pulse.Notifier
	// Backoff is the wait after failed attempt n (1, 2, …); nil is
	// ExponentialBackoff.
	Backoff func(attempt int) time.Duration
	Now     func() time.Time // nil: time.Now
	Logger  *slog.Logger     // nil: slog.Default()
}

// ExponentialBackoff waits 10 s after the first failed attempt, doubling up
// to 2 minutes: about eight attempts in ten minutes.
func ExponentialBackoff(attempt int) time.Duration {
	return pulse.Doubling(10*time.Second, 2*time.Minute, attempt-1)
}

// Evaluator runs the alert rules; see the package doc.
type Evaluator struct {
	cfg       Config
	store     Store
	leader    pulse.Leader
	live      func(ctx context.Context, now time.Time) (pulse.Live, error)
	notifiers map[string]pulse.Notifier
	channels  []string
	backoff   func(int) time.Duration
	now       func() time.Time
	log       *slog.Logger

	// Run's own state.
	release func()
	leading bool
	// ledLast tells whether this replica was the leader the last time the
	// election answered: a TryLead that fails (the database failing between
	// the ping and the election) ends this pass's leadership but does not
	// say that someone else leads, so the page for the outage that follows
	// still comes from here (dbdown.go). Only an election lost forgets it.
	ledLast bool
	// db is the database outage seen by this replica; silences and
	// dbRuleOpen are what the last evaluation read, for while it is down.
	db         outage
	silences   []pulse.Silence
	dbRuleOpen bool
	sends      sync.WaitGroup
}

// New validates cfg and deps.
func New(cfg Config, d Deps) (*Evaluator, error) {
	if err := cfg.Hysteresis.Validate(); err != nil {
		return nil, err
	}
	if cfg.Interval <= 0 || cfg.RetryFor <= 0 || cfg.ReminderInterval < 0 {
		return nil, errors.New("alerting: the interval and the retry window must be positive, the reminder interval not negative")
	}
	if d.Store == nil || d.Live == nil {
		return nil, errors.New("alerting: a Store and a Live reader are required")
	}
	e := &Evaluator{cfg: cfg, store: d.Store, leader: d.Leader, live: d.Live, notifiers: map[string]pulse.Notifier{},
		backoff: d.Backoff, now: d.Now, log: d.Logger}
	for _, n := range d.Notifiers {
		if _, dup := e.notifiers[n.Channel()]; dup {
			return nil, fmt.Errorf("alerting: two channels are named %q", n.Channel())
		}
		e.notifiers[n.Channel()] = n
		e.channels = append(e.channels, n.Channel())
	}
	if e.backoff == nil {
		e.backoff = ExponentialBackoff
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	return e, nil
}

// Channels lists the configured channels.
func (e *Evaluator) Channels() []string { return e.channels }

// Run evaluates now and every Interval, and delivers every DeliverEvery,
// while this replica leads, until ctx ends; call it once, in its own
// goroutine. The rules are evaluated whether or not anyone looks at the
// dashboard.
func (e *Evaluator) Run(ctx context.Context) {
	defer e.sends.Wait()
	defer e.stepDown()
	eval := time.NewTicker(e.cfg.Interval)
	defer eval.Stop()
	deliver := time.NewTicker(DeliverEvery)
	defer deliver.Stop()
	for {
		if ctx.Err() == nil {
			_, _ = e.Evaluate(ctx)
		}
		for next := false; !next; {
			select {
			case <-ctx.Done():
				return
			case <-eval.C:
				next = true
			case <-deliver.C:
				if e.leading && !e.db.down {
					e.Deliver(ctx)
				}
			}
		}
	}
}

// Evaluate is one pass: check the database (see dbdown.go); then, if this
// replica leads, evaluate every rule, record transitions and reminders, and
// deliver what is due. led reports whether it led.
//
// A pass whose ping fails stops there: it could record nothing, and each
// store call would wait out its timeout. It does not ask for leadership
// either, so the replica that led before the outage knows it is the one to
// page. The evaluation resumes with the first ping that succeeds.
func (e *Evaluator) Evaluate(ctx context.Context) (led bool, err error) {
	if err := e.watchDatabase(ctx); err != nil {
		return false, fmt.Errorf("the database is unreachable: %w", err)
	}
	if !e.lead(ctx) {
		return false, nil
	}
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	now := e.now().UTC()
	// The silences, read once for the pass: the transitions and the
	// reminders judge by the same ones.
	silences, err := e.store.ActiveSilences(sctx, now)
	if err != nil {
		err = fmt.Errorf("read the silences: %w", err)
		e.log.Warn("alerts: evaluation failed", "err", err)
		e.Deliver(ctx)
		return true, err
	}
	e.silences = silences
	err = e.evaluate(sctx, now, silences)
	if err != nil {
		e.log.Warn("alerts: evaluation failed", "err", err)
	}
	if err := e.remind(sctx, now, silences); err != nil {
		e.log.Warn("alerts: reminders failed", "err", err)
	}
	e.Deliver(ctx)
	return true, err
}

func (e *Evaluator) evaluate(ctx context.Context, now time.Time, silences []pulse.Silence) error {
	live, err := e.live(ctx, now)
	if err != nil {
		return fmt.Errorf("read the live figures: %w", err)
	}
	records, err := e.store.RuleRecords(ctx)
	if err != nil {
		return fmt.Errorf("read the rules' state: %w", err)
	}
	type step struct {
		obs  pulse.Observation
		prev pulse.RuleRecord
		next pulse.RuleState
		tr   pulse.Transition
	}
	var steps []step
	covered := map[string]bool{} // reasons of the specific rules' open incidents
	for _, obs := range pulse.EvaluateAlerts(live, e.cfg.Thresholds) {
		prev, ok := records[obs.Rule]
		if !ok {
			prev = pulse.RuleRecord{Rule: obs.Rule}
		}
		next, tr := e.cfg.Hysteresis.Step(prev.State, obs.Severity)
		steps = append(steps, step{obs, prev, next, tr})
		if obs.Rule != pulse.RuleHealth && next.Open {
			for _, r := range obs.Reasons {
				covered[r] = true
			}
		}
	}
	for _, s := range steps {
		obs, prev, next, tr := s.obs, s.prev, s.next, s.tr
		silenced := tr.Notifies() && pulse.Silenced(silences, obs.Rule, now)
		var channels []string
		if tr.Notifies() && !silenced && !e.inhibited(ctx, s.prev, s.tr, obs, covered) {
			channels = e.channels
		}
		id, err := e.store.RecordEvaluation(ctx, pulse.Evaluation{Prev: prev, Next: next, Transition: tr, Observation: obs,
			At: now, Channels: channels, Silenced: silenced, GiveUpAt: now.Add(e.cfg.RetryFor)})
		switch {
		case pulse.ErrorCode(err) == pulse.ECONFLICT:
			e.log.Info("alerts: another instance evaluated the rule meanwhile; leaving it", "rule", obs.Rule)
			continue
		case err != nil:
			return fmt.Errorf("record %s: %w", obs.Rule, err)
		}
		if obs.Rule == pulse.RuleDatabase {
			e.dbRuleOpen = next.Open
		}
		if tr != pulse.TransitionNone {
			e.log.Info("alerts: incident "+string(pulse.EventOf(tr)), "rule", obs.Rule, "incident", id,
				"severity", next.Severity, "reasons", obs.Reasons, "silenced", silenced, "channels", len(channels))
		}
	}
	return nil
}

// inhibited tells whether the health rule's transition repeats what the
// specific rules already say, as Alertmanager's inhibit rules do: the health
// verdict's every reason is some specific rule's reason, so a health
// incident whose reasons all belong to open specific incidents is recorded
// (for the timeline) but not sent; its escalation and resolve are sent only
// if its opening was. Likewise the database rule's incident that opens while
// the database outage this replica paged for directly is still open (one
// page per outage). Other rules are never inhibited.
func (e *Evaluator) inhibited(ctx context.Context, prev pulse.RuleRecord, tr pulse.Transition, obs pulse.Observation, covered map[string]bool) bool {
	switch {
	case obs.Rule == pulse.RuleDatabase && tr == pulse.TransitionOpen:
		return e.db.announced
	case obs.Rule == pulse.RuleDatabase:
		// its resolve, below
	case obs.Rule != pulse.RuleHealth:
		return false
	case tr == pulse.TransitionOpen || tr == pulse.TransitionEscalate:
		all := true
		for _, r := range obs.Reasons {
			all = all && covered[r]
		}
		if all {
			return true
		}
	}
	if tr == pulse.TransitionOpen {
		return false
	}
	announced, err := e.announced(ctx, prev.IncidentID)
	if err != nil {
		e.log.Warn("alerts: could not tell whether the health incident was sent; sending", "err", err)
		return false
	}
	return !announced
}

// announced tells whether an open incident's opening was sent (or would
// have been, but for a silence).
func (e *Evaluator) announced(ctx context.Context, id int64) (bool, error) {
	open, err := e.store.Incidents(ctx, pulse.IncidentFilter{Status: pulse.IncidentOpen, Since: e.now()})
	if err != nil {
		return false, err
	}
	for _, inc := range open {
		if inc.ID == id {
			return wasAnnounced(inc), nil
		}
	}
	return false, nil
}

func wasAnnounced(inc pulse.Incident) bool {
	return inc.Silenced || len(inc.Deliveries) > 0
}

// remind adds a reminder to every open incident last notified at least
// ReminderInterval ago.
func (e *Evaluator) remind(ctx context.Context, now time.Time, silences []pulse.Silence) error {
	if e.cfg.ReminderInterval <= 0 {
		return nil
	}
	open, err := e.store.Incidents(ctx, pulse.IncidentFilter{Status: pulse.IncidentOpen, Since: now})
	if err != nil {
		return err
	}
	dueBefore := now.Add(-e.cfg.ReminderInterval)
	for _, inc := range open {
		if !inc.LastNotifiedAt.IsZero() && inc.LastNotifiedAt.After(dueBefore) {
			continue
		}
		if !wasAnnounced(inc) {
			// Inhibited from the start (a health incident whose specific
			// rules remind, the database rule's incident paged directly):
			// a reminder of what was never sent would be its first page.
			continue
		}
		silenced := pulse.Silenced(silences, inc.Rule, now)
		var channels []string
		if !silenced {
			channels = e.channels
		}
		if _, err := e.store.RecordReminder(ctx, inc.ID, dueBefore, now, channels, silenced, now.Add(e.cfg.RetryFor)); err != nil {
			return err
		}
	}
	return nil
}

// Deliver attempts every due delivery once: claimed first, then sent, then
// its outcome recorded; a failure is retried after Backoff until RetryFor
// has passed since the transition, then recorded as failed with its error.
// A delivery for a channel no longer configured fails at once.
func (e *Evaluator) Deliver(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	claimed, err := e.store.ClaimDeliveries(sctx, e.now().UTC(), claimLease, claimBatch)
	cancel()
	if err != nil {
		e.log.Warn("alerts: could not claim notifications", "err", err)
		return
	}
	for _, d := range claimed {
		n := d.Notification
		n.DashboardURL = e.cfg.DashboardURL
		var sendErr error
		notifier, configured := e.notifiers[d.Channel]
		if configured {
			nctx, cancel := context.WithTimeout(ctx, sendTimeout)
			sendErr = notifier.Notify(nctx, n)
			cancel()
		} else {
			sendErr = errors.New("the channel is no longer configured")
		}
		at := e.now().UTC()
		o := pulse.DeliveryOutcome{At: at}
		if sendErr != nil {
			o.Error = truncate(sendErr.Error(), 500)
			// A channel gone from the configuration does not come back by
			// waiting: failed at once, not retried.
			if retry := at.Add(e.backoff(d.Attempts)); configured && retry.Before(d.GiveUpAt) {
				o.Retry = retry
			}
			e.log.Warn("alerts: notification not delivered", "channel", d.Channel, "incident", d.IncidentID,
				"attempt", d.Attempts, "retry_at", o.Retry, "err", sendErr)
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		if err := e.store.FinishDelivery(fctx, d.ID, o); err != nil {
			e.log.Warn("alerts: could not record a notification's outcome", "channel", d.Channel, "err", err)
		}
		cancel()
	}
}

// truncate makes s storable text, at most n bytes and an ellipsis: valid
// UTF-8 (a receiver's answer is cut at a byte count, maybe inside a
// character), without NUL, cut on a character boundary. PostgreSQL refuses
// anything else, and a delivery whose outcome cannot be recorded stays
// claimed and is sent again after every lease.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// lead keeps or seeks leadership for this pass, as the provider checker
// does: a leader keeps the connection holding its lock from pass to pass.
func (e *Evaluator) lead(ctx context.Context) bool {
	if e.leader == nil {
		e.leading, e.ledLast = true, true
		return true
	}
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	release, ok, err := e.leader.TryLead(lctx, LeaderJob)
	cancel()
	switch {
	case err != nil:
		e.log.Warn("alerts: could not ask for leadership; not evaluating", "err", err)
	case ok && !e.leading:
		e.log.Info("alerts: this instance now evaluates the alert rules")
	case !ok && e.leading:
		e.log.Info("alerts: another instance evaluates the alert rules now")
	}
	if err != nil || !ok {
		e.stepDown()
		if err == nil {
			e.ledLast = false
		}
		return false
	}
	if release == nil {
		release = func() {}
	}
	e.release, e.leading, e.ledLast = release, true, true
	return true
}

func (e *Evaluator) stepDown() {
	if e.release != nil {
		e.release()
		e.release = nil
	}
	e.leading = false
}
