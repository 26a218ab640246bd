package alerting_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/alerting"
	"pulse/internal/config"
	"pulse/internal/notify"
	"pulse/internal/notify/notifytest"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/testclock"
)

// database is a real SQLite store that a test can take down: while down,
// the ping, every store call and the election fail as a dead database's do.
type database struct {
	db   *store.DB
	down atomic.Bool
}

func newDatabase(t *testing.T) *database {
	db, _ := storetest.MustOpenSQLite(t)
	return &database{db: db}
}

// replica is one replica's view of the database; leads tells whether it
// wins the election while the database answers.
type replica struct {
	*store.DB
	d     *database
	leads bool
	// leadErrs is how many of the next elections fail with an error.
	leadErrs atomic.Int32
}

func (d *database) replica(leads bool) *replica { return &replica{DB: d.db, d: d, leads: leads} }

var errDead = pulse.Errorf(pulse.EUNAVAILABLE, "the database is unreachable")

func (r *replica) dead() error {
	if r.d.down.Load() {
		return errDead
	}
	return nil
}

func (r *replica) Ping(ctx context.Context) error {
	if err := r.dead(); err != nil {
		return err
	}
	return r.DB.Ping(ctx)
}

func (r *replica) TryLead(context.Context, string) (func(), bool, error) {
	if err := r.dead(); err != nil {
		return nil, false, err
	}
	if r.leadErrs.Add(-1) >= 0 {
		return nil, false, errDead
	}
	return func() {}, r.leads, nil
}

func (r *replica) RuleRecords(ctx context.Context) (map[pulse.AlertRule]pulse.RuleRecord, error) {
	if err := r.dead(); err != nil {
		return nil, err
	}
	return r.DB.RuleRecords(ctx)
}

func (r *replica) RecordEvaluation(ctx context.Context, e pulse.Evaluation) (int64, error) {
	if err := r.dead(); err != nil {
		return 0, err
	}
	return r.DB.RecordEvaluation(ctx, e)
}

func (r *replica) Incidents(ctx context.Context, f pulse.IncidentFilter) ([]pulse.Incident, error) {
	if err := r.dead(); err != nil {
		return nil, err
	}
	return r.DB.Incidents(ctx, f)
}

func (r *replica) RecordReminder(ctx context.Context, id int64, last, at time.Time, channels []string, silenced bool, giveUp time.Time) (bool, error) {
	if err := r.dead(); err != nil {
		return false, err
	}
	return r.DB.RecordReminder(ctx, id, last, at, channels, silenced, giveUp)
}

func (r *replica) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]pulse.ClaimedDelivery, error) {
	if err := r.dead(); err != nil {
		return nil, err
	}
	return r.DB.ClaimDeliveries(ctx, now, lease, limit)
}

func (r *replica) FinishDelivery(ctx context.Context, id int64, o pulse.DeliveryOutcome) error {
	if err := r.dead(); err != nil {
		return err
	}
	return r.DB.FinishDelivery(ctx, id, o)
}

func (r *replica) ActiveSilences(ctx context.Context, now time.Time) ([]pulse.Silence, error) {
	if err := r.dead(); err != nil {
		return nil, err
	}
	return r.DB.ActiveSilences(ctx, now)
}

// outageRig runs replicas' evaluators, ticking them by hand, against one
// webhook receiver and one Slack receiver shared by all.
type outageRig struct {
	t       *testing.T
	clock   *testclock.Clock
	webhook *notifytest.Receiver
	slack   *notifytest.Receiver
	evals   []*alerting.Evaluator
	// readsFail makes the live reads find the database down while its ping
	// answers: the database rule's own evidence.
	readsFail atomic.Bool
}

func newOutageRig(t *testing.T) *outageRig {
	return &outageRig{t: t, clock: testclock.New(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)),
		webhook: notifytest.NewReceiver(t), slack: notifytest.NewReceiver(t)}
}

