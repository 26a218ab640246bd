package pulse_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestAlertRules(t *testing.T) {
	ids := []string{}
	for _, r := range pulse.AlertRules() {
		ids = append(ids, string(r))
		assert.NotEqual(t, string(r), r.Name(), "%s has a human name", r)
	}
	assert.Equal(t, []string{"health", "provider:daily_co", "provider:livekit", "provider:beyond_presence", "error_rate", "p95", "database", "pool"}, ids)
	assert.Equal(t, "LiveKit API", pulse.ProviderRule(pulse.ProviderLiveKit).Name())

	t.Run("ParseKnown", func(t *testing.T) {
		r, err := pulse.ParseAlertRule("provider:daily_co")
		require.NoError(t, err)
		assert.Equal(t, pulse.ProviderRule(pulse.ProviderDaily), r)
	})
	t.Run("ParseUnknownIsInvalid", func(t *testing.T) {
		_, err := pulse.ParseAlertRule("provider:daily")
		assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
		assert.Contains(t, err.Error(), "allowed: "+pulse.AlertRuleIDs())
	})
	t.Run("IDs", func(t *testing.T) {
		assert.Equal(t, strings.Join(ids, ", "), pulse.AlertRuleIDs())
	})
}

// The incident state machine, step by step: each case feeds observations
// and names the transition each one makes ("-" for none).
func TestHysteresisStep(t *testing.T) {
	const (
		ok  = pulse.SeverityOK
		deg = pulse.SeverityDegraded
		cri = pulse.SeverityCritical
	)
	h := pulse.Hysteresis{FailureThreshold: 3, SuccessThreshold: 2}
	cases := []struct {
		name string
		obs  []pulse.Severity
		want string // one transition per observation, space separated
		sev  pulse.Severity
	}{
		{"QuietStaysQuiet", []pulse.Severity{ok, ok, ok}, "- - -", ""},
		{"TwoFailuresDoNotOpen", []pulse.Severity{deg, deg, ok, deg, deg}, "- - - - -", ""},
		{"ThreeFailuresOpen", []pulse.Severity{deg, deg, deg}, "- - open", deg},
		{"OpensWithTheSeverityThatCompletesTheStreak", []pulse.Severity{deg, deg, cri}, "- - open", cri},
		{"StaysOpenWhileBad", []pulse.Severity{cri, cri, cri, cri, cri}, "- - open - -", cri},
		{"OneGoodDoesNotResolve", []pulse.Severity{deg, deg, deg, ok, deg}, "- - open - -", deg},
		{"TwoGoodResolve", []pulse.Severity{deg, deg, deg, ok, ok}, "- - open - resolve", ""},
		{"ReopensAsANewIncident", []pulse.Severity{deg, deg, deg, ok, ok, deg, deg, deg}, "- - open - resolve - - open", deg},
		{"EscalatesOnceAfterThreeCriticals", []pulse.Severity{deg, deg, deg, cri, cri, cri, cri, cri}, "- - open - - escalate - -", cri},
		{"OneCriticalBlipDoesNotEscalate", []pulse.Severity{deg, deg, deg, cri, deg, cri, deg}, "- - open - - - -", deg},
		{"DeescalatesAfterTwoDegraded", []pulse.Severity{cri, cri, cri, deg, deg, deg}, "- - open - deescalate -", deg},
		{"EscalatesAgainAfterCalmingDown", []pulse.Severity{cri, cri, cri, deg, deg, cri, cri, cri}, "- - open - deescalate - - escalate", cri},
		{"ResolvesFromCritical", []pulse.Severity{cri, cri, cri, ok, ok}, "- - open - resolve", ""},
		{"UnknownSeverityCountsAsGood", []pulse.Severity{deg, deg, deg, "", ""}, "- - open - resolve", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var st pulse.RuleState
			got := make([]string, 0, len(tc.obs))
			for _, o := range tc.obs {
				var tr pulse.Transition
				st, tr = h.Step(st, o)
				if tr == pulse.TransitionNone {
					got = append(got, "-")
				} else {
					got = append(got, string(tr))
				}
			}
			assert.Equal(t, tc.want, strings.Join(got, " "))
			assert.Equal(t, tc.sev, st.Severity)
			assert.Equal(t, tc.sev != "", st.Open)
		})
	}

	t.Run("CountersCarryOverAStoredState", func(t *testing.T) {
		// A new leader reads the state the last one stored: two failures
		// so far, so one more opens.
		st, tr := h.Step(pulse.RuleState{Failures: 2, Level: deg, Streak: 2}, deg)
		assert.Equal(t, pulse.TransitionOpen, tr)
		assert.Equal(t, 3, st.Failures)
	})
	t.Run("SuccessesCountConsecutiveGood", func(t *testing.T) {
		st, _ := h.Step(pulse.RuleState{Level: ok, Streak: 4}, ok)
		assert.Equal(t, 5, st.Successes())
		st, _ = h.Step(st, deg)
		assert.Zero(t, st.Successes())
	})
	t.Run("OnlyOpenEscalateResolveNotify", func(t *testing.T) {
		for tr, want := range map[pulse.Transition]bool{pulse.TransitionNone: false, pulse.TransitionOpen: true,
			pulse.TransitionEscalate: true, pulse.TransitionDeescalate: false, pulse.TransitionResolve: true} {
			assert.Equal(t, want, tr.Notifies(), "%q", tr)
		}
	})
}

