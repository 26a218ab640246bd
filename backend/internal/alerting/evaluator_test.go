package alerting_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/alerting"
	"pulse/internal/config"
	"pulse/internal/notify"
	"pulse/internal/notify/notifytest"
	"pulse/internal/providers"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/telemetry"
	"pulse/internal/testclock"
)

var livekitRule = pulse.ProviderRule(pulse.ProviderLiveKit)

// fakeLiveKit is a LiveKit server's health endpoint that is up or down.
type fakeLiveKit struct {
	*httptest.Server
	down atomic.Bool
}

func newFakeLiveKit(t *testing.T) *fakeLiveKit {
	f := &fakeLiveKit{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if f.down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "OK")
	}))
	t.Cleanup(f.Close)
	return f
}

// receivers are one real local receiver per channel.
type receivers struct {
	webhook *notifytest.Receiver
	slack   *notifytest.Receiver
	smtp    *notifytest.SMTPServer
}

func newReceivers(t *testing.T) *receivers {
	return &receivers{webhook: notifytest.NewReceiver(t), slack: notifytest.NewReceiver(t), smtp: notifytest.NewSMTPServer(t)}
}

func (r *receivers) notifiers(t *testing.T) []pulse.Notifier {
	mail, err := notify.NewSMTP(r.smtp.URL(), "pulse@example.org", []string{"oncall@example.org"})
	require.NoError(t, err)
	return []pulse.Notifier{notify.NewWebhook("webhook:1", r.webhook.URL, webhookSecret, nil), notify.NewSlack(r.slack.URL, nil), mail}
}

const webhookSecret = "hook-secret"

// sent is what each channel received: the webhook's (rule, status) pairs,
// and the count of Slack posts and e-mails.
func (r *receivers) sent(t *testing.T) (hooks []string, slack, mail int) {
	t.Helper()
	for _, req := range r.webhook.Requests() {
		var b notify.WebhookBody
		require.NoError(t, json.Unmarshal(req.Body, &b))
		require.Equal(t, notify.Sign([]byte(webhookSecret), req.Body), req.Header.Get(notify.SignatureHeader))
		s := b.Rule + " " + b.Status
		if b.Reminder {
			s += " reminder"
		}
		hooks = append(hooks, s)
	}
	return hooks, len(r.slack.Requests()), len(r.smtp.Mails())
}

// rig is an evaluator on a real store, reading real figures: the provider
// checker probing a fake LiveKit over HTTP, and requests recorded by the
// telemetry recorder.
type rig struct {
	t       *testing.T
	db      *store.DB
	clock   *testclock.Clock
	livekit *fakeLiveKit
	checker *providers.Checker
	rec     *telemetry.Recorder
	flusher *telemetry.Flusher
	recv    *receivers
}

