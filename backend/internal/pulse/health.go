package pulse

import (
	"fmt"
)

// HealthStatus is the one-word verdict the dashboard colours.
type HealthStatus string

const (
	HealthHealthy  HealthStatus = "healthy"
	HealthDegraded HealthStatus = "degraded"
	HealthCritical HealthStatus = "critical"
)

// HealthThresholds are the configured alert levels.
type HealthThresholds struct {
	ErrorRateDegraded float64 // e.g. 0.02
	ErrorRateCritical float64 // e.g. 0.05
	P95DegradedMs     float64 // e.g. 500
	P95CriticalMs     float64 // e.g. 1000
	// MinRequests is the traffic below which the error rate and p95 are not
	// judged: one failed request out of three is noise, not an outage.
	MinRequests int64
}

// Judged reports whether a window saw enough traffic for its error rate and
// p95 to be judged at all (MinRequests, and at least one request).
func (t HealthThresholds) Judged(s RequestStats) bool {
	return s.Requests > 0 && s.Requests >= t.MinRequests
}

// ErrorLevel classes a window's error rate against the thresholds: "" when
// below both, or when the window is not Judged.
func (t HealthThresholds) ErrorLevel(s RequestStats) HealthStatus {
	return t.level(s, s.ErrorRate(), t.ErrorRateDegraded, t.ErrorRateCritical)
}

// P95Level classes a window's p95 latency like ErrorLevel.
func (t HealthThresholds) P95Level(s RequestStats) HealthStatus {
	return t.level(s, s.P95Ms, t.P95DegradedMs, t.P95CriticalMs)
}

func (t HealthThresholds) level(s RequestStats, v, degraded, critical float64) HealthStatus {
	switch {
	case !t.Judged(s):
		return ""
	case v > critical:
		return HealthCritical
	case v > degraded:
		return HealthDegraded
	}
	return ""
}

// threshold is the level a value was judged against, for the reason text.
func (t HealthThresholds) threshold(l HealthStatus, degraded, critical float64) float64 {
	if l == HealthCritical {
		return critical
	}
	return degraded
}

// HealthSignals is everything the verdict is computed from.
type HealthSignals struct {
	DatabaseUp bool
	Requests   RequestStats // last hour
	// Pool
	PoolInUse           int
	PoolMaxOpen         int // 0 means unlimited
	PoolWaitsLastMinute int64
	Providers           []ProviderHealth
}

// EvaluateHealth computes the verdict and names every reason for it.
func EvaluateHealth(s HealthSignals, t HealthThresholds) (HealthStatus, []string) {
	status := HealthHealthy
	reasons := []string{}
	raise := func(to HealthStatus, reason string) {
		if to == HealthCritical || status == HealthHealthy {
			status = to
		}
		reasons = append(reasons, reason)
	}

	if !s.DatabaseUp {
		raise(HealthCritical, "database unreachable")
	}

	if l, reason := t.errorRateVerdict(s.Requests); l != "" {
		raise(l, reason)
	}
	if l, reason := t.p95Verdict(s.Requests); l != "" {
		raise(l, reason)
	}
	if reason := poolReason(s); reason != "" {
		raise(HealthDegraded, reason)
	}
	for _, svc := range s.Providers {
		if reason := providerReason(svc); reason != "" {
			raise(HealthDegraded, reason)
		}
		// What the provider declares counts even when Pulse's own check
		// still gets through: an outage of its media servers does not show
		// in an API probe.
		if d := svc.Declared; d != nil && d.Indicator.Serious() {
			raise(HealthDegraded, declaredReason(svc.Provider, *d))
		}
	}
	return status, reasons
}

// The verdicts below are shared by EvaluateHealth and the alert rules, so
// that an incident names its trouble in the dashboard's words.

func (t HealthThresholds) errorRateVerdict(r RequestStats) (HealthStatus, string) {
	l := t.ErrorLevel(r)
	if l == "" {
		return "", ""
	}
	return l, fmt.Sprintf("error rate %s > %s", pct(r.ErrorRate()), pct(t.threshold(l, t.ErrorRateDegraded, t.ErrorRateCritical)))
}

func (t HealthThresholds) p95Verdict(r RequestStats) (HealthStatus, string) {
	l := t.P95Level(r)
	if l == "" {
		return "", ""
	}
	return l, fmt.Sprintf("p95 %.0f ms > %.0f ms", r.P95Ms, t.threshold(l, t.P95DegradedMs, t.P95CriticalMs))
}

// poolReason is "" unless the pool is saturated or made callers wait.
func poolReason(s HealthSignals) string {
	if s.PoolMaxOpen > 0 && s.PoolInUse >= s.PoolMaxOpen {
		return fmt.Sprintf("database pool saturated: %d of %d connections in use", s.PoolInUse, s.PoolMaxOpen)
	} else if s.PoolWaitsLastMinute > 0 {
		return fmt.Sprintf("database pool: %d waits for a connection in the last minute", s.PoolWaitsLastMinute)
	}
	return ""
}

// providerReason is "" unless the provider is down or degraded.
func providerReason(svc ProviderHealth) string {
	switch svc.Status {
	case StatusDown, StatusDegraded:
		reason := fmt.Sprintf("%s %s", svc.Provider.Name(), svc.Status)
		if svc.Detail != "" {
			reason += ": " + svc.Detail
		}
		return reason
	}
	return ""
}

// declaredReason names a provider-declared problem as the provider put it:
// its incident's title, or the page's summary when no incident is open (a
// component marked down without one).
func declaredReason(p Provider, d ProviderDeclared) string {
	switch {
	case d.Incident != "":
		return fmt.Sprintf("%s declares a %s incident: %s", p.Name(), d.Indicator, d.Incident)
	case d.Description != "":
		return fmt.Sprintf("%s declares a %s outage: %s", p.Name(), d.Indicator, d.Description)
	}
	return fmt.Sprintf("%s declares a %s outage", p.Name(), d.Indicator)
}

func pct(v float64) string { return fmt.Sprintf("%.1f%%", v*100) }

// PoolStats is the database connection pool as the dashboard shows it.
type PoolStats struct {
	InUse           int
	Idle            int
	MaxOpen         int // 0 means unlimited
	WaitCount       int64
	WaitDurationMs  float64
	WaitsLastMinute int64
}