func TestEvaluateAlerts(t *testing.T) {
	rs := func(requests, errors int64, p95 float64) *pulse.RequestStats {
		return &pulse.RequestStats{Requests: requests, Errors: errors, P95Ms: p95}
	}
	calm := pulse.Live{DatabaseUp: true, Requests: rs(1000, 1, 40), Pool: pulse.PoolStats{InUse: 1, MaxOpen: 20},
		Providers: []pulse.ProviderHealth{
			{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational},
			{Provider: pulse.ProviderLiveKit, Status: pulse.StatusOperational},
			{Provider: pulse.ProviderBeyondPresence, Status: pulse.StatusUnconfigured},
		}}
	with := func(f func(*pulse.Live)) pulse.Live {
		l := calm
		l.Providers = append([]pulse.ProviderHealth(nil), calm.Providers...)
		f(&l)
		return l
	}
	type verdict struct {
		sev    pulse.Severity
		reason string
	}
	cases := []struct {
		name string
		live pulse.Live
		want map[pulse.AlertRule]verdict // rules not listed must be ok
		gone []pulse.AlertRule           // rules not observed at all
	}{
		{"AllOK", calm, nil, nil},
		{"ProviderDownIsCriticalForItsRuleDegradedForHealth", with(func(l *pulse.Live) {
			l.Providers[1] = pulse.ProviderHealth{Provider: pulse.ProviderLiveKit, Status: pulse.StatusDown, Detail: "connection refused"}
		}), map[pulse.AlertRule]verdict{
			"provider:livekit": {pulse.SeverityCritical, "LiveKit down: connection refused"},
			"health":           {pulse.SeverityDegraded, "LiveKit down: connection refused"},
		}, nil},
		{"ProviderDegraded", with(func(l *pulse.Live) {
			l.Providers[0] = pulse.ProviderHealth{Provider: pulse.ProviderDaily, Status: pulse.StatusDegraded, Detail: "slow"}
		}), map[pulse.AlertRule]verdict{
			"provider:daily_co": {pulse.SeverityDegraded, "Daily.co degraded: slow"},
			"health":            {pulse.SeverityDegraded, "Daily.co degraded: slow"},
		}, nil},
		{"ErrorRateCritical", with(func(l *pulse.Live) { l.Requests = rs(1000, 60, 40) }), map[pulse.AlertRule]verdict{
			"error_rate": {pulse.SeverityCritical, "error rate 6.0% > 5.0%"},
			"health":     {pulse.SeverityCritical, "error rate 6.0% > 5.0%"},
		}, nil},
		{"ErrorRateBelowMinimumTrafficIsNotJudged", with(func(l *pulse.Live) { l.Requests = rs(5, 5, 4000) }), nil, nil},
		{"P95Degraded", with(func(l *pulse.Live) { l.Requests = rs(1000, 0, 700) }), map[pulse.AlertRule]verdict{
			"p95":    {pulse.SeverityDegraded, "p95 700 ms > 500 ms"},
			"health": {pulse.SeverityDegraded, "p95 700 ms > 500 ms"},
		}, nil},
		{"DatabaseDownLeavesTheLastHourUnjudged", with(func(l *pulse.Live) { l.DatabaseUp, l.Requests = false, nil }), map[pulse.AlertRule]verdict{
			"database": {pulse.SeverityCritical, "database unreachable"},
			"health":   {pulse.SeverityCritical, "database unreachable"},
		}, []pulse.AlertRule{"error_rate", "p95"}},
		{"PoolSaturated", with(func(l *pulse.Live) { l.Pool.InUse = 20 }), map[pulse.AlertRule]verdict{
			"pool":   {pulse.SeverityDegraded, "database pool saturated: 20 of 20 connections in use"},
			"health": {pulse.SeverityDegraded, "database pool saturated: 20 of 20 connections in use"},
		}, nil},
		{"UnknownProvidersAreNotObserved", with(func(l *pulse.Live) { l.Providers = nil }), nil,
			[]pulse.AlertRule{"provider:daily_co", "provider:livekit", "provider:beyond_presence"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := map[pulse.AlertRule]pulse.Observation{}
			for _, o := range pulse.EvaluateAlerts(tc.live, thresholds) {
				got[o.Rule] = o
			}
			for _, r := range pulse.AlertRules() {
				o, seen := got[r]
				if assert.Equal(t, !contains(tc.gone, r), seen, "%s observed", r) && seen {
					want, bad := tc.want[r]
					if !bad {
						assert.Equal(t, pulse.SeverityOK, o.Severity, "%s: %v", r, o.Reasons)
						assert.Empty(t, o.Reasons, r)
						continue
					}
					assert.Equal(t, want.sev, o.Severity, r)
					assert.Contains(t, o.Reasons, want.reason, r)
				}
			}
		})
	}
}

