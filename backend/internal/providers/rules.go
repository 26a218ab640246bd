package providers

import (
	"fmt"
	"time"

	"pulse/internal/pulse"
)

// Outcome is the raw result of one check, before any judgement.
type Outcome struct {
	// Code is the HTTP status of the answer; 0 when none came back.
	Code int
	// Latency is the time until the whole answer was read; 0 when none came back.
	Latency time.Duration
	// NoAnswer says, short and free of secrets, why no answer came back
	// ("timeout after 5s", "connection refused"); "" when one did.
	NoAnswer string
	// Garbled is set when a 2xx answer's body was not what the API sends.
	Garbled bool
	// LiveRooms is the provider's own count of live rooms when its answers
	// gave one; nil otherwise. It plays no part in the verdict.
	LiveRooms *int
}

// Verdict is a judged check.
type Verdict struct {
	Status pulse.ProviderStatus
	Detail string
	// Base is the status of this check alone, before flapping is considered;
	// flapping is measured on it so that a flap verdict does not feed itself.
	Base pulse.ProviderStatus
	// Failures counts the consecutive failures ending with this check.
	Failures int
}

// Rules turn outcomes into statuses.
//
//   - 2xx within SlowThreshold: operational ("HTTP 200 in 84 ms").
//   - 2xx slower than SlowThreshold, or with a body that was not understood,
//     401/403 (credentials rejected), 429 (rate limited) and any other
//     unexpected status: degraded. These are answers, so they are not failures
//     and end a run of failures.
//   - 5xx, timeout and connection errors are failures: degraded while fewer
//     than DownAfter in a row (Uptime Kuma's "retrying"), down from the
//     DownAfter-th on. The very first check of a provider counts the same way:
//     a connection refused at start is degraded, not down, until confirmed.
//   - Flapping: when the checks' own statuses changed FlapChanges times or more
//     over the last FlapWindow checks, an operational check is degraded.
type Rules struct {
	SlowThreshold time.Duration
	DownAfter     int
	FlapWindow    int
	FlapChanges   int
}

// Judge returns the verdict on o given the provider's previous verdicts,
// oldest first.
func (r Rules) Judge(o Outcome, history []Verdict) Verdict {
	v := Verdict{}
	failure := false
	switch {
	case o.NoAnswer != "":
		failure, v.Detail = true, o.NoAnswer
	case o.Code >= 200 && o.Code < 300 && o.Garbled:
		v.Base, v.Detail = pulse.StatusDegraded, fmt.Sprintf("answer not understood (HTTP %d)", o.Code)
	case o.Code >= 200 && o.Code < 300 && o.Latency > r.SlowThreshold:
		v.Base, v.Detail = pulse.StatusDegraded, fmt.Sprintf("slow: HTTP %d in %s (over %s)", o.Code, fmtMs(o.Latency), fmtDuration(r.SlowThreshold))
	case o.Code >= 200 && o.Code < 300:
		v.Base, v.Detail = pulse.StatusOperational, fmt.Sprintf("HTTP %d in %s", o.Code, fmtMs(o.Latency))
	case o.Code == 401 || o.Code == 403:
		v.Base, v.Detail = pulse.StatusDegraded, fmt.Sprintf("credentials rejected (HTTP %d)", o.Code)
	case o.Code == 429:
		v.Base, v.Detail = pulse.StatusDegraded, "rate limited (HTTP 429)"
	case o.Code >= 500:
		failure, v.Detail = true, fmt.Sprintf("HTTP %d", o.Code)
	default:
		v.Base, v.Detail = pulse.StatusDegraded, fmt.Sprintf("unexpected HTTP %d", o.Code)
	}

	if failure {
		v.Failures = 1
		if n := len(history); n > 0 {
			v.Failures = history[n-1].Failures + 1
		}
		switch {
		case v.Failures >= r.DownAfter:
			v.Base = pulse.StatusDown
			if v.Failures > 1 {
				v.Detail += fmt.Sprintf(" (%d failures in a row)", v.Failures)
			}
		default:
			v.Base = pulse.StatusDegraded
			v.Detail += fmt.Sprintf(" (failure %d/%d)", v.Failures, r.DownAfter)
		}
	}

	v.Status = v.Base
	if changes, checks := r.flaps(history, v.Base); v.Base == pulse.StatusOperational && changes >= r.FlapChanges && r.FlapChanges > 0 {
		v.Status = pulse.StatusDegraded
		v.Detail = fmt.Sprintf("flapping: %d changes in %d checks (%s)", changes, checks, v.Detail)
	}
	return v
}

// flaps counts the status changes over the last FlapWindow checks, the current
// one (base) included, and how many checks that window holds.
func (r Rules) flaps(history []Verdict, base pulse.ProviderStatus) (changes, checks int) {
	if keep := r.FlapWindow - 1; len(history) > keep {
		history = history[len(history)-max(keep, 0):]
	}
	prev := base
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Base != prev {
			changes++
		}
		prev = history[i].Base
	}
	return changes, len(history) + 1
}

// seedVerdict stands for the last stored check when an instance takes over the
// checks: a provider another instance found down stays down on the next
// failure instead of starting its retries again. How many failures led to a
// stored degraded check is unknown, so those restart from zero.
func seedVerdict(c pulse.ProviderCheck, downAfter int) Verdict {
	v := Verdict{Status: c.Status, Base: c.Status, Detail: c.Detail}
	if c.Status == pulse.StatusDown {
		v.Failures = downAfter
	}
	return v
}

// markStale degrades what an old check said: when no instance has checked a
// provider for maxAge, its last operational verdict can no longer be vouched for.
func markStale(h pulse.ProviderHealth, now time.Time, maxAge time.Duration) pulse.ProviderHealth {
	if h.CheckedAt == nil || now.Sub(*h.CheckedAt) <= maxAge {
		return h
	}
	if h.Status == pulse.StatusOperational {
		h.Status = pulse.StatusDegraded
	}
	h.Detail = fmt.Sprintf("stale: last check %s ago (%s)", fmtAge(now.Sub(*h.CheckedAt)), h.Detail)
	return h
}

// markDeclaredStale turns a status page reading that no instance has renewed
// for maxAge into "unknown": an incident the page declared then must not be
// shown, nor counted, as if it were still current.
func markDeclaredStale(d *pulse.ProviderDeclared, now time.Time, maxAge time.Duration) *pulse.ProviderDeclared {
	if d == nil || now.Sub(d.CheckedAt) <= maxAge {
		return d
	}
	return &pulse.ProviderDeclared{
		Provider: d.Provider, Indicator: pulse.DeclaredUnknown, CheckedAt: d.CheckedAt,
		Description: fmt.Sprintf("stale: status page last read %s ago", fmtAge(now.Sub(d.CheckedAt))),
	}
}

// fmtMs writes a latency the way the dashboard shows it: "84 ms".
func fmtMs(d time.Duration) string {
	if d < time.Millisecond {
		return "<1 ms"
	}
	return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
}

// fmtDuration writes a configured duration: "5s", "1500ms", "90s".
func fmtDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// fmtAge writes an age to the coarsest sensible unit: "45s", "12m", "3h".
func fmtAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	default:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
}
