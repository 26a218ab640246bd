package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

var livekit = pulse.ProviderRule(pulse.ProviderLiveKit)

// step records one evaluation of rule from its stored record, as the
// evaluator does, and returns the incident it touched.
func step(t *testing.T, db *store.DB, rule pulse.AlertRule, sev pulse.Severity, at time.Time, channels ...string) (int64, pulse.Transition) {
	t.Helper()
	recs, err := db.RuleRecords(context.Background())
	require.NoError(t, err)
	prev, ok := recs[rule]
	if !ok {
		prev = pulse.RuleRecord{Rule: rule}
	}
	next, tr := pulse.Hysteresis{FailureThreshold: 3, SuccessThreshold: 2}.Step(prev.State, sev)
	obs := pulse.Observation{Rule: rule, Severity: sev}
	if sev.Bad() {
		obs.Reasons = []string{"LiveKit down: connection refused"}
	}
	if !tr.Notifies() {
		channels = nil
	}
	id, err := db.RecordEvaluation(context.Background(), pulse.Evaluation{Prev: prev, Next: next, Transition: tr,
		Observation: obs, At: at, Channels: channels, GiveUpAt: at.Add(10 * time.Minute)})
	require.NoError(t, err)
	return id, tr
}

func TestIncidentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := func(i int) time.Time { return t0.Add(time.Duration(i) * 30 * time.Second) }
		var opened int64
		for i, sev := range []pulse.Severity{"critical", "critical", "critical"} {
			opened, _ = step(t, db, livekit, sev, at(i), "webhook:1", "slack")
		}
		require.NotZero(t, opened)

		t.Run("OpenIsRecordedWithOnePendingDeliveryPerChannel", func(t *testing.T) {
			list, err := db.Incidents(ctx, pulse.IncidentFilter{Since: t0.Add(-time.Hour)})
			require.NoError(t, err)
			require.Len(t, list, 1)
			inc := list[0]
			assert.Equal(t, opened, inc.ID)
			assert.Equal(t, pulse.IncidentOpen, inc.Status)
			assert.Equal(t, pulse.SeverityCritical, inc.Severity)
			assert.Equal(t, "LiveKit API: LiveKit down: connection refused", inc.Summary)
			assert.Equal(t, []string{"LiveKit down: connection refused"}, inc.Reasons)
			assert.True(t, inc.OpenedAt.Equal(at(2)))
			require.Len(t, inc.Events, 1)
			assert.Equal(t, pulse.EventOpened, inc.Events[0].Kind)
			require.Len(t, inc.Deliveries, 2)
			for _, d := range inc.Deliveries {
				assert.Equal(t, pulse.DeliveryPending, d.Status)
				assert.Equal(t, pulse.EventOpened, d.Kind)
			}
		})

		t.Run("StaleVersionIsAConflictAndWritesNothing", func(t *testing.T) {
			recs, err := db.RuleRecords(ctx)
			require.NoError(t, err)
			stale := recs[livekit]
			stale.Version--
			_, err = db.RecordEvaluation(ctx, pulse.Evaluation{Prev: stale, Next: pulse.RuleState{Open: true, Severity: "critical"},
				Transition: pulse.TransitionOpen, Observation: pulse.Observation{Rule: livekit, Severity: "critical"}, At: at(3),
				Channels: []string{"slack"}, GiveUpAt: at(30)})
			assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err))
			list, err := db.Incidents(ctx, pulse.IncidentFilter{Since: t0.Add(-time.Hour)})
			require.NoError(t, err)
			assert.Len(t, list, 1, "the rolled-back open left no incident")
		})

		t.Run("ClaimedOnceUntilTheLeaseEnds", func(t *testing.T) {
			first, err := db.ClaimDeliveries(ctx, at(3), time.Minute, 10)
			require.NoError(t, err)
			require.Len(t, first, 2)
			assert.Equal(t, "open", first[0].Notification.Status())
			assert.Equal(t, livekit, first[0].Notification.Rule)
			assert.Equal(t, 1, first[0].Attempts)
			again, err := db.ClaimDeliveries(ctx, at(3), time.Minute, 10)
			require.NoError(t, err)
			assert.Empty(t, again, "a claimed delivery is not claimed twice")

			// The slack attempt is never finished (its sender died): it is
			// claimable again once its lease ends.
			require.NoError(t, db.FinishDelivery(ctx, first[0].ID, pulse.DeliveryOutcome{At: at(3)}))
			later, err := db.ClaimDeliveries(ctx, at(3).Add(time.Minute), time.Minute, 10)
			require.NoError(t, err)
			require.Len(t, later, 1)
			assert.Equal(t, first[1].ID, later[0].ID)
			assert.Equal(t, 2, later[0].Attempts)
			require.NoError(t, db.FinishDelivery(ctx, later[0].ID, pulse.DeliveryOutcome{At: at(5), Error: "HTTP 500", Retry: at(6)}))
			none, err := db.ClaimDeliveries(ctx, at(5), time.Minute, 10)
			require.NoError(t, err)
			assert.Empty(t, none, "not due before its retry time")
			retry, err := db.ClaimDeliveries(ctx, at(6), time.Minute, 10)
			require.NoError(t, err)
			require.Len(t, retry, 1)
			require.NoError(t, db.FinishDelivery(ctx, retry[0].ID, pulse.DeliveryOutcome{At: at(6), Error: "HTTP 500"}))

			list, err := db.Incidents(ctx, pulse.IncidentFilter{Status: pulse.IncidentOpen, Since: t0})
			require.NoError(t, err)
			require.Len(t, list, 1)
			byChannel := map[string]pulse.Delivery{}
			for _, d := range list[0].Deliveries {
				byChannel[d.Channel] = d
			}
			assert.Equal(t, pulse.DeliveryDelivered, byChannel["webhook:1"].Status)
			assert.True(t, byChannel["webhook:1"].DeliveredAt.Equal(at(3)))
			assert.Equal(t, pulse.DeliveryFailed, byChannel["slack"].Status)
			assert.Equal(t, "HTTP 500", byChannel["slack"].LastError)
			assert.Equal(t, 3, byChannel["slack"].Attempts)
		})

		t.Run("OneReminderPerInterval", func(t *testing.T) {
			ok, err := db.RecordReminder(ctx, opened, at(2), at(120), []string{"slack"}, false, at(140))
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = db.RecordReminder(ctx, opened, at(2), at(121), []string{"slack"}, false, at(141))
			require.NoError(t, err)
			assert.False(t, ok, "a second evaluator's reminder for the same interval is refused")
			claimed, err := db.ClaimDeliveries(ctx, at(120), time.Minute, 10)
			require.NoError(t, err)
			require.Len(t, claimed, 1)
			assert.True(t, claimed[0].Notification.Reminder())
			assert.Equal(t, "open", claimed[0].Notification.Status())
			require.NoError(t, db.FinishDelivery(ctx, claimed[0].ID, pulse.DeliveryOutcome{At: at(120)}))
		})

		t.Run("TwoGoodEvaluationsResolve", func(t *testing.T) {
			_, tr := step(t, db, livekit, pulse.SeverityOK, at(200), "slack")
			assert.Equal(t, pulse.TransitionNone, tr)
			id, tr := step(t, db, livekit, pulse.SeverityOK, at(201), "slack")
			assert.Equal(t, pulse.TransitionResolve, tr)
			assert.Equal(t, opened, id)
			claimed, err := db.ClaimDeliveries(ctx, at(201), time.Minute, 10)
			require.NoError(t, err)
			require.Len(t, claimed, 1)
			n := claimed[0].Notification
			assert.Equal(t, "resolved", n.Status())
			assert.True(t, n.ResolvedAt.Equal(at(201)))
			assert.Equal(t, []string{"LiveKit down: connection refused"}, n.Reasons, "a resolve says what it was about")

			list, err := db.Incidents(ctx, pulse.IncidentFilter{Status: pulse.IncidentResolved, Since: t0})
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, 100*time.Minute-30*time.Second, list[0].Duration(at(999)))
			open, err := db.Incidents(ctx, pulse.IncidentFilter{Status: pulse.IncidentOpen, Since: t0})
			require.NoError(t, err)
			assert.Empty(t, open)
			ok, err := db.RecordReminder(ctx, opened, at(300), at(300), []string{"slack"}, false, at(320))
			require.NoError(t, err)
			assert.False(t, ok, "a resolved incident is not reminded of")
		})

		t.Run("SinceSelectsByActivity", func(t *testing.T) {
			list, err := db.Incidents(ctx, pulse.IncidentFilter{Since: at(201)})
			require.NoError(t, err)
			assert.Len(t, list, 1, "resolved at since: still in the window")
			list, err = db.Incidents(ctx, pulse.IncidentFilter{Since: at(202)})
			require.NoError(t, err)
			assert.Empty(t, list)
		})

		t.Run("PruneDeletesOldResolvedIncidentsOnly", func(t *testing.T) {
			for i := range 3 {
				step(t, db, pulse.RulePool, pulse.SeverityDegraded, at(300+i))
			}
			n, err := db.PruneIncidents(ctx, at(202))
			require.NoError(t, err)
			assert.EqualValues(t, 1, n)
			list, err := db.Incidents(ctx, pulse.IncidentFilter{Since: t0})
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.Equal(t, pulse.RulePool, list[0].Rule, "the open incident is kept, however old")
			n, err = db.PruneIncidents(ctx, at(10000))
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	})
}