func newRig(t *testing.T, db *store.DB) *rig {
	r := &rig{t: t, db: db, clock: testclock.New(time.Now().UTC().Truncate(time.Second)), livekit: newFakeLiveKit(t), recv: newReceivers(t)}
	d := config.Defaults()
	var err error
	r.checker, err = providers.New(providers.Config{LiveKitURL: r.livekit.URL, CheckInterval: d.CheckInterval, CheckTimeout: d.CheckTimeout,
		SlowThreshold: d.CheckSlowThreshold, DownAfter: d.CheckDownAfter, FlapWindow: d.CheckFlapWindow, FlapChanges: d.CheckFlapChanges}, providers.Deps{Store: db, Now: r.clock.Now, Logger: quiet()})
	require.NoError(t, err)
	r.rec = telemetry.NewRecorder(telemetry.RecorderConfig{Instance: "test", Now: r.clock.Now})
	r.flusher = telemetry.NewFlusher(r.rec, db, telemetry.FlusherConfig{Logger: quiet()})
	return r
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func thresholds() pulse.HealthThresholds {
	d := config.Defaults()
	return pulse.HealthThresholds{ErrorRateDegraded: d.ErrorRateDegraded, ErrorRateCritical: d.ErrorRateCritical,
		P95DegradedMs: d.P95DegradedMs, P95CriticalMs: d.P95CriticalMs, MinRequests: d.HealthMinRequests}
}

func (r *rig) config() alerting.Config {
	d := config.Defaults()
	return alerting.Config{Interval: d.AlertEvalInterval, Thresholds: thresholds(), ReminderInterval: d.AlertReminderInterval,
		RetryFor: d.AlertRetryFor, DashboardURL: "https://pulse.example.org/admin/dashboard",
		Hysteresis: pulse.Hysteresis{FailureThreshold: d.AlertFailureThreshold, SuccessThreshold: d.AlertSuccessThreshold}}
}

func (r *rig) evaluator(db *store.DB, leader pulse.Leader, opts ...func(*alerting.Config, *alerting.Deps)) *alerting.Evaluator {
	cfg := r.config()
	// Each replica reads the figures through its own store handle.
	svc := telemetry.NewService(r.rec, db)
	live := func(ctx context.Context, now time.Time) (pulse.Live, error) {
		return pulse.ReadLive(ctx, now, pulse.LiveSources{Sessions: db, Telemetry: svc, Pool: db, Providers: r.checker}, nil)
	}
	deps := alerting.Deps{Store: db, Leader: leader, Live: live, Notifiers: r.recv.notifiers(r.t), Now: r.clock.Now, Logger: quiet()}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	e, err := alerting.New(cfg, deps)
	require.NoError(r.t, err)
	return e
}

// check runs one provider check and one evaluation, 30 s later than the last.
func (r *rig) check(e *alerting.Evaluator) {
	r.t.Helper()
	r.clock.Advance(30 * time.Second)
	r.checker.RunOnce(context.Background())
	led, err := e.Evaluate(context.Background())
	require.NoError(r.t, err)
	require.True(r.t, led)
}

// traffic records n requests of which errors fail, now, and flushes them.
func (r *rig) traffic(n, errors int) {
	r.t.Helper()
	for i := range n {
		status := http.StatusNoContent
		if i < errors {
			status = http.StatusServiceUnavailable
		}
		r.rec.Record("/api/sessions", http.MethodPost, status, 5*time.Millisecond, r.clock.Now())
	}
	require.NoError(r.t, r.flusher.Flush(context.Background()))
}

func (r *rig) incidents(rule pulse.AlertRule) []pulse.Incident {
	r.t.Helper()
	all, err := r.db.Incidents(context.Background(), pulse.IncidentFilter{Since: r.clock.Now().Add(-24 * time.Hour)})
	require.NoError(r.t, err)
	var out []pulse.Incident
	for _, i := range all {
		if i.Rule == rule {
			out = append(out, i)
		}
	}
	return out
}

func TestProviderIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		e := r.evaluator(db, db)
		r.check(e)
		r.livekit.down.Store(true)

		t.Run("TwoFailingChecksOpenNothing", func(t *testing.T) {
			r.check(e)
			r.check(e)
			assert.Empty(t, r.incidents(livekitRule))
			hooks, slack, mail := r.recv.sent(t)
			assert.Empty(t, hooks)
			assert.Zero(t, slack+mail)
		})
		t.Run("ThirdFailingCheckOpensOneIncidentAndNotifiesEachChannelOnce", func(t *testing.T) {
			r.check(e)
			incs := r.incidents(livekitRule)
			require.Len(t, incs, 1)
			assert.Equal(t, pulse.IncidentOpen, incs[0].Status)
			assert.Equal(t, pulse.SeverityCritical, incs[0].Severity, "three failures: the checker calls it down")
			hooks, slack, mail := r.recv.sent(t)
			assert.Equal(t, []string{"provider:livekit open"}, hooks, "the health rule repeats it and is inhibited")
			assert.Equal(t, 1, slack)
			assert.Equal(t, 1, mail)
			for _, d := range incs[0].Deliveries {
				assert.Equal(t, pulse.DeliveryDelivered, d.Status, d.Channel)
			}
			assert.Len(t, incs[0].Deliveries, 3)
			health := r.incidents(pulse.RuleHealth)
			require.Len(t, health, 1, "the health incident is recorded for the timeline")
			assert.Empty(t, health[0].Deliveries)
		})
		t.Run("StillDownSendsNothingMore", func(t *testing.T) {
			r.check(e)
			r.check(e)
			hooks, slack, mail := r.recv.sent(t)
			assert.Len(t, hooks, 1)
			assert.Equal(t, 2, slack+mail)
		})
		r.livekit.down.Store(false)
		t.Run("OneGoodCheckDoesNotResolve", func(t *testing.T) {
			r.check(e)
			assert.Equal(t, pulse.IncidentOpen, r.incidents(livekitRule)[0].Status)
		})
		t.Run("SecondGoodCheckResolvesWithOneResolvedNotification", func(t *testing.T) {
			r.check(e)
			inc := r.incidents(livekitRule)[0]
			assert.Equal(t, pulse.IncidentResolved, inc.Status)
			assert.Equal(t, 2*time.Minute, inc.Duration(r.clock.Now()), "from the third failure to the second success")
			hooks, slack, mail := r.recv.sent(t)
			assert.Equal(t, []string{"provider:livekit open", "provider:livekit resolved"}, hooks)
			assert.Equal(t, 2, slack)
			assert.Equal(t, 2, mail)
			assert.Equal(t, pulse.IncidentResolved, r.incidents(pulse.RuleHealth)[0].Status)
			kinds := []pulse.EventKind{}
			for _, ev := range inc.Events {
				kinds = append(kinds, ev.Kind)
			}
			assert.Equal(t, []pulse.EventKind{pulse.EventOpened, pulse.EventResolved}, kinds)
		})
	})
}

func TestEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		e := r.evaluator(db, nil)
		for range 3 {
			r.traffic(100, 3) // 3%: degraded
			r.check(e)
		}
		require.Len(t, r.incidents(pulse.RuleErrorRate), 1)
		assert.Equal(t, pulse.SeverityDegraded, r.incidents(pulse.RuleErrorRate)[0].Severity)
		for range 5 {
			r.traffic(100, 20) // well past 5%: critical
			r.check(e)
		}
		incs := r.incidents(pulse.RuleErrorRate)
		require.Len(t, incs, 1, "a severity change is not a new incident")
		assert.Equal(t, pulse.SeverityCritical, incs[0].Severity)
		hooks, slack, mail := r.recv.sent(t)
		assert.Equal(t, []string{"error_rate open", "error_rate escalated"}, hooks)
		assert.Equal(t, 2, slack)
		assert.Equal(t, 2, mail)
	})
}

func TestSilence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		e := r.evaluator(db, nil)
		s, err := pulse.NewSilence(string(livekitRule), r.clock.Now(), r.clock.Now().Add(time.Hour), "LiveKit upgrade", "ops@example.org")
		require.NoError(t, err)
		_, err = db.CreateSilence(context.Background(), s)
		require.NoError(t, err)
		r.livekit.down.Store(true)
		for range 4 {
			r.check(e)
		}
		incs := r.incidents(livekitRule)
		require.Len(t, incs, 1, "the incident is recorded")
		assert.True(t, incs[0].Silenced)
		assert.Empty(t, incs[0].Deliveries)
		hooks, slack, mail := r.recv.sent(t)
		assert.Empty(t, hooks)
		assert.Zero(t, slack+mail)

		t.Run("ReminderAfterTheSilenceEnds", func(t *testing.T) {
			r.clock.Advance(time.Hour)
			r.check(e)
			hooks, _, _ := r.recv.sent(t)
			assert.Equal(t, []string{"provider:livekit open reminder"}, hooks)
		})
	})
}

func TestReminder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		e := r.evaluator(db, nil)
		r.livekit.down.Store(true)
		for range 3 {
			r.check(e)
		}
		r.clock.Advance(time.Hour - 30*time.Second)
		r.check(e)
		hooks, _, _ := r.recv.sent(t)
		assert.Equal(t, []string{"provider:livekit open", "provider:livekit open reminder"}, hooks)
		r.check(e)
		hooks, slack, mail := r.recv.sent(t)
		assert.Len(t, hooks, 2, "one reminder per interval")
		assert.Equal(t, 4, slack+mail)

		t.Run("OffWhenZero", func(t *testing.T) {
			db2, _ := storetest.MustOpenSQLite(t)
			r := newRig(t, db2)
			e := r.evaluator(db2, nil, func(c *alerting.Config, _ *alerting.Deps) { c.ReminderInterval = 0 })
			r.livekit.down.Store(true)
			for range 3 {
				r.check(e)
			}
			r.clock.Advance(5 * time.Hour)
			r.check(e)
			hooks, _, _ := r.recv.sent(t)
			assert.Equal(t, []string{"provider:livekit open"}, hooks)
		})
	})
}

