package pulse_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"pulse/internal/pulse"
)

var thresholds = pulse.HealthThresholds{ErrorRateDegraded: 0.02, ErrorRateCritical: 0.05, P95DegradedMs: 500, P95CriticalMs: 1000, MinRequests: 20}

func TestEvaluateHealth(t *testing.T) {
	ok := pulse.HealthSignals{DatabaseUp: true, Requests: pulse.RequestStats{Requests: 1000, Errors: 5, P95Ms: 80}, PoolInUse: 1, PoolMaxOpen: 20}
	with := func(f func(*pulse.HealthSignals)) pulse.HealthSignals { s := ok; f(&s); return s }
	cases := []struct {
		name    string
		signals pulse.HealthSignals
		status  pulse.HealthStatus
		reasons []string
	}{
		{"Healthy", ok, pulse.HealthHealthy, []string{}},
		{"DatabaseUnreachable", with(func(s *pulse.HealthSignals) { s.DatabaseUp = false }), pulse.HealthCritical, []string{"database unreachable"}},
		{"ErrorRateCritical", with(func(s *pulse.HealthSignals) { s.Requests.Errors = 51 }), pulse.HealthCritical, []string{"error rate 5.1% > 5.0%"}},
		{"ErrorRateDegraded", with(func(s *pulse.HealthSignals) { s.Requests.Errors = 21 }), pulse.HealthDegraded, []string{"error rate 2.1% > 2.0%"}},
		{"ErrorRateAtThresholdIsNotOver", with(func(s *pulse.HealthSignals) { s.Requests.Errors = 20 }), pulse.HealthHealthy, []string{}},
		{"P95Critical", with(func(s *pulse.HealthSignals) { s.Requests.P95Ms = 1200 }), pulse.HealthCritical, []string{"p95 1200 ms > 1000 ms"}},
		{"P95Degraded", with(func(s *pulse.HealthSignals) { s.Requests.P95Ms = 612 }), pulse.HealthDegraded, []string{"p95 612 ms > 500 ms"}},
		{"TooLittleTrafficToJudge", with(func(s *pulse.HealthSignals) { s.Requests = pulse.RequestStats{Requests: 3, Errors: 3, P95Ms: 5000} }), pulse.HealthHealthy, []string{}},
		{"PoolSaturated", with(func(s *pulse.HealthSignals) { s.PoolInUse = 20 }), pulse.HealthDegraded, []string{"database pool saturated: 20 of 20 connections in use"}},
		{"PoolWaitsLastMinute", with(func(s *pulse.HealthSignals) { s.PoolWaitsLastMinute = 4 }), pulse.HealthDegraded, []string{"database pool: 4 waits for a connection in the last minute"}},
		{"UnlimitedPoolIsNeverSaturated", with(func(s *pulse.HealthSignals) { s.PoolMaxOpen = 0 }), pulse.HealthHealthy, []string{}},
		{"ProviderDown", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderLiveKit, Status: pulse.StatusDown, Detail: "connection refused"}}
		}), pulse.HealthDegraded, []string{"LiveKit down: connection refused"}},
		{"ProviderDegraded", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusDegraded}}
		}), pulse.HealthDegraded, []string{"Daily.co degraded"}},
		{"UnconfiguredProviderIsNotAProblem", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderBeyondPresence, Status: pulse.StatusUnconfigured}}
		}), pulse.HealthHealthy, []string{}},
		{"DeclaredMajorIncident", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderLiveKit, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMajor, Description: "Partial System Outage", Incident: "Elevated connection failures in US West", IncidentImpact: "major"}}}
		}), pulse.HealthDegraded, []string{"LiveKit declares a major incident: Elevated connection failures in US West"}},
		{"DeclaredCriticalIncident", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredCritical, Incident: "API unavailable", IncidentImpact: "critical"}}}
		}), pulse.HealthDegraded, []string{"Daily.co declares a critical incident: API unavailable"}},
		{"DeclaredMajorWithoutIncidentNamesTheSummary", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMajor, Description: "Partial System Outage"}}}
		}), pulse.HealthDegraded, []string{"Daily.co declares a major outage: Partial System Outage"}},
		{"DeclaredMajorWithNothingToName", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMajor}}}
		}), pulse.HealthDegraded, []string{"Daily.co declares a major outage"}},
		{"DeclaredMinorIncidentIsNotAProblem", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderLiveKit, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMinor, Incident: "Delayed egress", IncidentImpact: "minor"}}}
		}), pulse.HealthHealthy, []string{}},
		{"DeclaredMaintenanceIsNotAProblem", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMaintenance, Maintenance: "Database upgrade", MaintenanceStatus: "in_progress"}}}
		}), pulse.HealthHealthy, []string{}},
		{"UnreadableStatusPageIsNotAProblem", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational,
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredUnknown, Description: "status page not read: HTTP 503"}}}
		}), pulse.HealthHealthy, []string{}},
		{"ProbeDownAndDeclaredIncidentBothNamed", with(func(s *pulse.HealthSignals) {
			s.Providers = []pulse.ProviderHealth{{Provider: pulse.ProviderLiveKit, Status: pulse.StatusDown, Detail: "HTTP 503 (3 failures in a row)",
				Declared: &pulse.ProviderDeclared{Indicator: pulse.DeclaredMajor, Incident: "RoomService errors", IncidentImpact: "major"}}}
		}), pulse.HealthDegraded, []string{"LiveKit down: HTTP 503 (3 failures in a row)", "LiveKit declares a major incident: RoomService errors"}},
		{"CriticalWinsOverDegradedAndAllReasonsNamed", with(func(s *pulse.HealthSignals) {
			s.PoolWaitsLastMinute = 1
			s.Requests.P95Ms = 2000
		}), pulse.HealthCritical, []string{"p95 2000 ms > 1000 ms", "database pool: 1 waits for a connection in the last minute"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, reasons := pulse.EvaluateHealth(tc.signals, thresholds)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.reasons, reasons)
		})
	}
}

func TestErrorLevel(t *testing.T) {
	window := func(requests, errors int64) pulse.RequestStats {
		return pulse.RequestStats{Requests: requests, Errors: errors}
	}
	cases := []struct {
		name  string
		stats pulse.RequestStats
		want  pulse.HealthStatus
	}{
		{"AtDegradedIsNotOver", window(10000, 200), ""},
		{"Degraded", window(10000, 201), pulse.HealthDegraded},
		{"Critical", window(10000, 501), pulse.HealthCritical},
		{"NoTraffic", window(0, 0), ""},
		// The same rule as the verdict: one failed request of one is noise.
		{"TooLittleTrafficToJudge", window(1, 1), ""},
		{"JustEnoughTraffic", window(20, 2), pulse.HealthCritical},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, thresholds.ErrorLevel(tc.stats))
		})
	}
}
