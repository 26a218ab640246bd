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

// ErrorLevel classes an error rate against the thresholds: "" when below both.
func (t HealthThresholds) ErrorLevel(rate float64) HealthStatus {
	switch {
	case rate > t.ErrorRateCritical:
		return HealthCritical
	case rate > t.ErrorRateDegraded:
		return HealthDegraded
	}
	return ""
}

// HealthSignals is everything the verdict is computed from.
type HealthSignals struct {
	DatabaseUp bool
	Requests   RequestStats // last hour
	// Pool
	PoolInUse           int
	PoolMaxOpen         int // 0 means unlimited
	PoolWaitsLastMinute int64
	Services            []ServiceHealth
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

	if s.Requests.Requests >= t.MinRequests && s.Requests.Requests > 0 {
		rate := s.Requests.ErrorRate()
		switch {
		case rate > t.ErrorRateCritical:
			raise(HealthCritical, fmt.Sprintf("error rate %s > %s", pct(rate), pct(t.ErrorRateCritical)))
		case rate > t.ErrorRateDegraded:
			raise(HealthDegraded, fmt.Sprintf("error rate %s > %s", pct(rate), pct(t.ErrorRateDegraded)))
		}
		p95 := s.Requests.P95Ms
		switch {
		case p95 > t.P95CriticalMs:
			raise(HealthCritical, fmt.Sprintf("p95 %.0f ms > %.0f ms", p95, t.P95CriticalMs))
		case p95 > t.P95DegradedMs:
			raise(HealthDegraded, fmt.Sprintf("p95 %.0f ms > %.0f ms", p95, t.P95DegradedMs))
		}
	}

	if s.PoolMaxOpen > 0 && s.PoolInUse >= s.PoolMaxOpen {
		raise(HealthDegraded, fmt.Sprintf("database pool saturated: %d of %d connections in use", s.PoolInUse, s.PoolMaxOpen))
	} else if s.PoolWaitsLastMinute > 0 {
		raise(HealthDegraded, fmt.Sprintf("database pool: %d waits for a connection in the last minute", s.PoolWaitsLastMinute))
	}

	for _, svc := range s.Services {
		switch svc.Status {
		case StatusDown, StatusDegraded:
			reason := fmt.Sprintf("%s %s", svc.Name, svc.Status)
			if svc.Detail != "" {
				reason += ": " + svc.Detail
			}
			raise(HealthDegraded, reason)
		}
	}
	return status, reasons
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