func outageConfig(instance string) alerting.Config {
	d := config.Defaults()
	return alerting.Config{Interval: d.AlertEvalInterval, Thresholds: thresholds(), ReminderInterval: d.AlertReminderInterval,
		RetryFor: d.AlertRetryFor, Instance: instance,
		Hysteresis: pulse.Hysteresis{FailureThreshold: d.AlertFailureThreshold, SuccessThreshold: d.AlertSuccessThreshold}}
}

// evaluator adds a replica's evaluator; leader nil is a replica without an
// election (SQLite).
func (r *outageRig) evaluator(s alerting.Store, leader pulse.Leader, instance string, opts ...func(*alerting.Config, *alerting.Deps)) *alerting.Evaluator {
	cfg := outageConfig(instance)
	deps := alerting.Deps{Store: s, Leader: leader, Now: r.clock.Now, Logger: quiet(),
		Notifiers: []pulse.Notifier{notify.NewWebhook("webhook:1", r.webhook.URL, webhookSecret, nil), notify.NewSlack(r.slack.URL, nil)},
		Live: func(context.Context, time.Time) (pulse.Live, error) {
			return pulse.Live{DatabaseUp: !r.readsFail.Load()}, nil
		}}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	e, err := alerting.New(cfg, deps)
	require.NoError(r.t, err)
	r.evals = append(r.evals, e)
	return e
}

// tick runs one evaluation on every replica, 30 s after the last, and waits
// for what they send.
func (r *outageRig) tick() {
	r.clock.Advance(30 * time.Second)
	for _, e := range r.evals {
		_, _ = e.Evaluate(context.Background())
	}
	for _, e := range r.evals {
		e.Wait()
	}
}

func (r *outageRig) ticks(n int) {
	for range n {
		r.tick()
	}
}

// hooks are the webhook bodies received so far.
func (r *outageRig) hooks() []notify.WebhookBody {
	r.t.Helper()
	var out []notify.WebhookBody
	for _, req := range r.webhook.Requests() {
		require.Equal(r.t, notify.Sign([]byte(webhookSecret), req.Body), req.Header.Get(notify.SignatureHeader))
		var b notify.WebhookBody
		require.NoError(r.t, json.Unmarshal(req.Body, &b))
		out = append(out, b)
	}
	return out
}

func statuses(bodies []notify.WebhookBody) []string {
	out := []string{}
	for _, b := range bodies {
		out = append(out, b.Rule+" "+b.Status)
	}
	return out
}

func TestDatabaseOutage(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	e := r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	r.tick()
	d.down.Store(true)
	failedAt := r.clock.Now().Add(30 * time.Second)

	t.Run("TwoFailingTicksSendNothing", func(t *testing.T) {
		r.ticks(2)
		assert.Empty(t, r.webhook.Requests())
		assert.Empty(t, r.slack.Requests())
	})
	t.Run("ThirdFailingTickSendsOneOpeningToEveryChannel", func(t *testing.T) {
		r.tick()
		hooks := r.hooks()
		require.Equal(t, []string{"database open"}, statuses(hooks))
		b := hooks[0]
		assert.False(t, b.Recorded)
		assert.Nil(t, b.IncidentID)
		assert.Nil(t, b.EventID)
		assert.Equal(t, "critical", b.Severity)
		assert.Equal(t, "Pulse cannot reach its database (replica pulse-a) since 2026-11-26T03:01:00Z", b.Summary)
		assert.Equal(t, failedAt.Format(time.RFC3339), b.OpenedAt)
		assert.Equal(t, []string{"database unreachable"}, b.Reasons)
		assert.Len(t, r.slack.Requests(), 1)
	})
	t.Run("TheOutageGoingOnSendsNothingMore", func(t *testing.T) {
		r.ticks(10)
		assert.Len(t, r.webhook.Requests(), 1)
	})
	t.Run("OneGoodTickResolvesNothingButTheEvaluationResumes", func(t *testing.T) {
		d.down.Store(false)
		r.clock.Advance(30 * time.Second)
		led, err := e.Evaluate(context.Background())
		require.NoError(t, err)
		assert.True(t, led)
		e.Wait()
		assert.Len(t, r.webhook.Requests(), 1)
	})
	t.Run("SecondGoodTickSendsOneResolve", func(t *testing.T) {
		r.tick()
		hooks := r.hooks()
		require.Equal(t, []string{"database open", "database resolved"}, statuses(hooks))
		b := hooks[1]
		assert.False(t, b.Recorded)
		assert.Nil(t, b.EventID)
		// failing from 03:01:00 to 03:07:30, when the first ping answered
		assert.Equal(t, "Database reachable again after 6m30s (replica pulse-a)", b.Summary)
		require.NotNil(t, b.ResolvedAt)
		assert.Equal(t, "2026-11-26T03:07:30Z", *b.ResolvedAt)
		assert.Len(t, r.slack.Requests(), 2)
	})
	t.Run("NothingWasRecorded", func(t *testing.T) {
		incs, err := d.db.Incidents(context.Background(), pulse.IncidentFilter{Since: failedAt.Add(-time.Hour)})
		require.NoError(t, err)
		assert.Empty(t, incs, "the database rule saw the database up each time it could record")
	})
}

