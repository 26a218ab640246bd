package lifecycle_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/lifecycle"
	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fakeStore records the cut-off of each call and answers fixed counts.
type fakeStore struct {
	mu    sync.Mutex
	calls []string
	cuts  map[string]time.Time
	fail  string
}

func (s *fakeStore) call(name string, before time.Time, n int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, name)
	if s.cuts == nil {
		s.cuts = map[string]time.Time{}
	}
	s.cuts[name] = before
	if name == s.fail {
		return 0, errors.New("database gone")
	}
	return n, nil
}

func (s *fakeStore) EndStaleSessions(_ context.Context, t time.Time) (int64, error) {
	return s.call("stale", t, 3)
}
func (s *fakeStore) PruneSessions(_ context.Context, t time.Time) (int64, error) {
	return s.call("sessions", t, 12)
}
func (s *fakeStore) PruneProviderChecks(_ context.Context, t time.Time) (int64, error) {
	return s.call("checks", t, 0)
}
func (s *fakeStore) PruneRollups(_ context.Context, t time.Time) (int64, error) {
	return s.call("rollups", t, 5)
}
func (s *fakeStore) PruneProcessedEvents(_ context.Context, t time.Time) (int64, error) {
	return s.call("events", t, 7)
}
func (s *fakeStore) PruneIncidents(_ context.Context, t time.Time) (int64, error) {
	return s.call("incidents", t, 2)
}
func (s *fakeStore) PruneQualityMinutes(_ context.Context, t time.Time) (int64, error) {
	return s.call("quality", t, 4)
}
func (s *fakeStore) PruneSeenMinutes(_ context.Context, t time.Time) (int64, error) {
	return s.call("seen", t, 6)
}
func (s *fakeStore) PruneSignInThrottle(_ context.Context, t time.Time) (int64, error) {
	return s.call("signins", t, 8)
}

type fakeLeader struct {
	ok       bool
	jobs     []string
	released int
}

func (l *fakeLeader) TryLead(_ context.Context, job string) (func(), bool, error) {
	l.jobs = append(l.jobs, job)
	if !l.ok {
		return nil, false, nil
	}
	return func() { l.released++ }, true, nil
}

func defaults() lifecycle.Config {
	d := config.Defaults()
	return lifecycle.Config{
		SessionRetention: d.SessionRetention, SessionStaleAfter: d.SessionStaleAfter,
		ProviderCheckRetention: d.ProviderCheckRetention, RollupRetention: d.TelemetryRetention,
		WebhookEventRetention: d.WebhookEventRetention,
		IncidentRetention:     d.IncidentRetention,
	}
}

func TestPrune(t *testing.T) {
	t.Run("EveryRuleWithItsOwnCutOff", func(t *testing.T) {
		st := &fakeStore{}
		p, err := lifecycle.New(defaults(), st, nil, testclock.New(t0).Now, nil)
		require.NoError(t, err)
		r, err := p.Prune(context.Background())
		require.NoError(t, err)
		assert.Equal(t, lifecycle.Report{Sessions: 12, ProviderChecks: 0, Rollups: 5, ProcessedEvents: 7, Incidents: 2, Abandoned: 3, QualityMinutes: 4, SeenMinutes: 6, SignInThrottle: 8}, r)
		assert.Equal(t, []string{"stale", "sessions", "checks", "rollups", "events", "incidents", "quality", "seen", "signins"}, st.calls, "the sweep counts a session before it can be deleted")
		d := defaults()
		assert.Equal(t, map[string]time.Time{
			"stale":     t0.Add(-d.SessionStaleAfter),
			"sessions":  t0.Add(-d.SessionRetention),
			"checks":    t0.Add(-d.ProviderCheckRetention),
			"rollups":   t0.Add(-d.RollupRetention),
			"events":    t0.Add(-d.WebhookEventRetention),
			"incidents": t0.Add(-d.IncidentRetention),
			"quality":   t0.Add(-pulse.QualityRollupKept),
			"seen":      t0.Add(-pulse.SeenRollupKept),
			"signins":   t0, // forgotten is judged at now
		}, st.cuts)
	})
	t.Run("StopsAtTheFirstError", func(t *testing.T) {
		st := &fakeStore{fail: "checks"}
		p, err := lifecycle.New(defaults(), st, nil, testclock.New(t0).Now, nil)
		require.NoError(t, err)
		r, err := p.Prune(context.Background())
		assert.ErrorContains(t, err, "prune provider checks")
		assert.Equal(t, lifecycle.Report{Sessions: 12, Abandoned: 3}, r, "what was done is still reported")
		assert.Equal(t, []string{"stale", "sessions", "checks"}, st.calls)
	})
	t.Run("ReportPrintsOneLineATable", func(t *testing.T) {
		var b bytes.Buffer
		_, err := lifecycle.Report{Sessions: 12, Abandoned: 3}.WriteTo(&b)
		require.NoError(t, err)
		assert.Equal(t, "sessions: 12 deleted\nprovider_checks: 0 deleted\nrequest_rollups: 0 deleted\nprocessed_events: 0 deleted\nincidents: 0 deleted\nabandoned sessions ended: 3\nquality_minutes: 0 deleted\nseen_minutes: 0 deleted\nlogin_throttle: 0 deleted\n", b.String())
	})
	t.Run("ZeroRetentionRefused", func(t *testing.T) {
		c := defaults()
		c.SessionStaleAfter = 0
		_, err := lifecycle.New(c, &fakeStore{}, nil, nil, nil)
		assert.Error(t, err)
	})
}

func TestRunOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leads bool
		calls []string
	}{
		{"LeaderPrunesAndLetsGo", true, []string{"stale", "sessions", "checks", "rollups", "events", "incidents", "quality", "seen", "signins"}},
		{"FollowerLeavesItToTheLeader", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &fakeStore{}
			l := &fakeLeader{ok: tc.leads}
			p, err := lifecycle.New(defaults(), st, l, testclock.New(t0).Now, nil)
			require.NoError(t, err)
			_, led, err := p.RunOnce(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tc.leads, led)
			assert.Equal(t, []string{lifecycle.Job}, l.jobs)
			assert.Equal(t, tc.calls, st.calls)
			if tc.leads {
				assert.Equal(t, 1, l.released, "leadership is given back after the pass")
			}
		})
	}
}
