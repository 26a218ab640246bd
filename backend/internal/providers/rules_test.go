package providers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"pulse/internal/pulse"
)

func TestRulesJudge(t *testing.T) {
	rules := Rules{SlowThreshold: time.Second, DownAfter: 3, FlapWindow: 10, FlapChanges: 4}
	const (
		op   = pulse.StatusOperational
		deg  = pulse.StatusDegraded
		down = pulse.StatusDown
	)
	ok := Outcome{Code: 200, Latency: 84 * time.Millisecond}
	fail := Outcome{Code: 503, Latency: 12 * time.Millisecond}
	// seen builds a history of base statuses, with failure counts as the
	// rules would have given them.
	seen := func(statuses ...pulse.ProviderStatus) []Verdict {
		h := make([]Verdict, len(statuses))
		for i, s := range statuses {
			h[i] = Verdict{Status: s, Base: s}
		}
		return h
	}
	failing := func(n int) []Verdict {
		h := make([]Verdict, n)
		for i := range h {
			h[i] = Verdict{Status: deg, Base: deg, Failures: i + 1}
			if i+1 >= 3 {
				h[i].Status, h[i].Base = down, down
			}
		}
		return h
	}

	tests := []struct {
		name    string
		outcome Outcome
		history []Verdict
		want    Verdict
	}{
		{"OK", ok, nil,
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 84 ms"}},
		{"OKNoContent", Outcome{Code: 204, Latency: 300 * time.Microsecond}, nil,
			Verdict{Status: op, Base: op, Detail: "HTTP 204 in <1 ms"}},
		{"OKAtTheBudget", Outcome{Code: 200, Latency: time.Second}, nil,
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 1000 ms"}},
		{"Slow", Outcome{Code: 200, Latency: 1320 * time.Millisecond}, nil,
			Verdict{Status: deg, Base: deg, Detail: "slow: HTTP 200 in 1320 ms (over 1s)"}},
		{"Garbled", Outcome{Code: 200, Latency: 5 * time.Millisecond, Garbled: true}, nil,
			Verdict{Status: deg, Base: deg, Detail: "answer not understood (HTTP 200)"}},
		{"Unauthorized", Outcome{Code: 401}, nil,
			Verdict{Status: deg, Base: deg, Detail: "credentials rejected (HTTP 401)"}},
		{"Forbidden", Outcome{Code: 403}, nil,
			Verdict{Status: deg, Base: deg, Detail: "credentials rejected (HTTP 403)"}},
		{"CredentialsRejectedRepeatedlyIsNotDown", Outcome{Code: 401}, seen(deg, deg, deg, deg),
			Verdict{Status: deg, Base: deg, Detail: "credentials rejected (HTTP 401)"}},
		{"RateLimited", Outcome{Code: 429}, nil,
			Verdict{Status: deg, Base: deg, Detail: "rate limited (HTTP 429)"}},
		{"RateLimitedEndsAFailureRun", Outcome{Code: 429}, failing(2),
			Verdict{Status: deg, Base: deg, Detail: "rate limited (HTTP 429)"}},
		{"UnexpectedStatus", Outcome{Code: 404}, nil,
			Verdict{Status: deg, Base: deg, Detail: "unexpected HTTP 404"}},
		{"ServerErrorFirst", fail, nil,
			Verdict{Status: deg, Base: deg, Failures: 1, Detail: "HTTP 503 (failure 1/3)"}},
		{"ServerErrorSecond", fail, failing(1),
			Verdict{Status: deg, Base: deg, Failures: 2, Detail: "HTTP 503 (failure 2/3)"}},
		{"ServerErrorThirdIsDown", fail, failing(2),
			Verdict{Status: down, Base: down, Failures: 3, Detail: "HTTP 503 (3 failures in a row)"}},
		{"ServerErrorStaysDown", fail, failing(5),
			Verdict{Status: down, Base: down, Failures: 6, Detail: "HTTP 503 (6 failures in a row)"}},
		{"ServerErrorAfterRecoveryStartsOver", fail, append(failing(4), Verdict{Status: op, Base: op}),
			Verdict{Status: deg, Base: deg, Failures: 1, Detail: "HTTP 503 (failure 1/3)"}},
		{"TimeoutFirstCheckIsDegraded", Outcome{NoAnswer: "timeout after 5s"}, nil,
			Verdict{Status: deg, Base: deg, Failures: 1, Detail: "timeout after 5s (failure 1/3)"}},
		{"ConnectionRefusedThirdIsDown", Outcome{NoAnswer: "connection refused"}, failing(2),
			Verdict{Status: down, Base: down, Failures: 3, Detail: "connection refused (3 failures in a row)"}},
		{"MixedFailuresCount", Outcome{NoAnswer: "connection refused"}, []Verdict{{Status: deg, Base: deg, Failures: 1}, {Status: deg, Base: deg, Failures: 2}},
			Verdict{Status: down, Base: down, Failures: 3, Detail: "connection refused (3 failures in a row)"}},
		{"RecoveryIsOperational", ok, failing(4),
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 84 ms"}},
		{"Flapping", ok, seen(op, op, deg, op, deg, op, deg),
			Verdict{Status: deg, Base: op, Detail: "flapping: 6 changes in 8 checks (HTTP 200 in 84 ms)"}},
		{"FlappingAtTheThreshold", ok, seen(op, deg, op, deg),
			Verdict{Status: deg, Base: op, Detail: "flapping: 4 changes in 5 checks (HTTP 200 in 84 ms)"}},
		{"BelowTheFlapThreshold", ok, seen(deg, deg, op, deg, op),
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 84 ms"}},
		{"FlapsOutsideTheWindowForgotten", ok, seen(deg, op, deg, op, deg, op, op, op, op, op, op, op),
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 84 ms"}},
		{"FlappingMeasuredOnBaseStatuses", ok, []Verdict{{Status: deg, Base: op}, {Status: deg, Base: op}, {Status: deg, Base: op}},
			Verdict{Status: op, Base: op, Detail: "HTTP 200 in 84 ms"}},
		{"FlappingDoesNotHideAFailure", fail, seen(op, deg, op, deg, op),
			Verdict{Status: deg, Base: deg, Failures: 1, Detail: "HTTP 503 (failure 1/3)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rules.Judge(tt.outcome, tt.history))
		})
	}

	t.Run("DownAfterOneIsDownAtOnce", func(t *testing.T) {
		r := rules
		r.DownAfter = 1
		assert.Equal(t, Verdict{Status: down, Base: down, Failures: 1, Detail: "connection refused"},
			r.Judge(Outcome{NoAnswer: "connection refused"}, nil))
	})
}

func TestSeedVerdict(t *testing.T) {
	tests := []struct {
		name         string
		status       pulse.ProviderStatus
		wantFailures int
	}{
		{"DownKeepsItsRun", pulse.StatusDown, 3},
		{"DegradedStartsOver", pulse.StatusDegraded, 0},
		{"OperationalStartsOver", pulse.StatusOperational, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := seedVerdict(pulse.ProviderCheck{Status: tt.status, Detail: "d"}, 3)
			assert.Equal(t, Verdict{Status: tt.status, Base: tt.status, Detail: "d", Failures: tt.wantFailures}, v)
		})
	}
}

func TestMarkStale(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *time.Time { t := now.Add(-ago); return &t }
	tests := []struct {
		name       string
		in         pulse.ProviderHealth
		wantStatus pulse.ProviderStatus
		wantDetail string
	}{
		{"Fresh", pulse.ProviderHealth{Status: pulse.StatusOperational, Detail: "HTTP 200 in 84 ms", CheckedAt: at(90 * time.Second)},
			pulse.StatusOperational, "HTTP 200 in 84 ms"},
		{"StaleOperationalIsDegraded", pulse.ProviderHealth{Status: pulse.StatusOperational, Detail: "HTTP 200 in 84 ms", CheckedAt: at(12 * time.Minute)},
			pulse.StatusDegraded, "stale: last check 12m ago (HTTP 200 in 84 ms)"},
		{"StaleDownStaysDown", pulse.ProviderHealth{Status: pulse.StatusDown, Detail: "HTTP 503", CheckedAt: at(3 * time.Hour)},
			pulse.StatusDown, "stale: last check 3h ago (HTTP 503)"},
		{"NeverChecked", pulse.ProviderHealth{Status: pulse.StatusDegraded, Detail: "awaiting first check"},
			pulse.StatusDegraded, "awaiting first check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := markStale(tt.in, now, 2*time.Minute)
			assert.Equal(t, tt.wantStatus, got.Status)
			assert.Equal(t, tt.wantDetail, got.Detail)
		})
	}
}

func TestFormats(t *testing.T) {
	assert.Equal(t, "5s", fmtDuration(5*time.Second))
	assert.Equal(t, "150ms", fmtDuration(150*time.Millisecond))
	assert.Equal(t, "84 ms", fmtMs(84*time.Millisecond+200*time.Microsecond))
	assert.Equal(t, "<1 ms", fmtMs(400*time.Microsecond))
	assert.Equal(t, "45s", fmtAge(45*time.Second))
}