func TestSilences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mk := func(rule string, d time.Duration) pulse.Silence {
			s, err := pulse.NewSilence(rule, t0, t0.Add(d), "maintenance", "ops@example.org")
			require.NoError(t, err)
			s, err = db.CreateSilence(ctx, s)
			require.NoError(t, err)
			return s
		}
		long, short := mk("all", 2*time.Hour), mk(string(livekit), time.Hour)

		t.Run("ActiveListedSoonestEndFirst", func(t *testing.T) {
			got, err := db.ActiveSilences(ctx, t0)
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, short.ID, got[0].ID)
			assert.Equal(t, "ops@example.org", got[0].CreatedBy)
			assert.True(t, got[0].EndsAt.Equal(t0.Add(time.Hour)))
		})
		t.Run("EndedNotListed", func(t *testing.T) {
			got, err := db.ActiveSilences(ctx, t0.Add(time.Hour))
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Equal(t, long.ID, got[0].ID)
		})
		t.Run("Deleted", func(t *testing.T) {
			require.NoError(t, db.DeleteSilence(ctx, long.ID))
			got, err := db.ActiveSilences(ctx, t0)
			require.NoError(t, err)
			assert.Len(t, got, 1)
		})
		t.Run("DeleteUnknownIsNotFound", func(t *testing.T) {
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(db.DeleteSilence(ctx, long.ID)))
		})
		t.Run("PruneRemovesEndedSilences", func(t *testing.T) {
			_, err := db.PruneIncidents(ctx, t0.Add(3*time.Hour))
			require.NoError(t, err)
			got, err := db.ActiveSilences(ctx, t0)
			require.NoError(t, err)
			assert.Empty(t, got)
		})
	})
}