func TestDatabaseOutageOnlyTheLeaderPages(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	follower := d.replica(false)
	r.evaluator(follower, follower, "pulse-b")
	r.tick()
	d.down.Store(true)
	r.ticks(5)
	hooks := r.hooks()
	require.Equal(t, []string{"database open"}, statuses(hooks), "one page from two replicas")
	assert.Contains(t, hooks[0].Summary, "(replica pulse-a)")
	d.down.Store(false)
	r.ticks(2)
	assert.Equal(t, []string{"database open", "database resolved"}, statuses(r.hooks()))
}

func TestDatabaseOutageAFollowerAloneSendsNothing(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	follower := d.replica(false)
	r.evaluator(follower, follower, "pulse-b")
	r.tick()
	d.down.Store(true)
	r.ticks(5)
	d.down.Store(false)
	r.ticks(2)
	assert.Empty(t, r.webhook.Requests(), "the leader pages, or nobody: the outside /readyz probe is the backstop")
}

func TestDatabaseOutageWithoutElectionPages(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), nil, "")
	r.tick()
	d.down.Store(true)
	r.ticks(3)
	hooks := r.hooks()
	require.Equal(t, []string{"database open"}, statuses(hooks))
	assert.Equal(t, "Pulse cannot reach its database since 2026-11-26T03:01:00Z", hooks[0].Summary)
}

func TestDatabaseFlappingBelowTheThresholdSendsNothing(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	for range 5 {
		d.down.Store(true)
		r.ticks(2)
		d.down.Store(false)
		r.tick()
	}
	assert.Empty(t, r.webhook.Requests())
	assert.Empty(t, r.slack.Requests())
}

func TestDatabaseOutageSilencedBeforehandSendsNothing(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	s, err := pulse.NewSilence(pulse.SilenceAll, r.clock.Now(), r.clock.Now().Add(time.Hour), "database failover", "test")
	require.NoError(t, err)
	_, err = d.db.CreateSilence(context.Background(), s)
	require.NoError(t, err)
	r.tick() // reads the silence while the database answers
	d.down.Store(true)
	r.ticks(5)
	d.down.Store(false)
	r.ticks(2)
	assert.Empty(t, r.webhook.Requests(), "neither the opening nor its resolve")
}