// A receiver that answers 500 is retried on the backoff schedule until the
// retry window ends, and the outcome is recorded on the incident.
func TestRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		r.recv.webhook.Answer(func(int) int { return http.StatusInternalServerError })
		r.recv.slack.Answer(func(n int) int { // fails twice, then takes it
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		e := r.evaluator(db, nil, func(_ *alerting.Config, d *alerting.Deps) {
			d.Backoff = func(int) time.Duration { return time.Minute }
		})
		r.livekit.down.Store(true)
		for range 3 {
			r.check(e)
		}
		for range 12 {
			r.clock.Advance(time.Minute)
			e.Deliver(context.Background())
		}
		byChannel := map[string]pulse.Delivery{}
		for _, d := range r.incidents(livekitRule)[0].Deliveries {
			byChannel[d.Channel] = d
		}

		t.Run("FailingReceiverRetriedForTenMinutesThenFailed", func(t *testing.T) {
			d := byChannel["webhook:1"]
			assert.Equal(t, pulse.DeliveryFailed, d.Status)
			assert.Equal(t, "HTTP 500: receiver says no", d.LastError)
			assert.Equal(t, 10, d.Attempts, "at 0, 1, …, 9 minutes; the next would be past 10")
			assert.Len(t, r.recv.webhook.Requests(), 10)
		})
		t.Run("RecoveringReceiverDeliveredOnTheThirdAttempt", func(t *testing.T) {
			d := byChannel["slack"]
			assert.Equal(t, pulse.DeliveryDelivered, d.Status)
			assert.Equal(t, 3, d.Attempts)
			assert.Len(t, r.recv.slack.Requests(), 3)
		})
		t.Run("HealthyChannelDeliveredOnce", func(t *testing.T) {
			assert.Equal(t, pulse.DeliveryDelivered, byChannel["email"].Status)
			assert.Equal(t, 1, byChannel["email"].Attempts)
		})
	})
}

func TestExponentialBackoff(t *testing.T) {
	var got []string
	total := time.Duration(0)
	for n := 1; total < 10*time.Minute; n++ {
		d := alerting.ExponentialBackoff(n)
		got, total = append(got, d.String()), total+d
	}
	assert.Equal(t, "10s 20s 40s 1m20s 2m0s 2m0s 2m0s 2m0s", strings.Join(got, " "))
}

// Two replicas on one PostgreSQL, each with its own store handle and
// evaluator, each trying to lead: every notification is sent once, and a new
// leader carries on the counters and the open incident.
func TestTwoReplicas(t *testing.T) {
	shared, dsn := storetest.MustOpenPostgres(t)
	replica := func() *store.DB {
		db, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 5, MaxIdleConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	dbA, dbB := replica(), replica()
	r := newRig(t, shared) // the provider checks and the requests, as any replica records them
	a, b := r.evaluator(dbA, dbA), r.evaluator(dbB, dbB)

	// pass evaluates on every live replica at the same moment, as their
	// tickers would, and says which led.
	pass := func(es ...*alerting.Evaluator) []bool {
		r.clock.Advance(30 * time.Second)
		r.checker.RunOnce(context.Background())
		led := make([]bool, len(es))
		var wg sync.WaitGroup
		for i, e := range es {
			wg.Go(func() { led[i], _ = e.Evaluate(context.Background()) })
		}
		wg.Wait()
		return led
	}
	led := pass(a, b)
	require.NotEqual(t, led[0], led[1], "exactly one replica leads")
	leader, survivor, other := dbA, b, dbB
	if led[1] {
		leader, survivor, other = dbB, a, dbA
	}

	r.livekit.down.Store(true)
	pass(a, b)
	pass(a, b)
	// The leader goes away after two failures; the other replica carries on
	// from the stored counters: the third failure opens the incident.
	require.NoError(t, leader.Close())
	require.Equal(t, []bool{true}, pass(survivor), "the other replica took over")
	incs := r.incidentsOn(other, livekitRule)
	require.Len(t, incs, 1, "opened on the third failure, across the hand-over")
	for range 3 {
		pass(survivor)
	}
	r.livekit.down.Store(false)
	for range 4 {
		pass(survivor)
	}
	hooks, slack, mail := r.recv.sent(t)
	assert.Equal(t, []string{"provider:livekit open", "provider:livekit resolved"}, hooks)
	assert.Equal(t, 2, slack)
	assert.Equal(t, 2, mail)

	t.Run("EvenTwoEvaluatorsThatBothBelieveTheyLeadSendOnce", func(t *testing.T) {
		db, dsn := storetest.MustOpenPostgres(t)
		db2, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 5, MaxIdleConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db2.Close() })
		r2 := newRig(t, db)
		x, y := r2.evaluator(db, nil), r2.evaluator(db2, nil)
		r2.livekit.down.Store(true)
		for i := range 8 {
			if i == 6 {
				r2.livekit.down.Store(false)
			}
			r2.clock.Advance(30 * time.Second)
			r2.checker.RunOnce(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { _, _ = x.Evaluate(context.Background()) })
			wg.Go(func() { _, _ = y.Evaluate(context.Background()) })
			wg.Wait()
		}
		// Unsynchronised, they may both step a rule in one interval (the
		// counters run faster), but each recorded transition is sent once.
		var notified int
		all, err := db.Incidents(context.Background(), pulse.IncidentFilter{Since: r2.clock.Now().Add(-time.Hour)})
		require.NoError(t, err)
		for _, inc := range all {
			for _, d := range inc.Deliveries {
				if d.Channel == "webhook:1" {
					notified++
					assert.Equal(t, pulse.DeliveryDelivered, d.Status)
					assert.Equal(t, 1, d.Attempts)
				}
			}
		}
		hooks, slack, mail := r2.recv.sent(t)
		require.GreaterOrEqual(t, notified, 2, "at least an open and a resolve")
		assert.Len(t, hooks, notified)
		assert.Equal(t, notified, slack)
		assert.Equal(t, notified, mail)
		seen := map[string]bool{}
		for _, h := range hooks {
			assert.False(t, seen[h], "%s sent twice", h)
			seen[h] = true
		}
	})
}

