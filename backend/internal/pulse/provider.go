package pulse

import (
	"context"
	"time"
)

// ServiceID names an external video provider's API as the dashboard shows it.
type ServiceID string

const (
	ServiceDaily          ServiceID = "daily_co"
	ServiceLiveKit        ServiceID = "livekit"
	ServiceBeyondPresence ServiceID = "beyond_presence"
)

// ServiceIDs lists the providers in display order.
var ServiceIDs = []ServiceID{ServiceDaily, ServiceLiveKit, ServiceBeyondPresence}

// ServiceName is the human name of a provider.
func (id ServiceID) ServiceName() string {
	switch id {
	case ServiceDaily:
		return "Daily.co"
	case ServiceLiveKit:
		return "LiveKit"
	case ServiceBeyondPresence:
		return "Beyond Presence"
	}
	return string(id)
}

// ServiceStatus is a provider's status as last measured.
type ServiceStatus string

const (
	StatusOperational  ServiceStatus = "operational"
	StatusDegraded     ServiceStatus = "degraded"
	StatusDown         ServiceStatus = "down"
	StatusUnconfigured ServiceStatus = "unconfigured"
)

// ProviderCheck is the outcome of one check of one provider.
type ProviderCheck struct {
	Service   ServiceID
	Status    ServiceStatus
	LatencyMs float64 // 0 when no answer came back
	CheckedAt time.Time
	Detail    string // e.g. "HTTP 200 in 84 ms", "credentials rejected (HTTP 401)"
}

// ServiceHealth is what the dashboard shows for one provider.
type ServiceHealth struct {
	ID        ServiceID
	Name      string
	Status    ServiceStatus
	LatencyMs *float64   // nil before the first answer
	CheckedAt *time.Time // nil before the first check
	Detail    string
	// Uptime24h is the share (0..1) of the last 24 hours' checks that found
	// the provider operational; nil when it was not checked in that time.
	Uptime24h *float64
}

// ProviderCheckStore keeps the history of checks, shared by all instances.
type ProviderCheckStore interface {
	InsertProviderCheck(ctx context.Context, c ProviderCheck) error
	// LatestProviderChecks returns the newest check of each provider checked.
	LatestProviderChecks(ctx context.Context) (map[ServiceID]ProviderCheck, error)
	// ProviderUptime returns, per provider, the share of checks since `since`
	// whose status was operational.
	ProviderUptime(ctx context.Context, since time.Time) (map[ServiceID]float64, error)
	PruneProviderChecks(ctx context.Context, before time.Time) (int64, error)
}

// ProviderService serves provider health from its cache; it never calls a
// provider on the caller's behalf.
type ProviderService interface {
	Services(ctx context.Context) ([]ServiceHealth, error)
}

// Leader elects one instance among replicas to run a singleton job (the
// provider checks). TryLead returns ok=false when another instance leads;
// release gives leadership up.
type Leader interface {
	TryLead(ctx context.Context, job string) (release func(), ok bool, err error)
}