func TestDatabaseOutageNotificationIsRetried(t *testing.T) {
	fast := func(_ *alerting.Config, d *alerting.Deps) {
		d.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	}
	t.Run("UntilTheReceiverAccepts", func(t *testing.T) {
		d := newDatabase(t)
		r := newOutageRig(t)
		r.webhook.Answer(func(n int) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		r.evaluator(d.replica(true), d.replica(true), "pulse-a", fast)
		r.tick()
		d.down.Store(true)
		r.ticks(3)
		assert.Equal(t, []string{"database open", "database open", "database open"}, statuses(r.hooks()))
		assert.Len(t, r.slack.Requests(), 1, "a failing channel does not repeat the others")
	})
	t.Run("ForRetryForAtMost", func(t *testing.T) {
		d := newDatabase(t)
		r := newOutageRig(t)
		r.webhook.Answer(func(int) int { return http.StatusInternalServerError })
		r.evaluator(d.replica(true), d.replica(true), "pulse-a", fast, func(c *alerting.Config, _ *alerting.Deps) {
			c.RetryFor = 50 * time.Millisecond
		})
		r.tick()
		d.down.Store(true)
		r.ticks(3)
		// waits of 10, 20, 30, 40 ms; a fifth would pass 50 ms
		assert.Len(t, r.webhook.Requests(), 5)
	})
}

// The database rule (live reads failing, recorded) and the direct page
// (pings failing, not recorded) never both page one outage.
func TestDatabaseOutageOnePagePerOutage(t *testing.T) {
	t.Run("NoDirectPageWhileTheDatabaseRuleIsOpen", func(t *testing.T) {
		d := newDatabase(t)
		r := newOutageRig(t)
		r.evaluator(d.replica(true), d.replica(true), "pulse-a")
		r.readsFail.Store(true)
		r.ticks(3)
		require.Equal(t, []string{"database open"}, statuses(r.hooks()))
		require.True(t, r.hooks()[0].Recorded)
		d.down.Store(true)
		r.ticks(5)
		assert.Len(t, r.webhook.Requests(), 1)
	})
	t.Run("TheDatabaseRuleStaysQuietWhileTheDirectPageIsOpen", func(t *testing.T) {
		d := newDatabase(t)
		r := newOutageRig(t)
		r.evaluator(d.replica(true), d.replica(true), "pulse-a")
		r.readsFail.Store(true)
		r.ticks(2) // two bad evaluations recorded
		d.down.Store(true)
		r.ticks(3) // the direct page
		d.down.Store(false)
		r.tick() // the third bad evaluation opens the rule's incident, unsent
		r.readsFail.Store(false)
		r.ticks(3)
		assert.Equal(t, []string{"database open", "database resolved"}, statuses(r.hooks()))
		for _, b := range r.hooks() {
			assert.False(t, b.Recorded)
		}
		all, err := d.db.Incidents(context.Background(), pulse.IncidentFilter{Since: r.clock.Now().Add(-time.Hour)})
		require.NoError(t, err)
		var incs []pulse.Incident
		for _, i := range all {
			if i.Rule == pulse.RuleDatabase {
				incs = append(incs, i)
			}
		}
		require.Len(t, incs, 1, "recorded for the timeline")
		assert.Equal(t, pulse.IncidentResolved, incs[0].Status)
		assert.Empty(t, incs[0].Deliveries, "neither its opening nor its resolve was sent")
	})
}

// TestDatabaseOutageOnPostgres cuts the leading replica off a real
// PostgreSQL (a TCP proxy that drops every connection) and lets it back.
func TestDatabaseOutageOnPostgres(t *testing.T) {
	_, dsn := storetest.MustOpenPostgres(t)
	proxy, proxied := storetest.NewPostgresProxy(t, dsn)
	db, err := store.Open(context.Background(), proxied, store.Options{MaxOpenConns: 4, MaxIdleConns: 2, Writers: config.Defaults().DBWriters})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	r := newOutageRig(t)
	e := r.evaluator(db, db, "pulse-a")
	r.tick()

	proxy.Drop()
	r.ticks(3)
	require.Equal(t, []string{"database open"}, statuses(r.hooks()))

	proxy.Forward()
	r.ticks(2)
	require.Equal(t, []string{"database open", "database resolved"}, statuses(r.hooks()))
	led, err := e.Evaluate(context.Background())
	require.NoError(t, err)
	assert.True(t, led, "leading again once the database answers")
}

// One good ping inside an open outage (fewer than the success threshold)
// does not start it anew: the resolve carries the opening's opened_at and
// counts from the first failed check.
func TestDatabaseOutageGoodPingInsideKeepsOpenedAt(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	r.tick()
	d.down.Store(true)
	failedAt := r.clock.Now().Add(30 * time.Second)
	r.ticks(3) // opens
	d.down.Store(false)
	r.tick()
	d.down.Store(true)
	r.ticks(2)
	d.down.Store(false)
	r.ticks(2) // resolves
	hooks := r.hooks()
	require.Equal(t, []string{"database open", "database resolved"}, statuses(hooks))
	assert.Equal(t, failedAt.Format(time.RFC3339), hooks[0].OpenedAt)
	assert.Equal(t, hooks[0].OpenedAt, hooks[1].OpenedAt)
	// failing from 03:01:00 to 03:04:00, the first of the two good pings
	assert.Equal(t, "Database reachable again after 3m0s (replica pulse-a)", hooks[1].Summary)
}

// The database failing between a tick's ping and its election: the leader's
// TryLead errs, then its pings fail. It still led last, so it pages, once.
func TestDatabaseOutageElectionErrorKeepsTheLeaderPaging(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	leader := d.replica(true)
	r.evaluator(leader, leader, "pulse-a")
	follower := d.replica(false)
	r.evaluator(follower, follower, "pulse-b")
	r.tick()
	leader.leadErrs.Store(1)
	r.tick() // the ping answers, the election fails
	d.down.Store(true)
	r.ticks(5)
	hooks := r.hooks()
	require.Equal(t, []string{"database open"}, statuses(hooks), "one page, from the replica that led")
	assert.Contains(t, hooks[0].Summary, "(replica pulse-a)")
}

// The database rule's incident opened unsent, because the direct page was
// open, gets no reminder either: its first notification would be one.
func TestDatabaseRuleIncidentSuppressedGetsNoReminder(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	r.evaluator(d.replica(true), d.replica(true), "pulse-a")
	r.readsFail.Store(true)
	r.ticks(2) // two bad evaluations recorded
	d.down.Store(true)
	r.ticks(3) // the direct page
	d.down.Store(false)
	r.ticks(2) // the rule's incident opens unsent; the direct page resolves
	require.Equal(t, []string{"database open", "database resolved"}, statuses(r.hooks()))
	r.clock.Advance(2 * outageConfig("").ReminderInterval)
	r.tick()
	assert.Equal(t, []string{"database open", "database resolved"}, statuses(r.hooks()), "no reminder")
	incs, err := d.db.Incidents(context.Background(), pulse.IncidentFilter{Status: pulse.IncidentOpen, Since: r.clock.Now()})
	require.NoError(t, err)
	var found bool
	for _, inc := range incs {
		found = found || inc.Rule == pulse.RuleDatabase
		assert.Empty(t, inc.Deliveries, inc.Rule)
		for _, ev := range inc.Events {
			assert.NotEqual(t, pulse.EventReminder, ev.Kind, inc.Rule)
		}
	}
	assert.True(t, found, "the database rule's incident is open")
}

// silenceReads counts the store's reads of the silences.
type silenceReads struct {
	*store.DB
	n atomic.Int32
}

func (s *silenceReads) ActiveSilences(ctx context.Context, now time.Time) ([]pulse.Silence, error) {
	s.n.Add(1)
	return s.DB.ActiveSilences(ctx, now)
}

func TestSilencesReadOncePerPass(t *testing.T) {
	d := newDatabase(t)
	r := newOutageRig(t)
	s := &silenceReads{DB: d.db}
	r.evaluator(s, nil, "")
	r.ticks(3)
	assert.Equal(t, int32(3), s.n.Load(), "evaluation and reminders share one read")
}