func (r *rig) incidentsOn(db *store.DB, rule pulse.AlertRule) []pulse.Incident {
	r.t.Helper()
	all, err := db.Incidents(context.Background(), pulse.IncidentFilter{Since: r.clock.Now().Add(-24 * time.Hour)})
	require.NoError(r.t, err)
	var out []pulse.Incident
	for _, i := range all {
		if i.Rule == rule {
			out = append(out, i)
		}
	}
	return out
}

// A receiver's answer cut at 200 bytes inside a multi-byte character is
// still recorded as the delivery's error (PostgreSQL refuses invalid UTF-8),
// and the delivery gives up after RetryFor as any other.
func TestRetriesAnswerCutInsideACharacter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var posts atomic.Int32
		answer := strings.Repeat("x", 199) + "é" // é is bytes 200 and 201
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			posts.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, answer)
		}))
		t.Cleanup(srv.Close)
		r := newRig(t, db)
		e := r.evaluator(db, nil, func(_ *alerting.Config, d *alerting.Deps) {
			d.Backoff = func(int) time.Duration { return time.Minute }
			d.Notifiers = []pulse.Notifier{notify.NewWebhook("webhook:1", srv.URL, "", nil)}
		})
		r.livekit.down.Store(true)
		for range 3 {
			r.check(e)
		}
		for range 12 {
			r.clock.Advance(time.Minute)
			e.Deliver(context.Background())
		}
		incs := r.incidents(livekitRule)
		require.Len(t, incs, 1)
		require.Len(t, incs[0].Deliveries, 1)
		d := incs[0].Deliveries[0]
		assert.Equal(t, pulse.DeliveryFailed, d.Status)
		assert.True(t, utf8.ValidString(d.LastError))
		assert.True(t, strings.HasPrefix(d.LastError, "HTTP 500: "+strings.Repeat("x", 199)), d.LastError)
		assert.Equal(t, 10, d.Attempts, "at 0, 1, …, 9 minutes; the next would be past 10")
		assert.Equal(t, int32(10), posts.Load())
	})
}

// A delivery pending for a channel removed from the configuration (a
// restart with one channel fewer) fails at its next attempt, unretried.
func TestDeliveryForAChannelNoLongerConfiguredFailsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		r := newRig(t, db)
		r.recv.webhook.Answer(func(int) int { return http.StatusInternalServerError })
		backoff := func(_ *alerting.Config, d *alerting.Deps) {
			d.Backoff = func(int) time.Duration { return time.Minute }
		}
		before := r.evaluator(db, nil, backoff)
		r.livekit.down.Store(true)
		for range 3 {
			r.check(before) // the webhook's delivery fails once, retried in a minute
		}
		after := r.evaluator(db, nil, backoff, func(_ *alerting.Config, d *alerting.Deps) {
			d.Notifiers = d.Notifiers[1:] // the webhook removed
		})
		r.clock.Advance(time.Minute)
		after.Deliver(context.Background())
		var webhook pulse.Delivery
		for _, d := range r.incidents(livekitRule)[0].Deliveries {
			if d.Channel == "webhook:1" {
				webhook = d
			}
		}
		assert.Equal(t, pulse.DeliveryFailed, webhook.Status)
		assert.Equal(t, "the channel is no longer configured", webhook.LastError)
		assert.Equal(t, 2, webhook.Attempts)
		r.clock.Advance(5 * time.Minute)
		after.Deliver(context.Background())
		assert.Len(t, r.recv.webhook.Requests(), 1, "only the attempt while it was configured")
	})
}