func contains(rules []pulse.AlertRule, r pulse.AlertRule) bool {
	for _, x := range rules {
		if x == r {
			return true
		}
	}
	return false
}

func TestNewSilence(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		rule   string
		ends   time.Time
		reason string
		ok     bool
	}{
		{"OK", "provider:livekit", now.Add(2 * time.Hour), "LiveKit upgrade", true},
		{"All", "all", now.Add(time.Hour), "database failover", true},
		{"UnknownRule", "livekit", now.Add(time.Hour), "x", false},
		{"NoReason", "all", now.Add(time.Hour), "  ", false},
		{"EndsInThePast", "all", now, "x", false},
		{"TooLong", "all", now.Add(pulse.MaxSilence + time.Minute), "x", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := pulse.NewSilence(tc.rule, now, tc.ends, tc.reason, "ops@example.org")
			if !tc.ok {
				assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			assert.True(t, s.Covers(pulse.ProviderRule(pulse.ProviderLiveKit), now))
			assert.False(t, s.Covers(pulse.ProviderRule(pulse.ProviderLiveKit), tc.ends), "ends at EndsAt")
		})
	}
	t.Run("OneRuleOnly", func(t *testing.T) {
		s, err := pulse.NewSilence("pool", now, now.Add(time.Hour), "resize", "cli")
		require.NoError(t, err)
		assert.True(t, pulse.Silenced([]pulse.Silence{s}, pulse.RulePool, now))
		assert.False(t, pulse.Silenced([]pulse.Silence{s}, pulse.RuleDatabase, now))
	})
}