// The reminder clock restarts when an incident is notified (opened,
// escalated), not when it only gets better (de-escalated): the reminder comes
// an interval after the last page anyone received.
func TestRemindersCountFromTheLastPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at := func(i int) time.Time { return t0.Add(time.Duration(i) * 30 * time.Second) }
		lastNotified := func() time.Time {
			list, err := db.Incidents(ctx, pulse.IncidentFilter{Since: t0.Add(-time.Hour)})
			require.NoError(t, err)
			require.Len(t, list, 1)
			return list[0].LastNotifiedAt
		}
		i := 0
		next := func(sev pulse.Severity) pulse.Transition {
			_, tr := step(t, db, livekit, sev, at(i), "slack")
			i++
			return tr
		}
		for range 3 {
			next(pulse.SeverityDegraded)
		}
		assert.True(t, lastNotified().Equal(at(2)), "opened")
		for range 2 {
			next(pulse.SeverityCritical)
		}
		require.Equal(t, pulse.TransitionEscalate, next(pulse.SeverityCritical))
		assert.True(t, lastNotified().Equal(at(5)), "escalated: paged again")
		next(pulse.SeverityDegraded)
		require.Equal(t, pulse.TransitionDeescalate, next(pulse.SeverityDegraded))
		assert.True(t, lastNotified().Equal(at(5)), "de-escalated: nobody paged, the clock stays")
	})
}
