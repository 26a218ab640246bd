package pulse

import (
	"context"
	"strings"
	"time"
)

// Provider is a video provider: sessions run on it and its API is checked.
// Its value is the name integrators send when they start a session.
type Provider string

const (
	ProviderDaily          Provider = "daily"
	ProviderLiveKit        Provider = "livekit"
	ProviderBeyondPresence Provider = "beyond_presence"
)

// Providers lists every provider, in display order.
var Providers = []Provider{ProviderDaily, ProviderLiveKit, ProviderBeyondPresence}

// Valid reports whether p is one of Providers.
func (p Provider) Valid() bool {
	for _, q := range Providers {
		if p == q {
			return true
		}
	}
	return false
}

// Name is the provider's human name.
func (p Provider) Name() string {
	switch p {
	case ProviderDaily:
		return "Daily.co"
	case ProviderLiveKit:
		return "LiveKit"
	case ProviderBeyondPresence:
		return "Beyond Presence"
	}
	return string(p)
}

// ServiceID names the provider's API on the dashboard and in its check
// history ("daily_co": the API's name, which predates the provider names).
func (p Provider) ServiceID() string {
	if p == ProviderDaily {
		return "daily_co"
	}
	return string(p)
}

// ProviderByServiceID is the inverse of ServiceID.
func ProviderByServiceID(id string) (Provider, bool) {
	for _, p := range Providers {
		if p.ServiceID() == id {
			return p, true
		}
	}
	return "", false
}

func joinProviders() string {
	s := make([]string, len(Providers))
	for i, p := range Providers {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// ProviderStatus is a provider's status as last measured.
type ProviderStatus string

const (
	StatusOperational  ProviderStatus = "operational"
	StatusDegraded     ProviderStatus = "degraded"
	StatusDown         ProviderStatus = "down"
	StatusUnconfigured ProviderStatus = "unconfigured"
)

// ProviderStatuses lists every status, best first.
var ProviderStatuses = []ProviderStatus{StatusOperational, StatusDegraded, StatusDown, StatusUnconfigured}

// ProviderCheck is the outcome of one check of one provider.
type ProviderCheck struct {
	Provider  Provider
	Status    ProviderStatus
	LatencyMs float64 // 0 when no answer came back
	CheckedAt time.Time
	Detail    string // e.g. "HTTP 200 in 84 ms", "credentials rejected (HTTP 401)"
	// LiveRooms is the provider's own count of live rooms, when its answer
	// gave one; nil otherwise.
	LiveRooms *int
}

// ProviderHealth is what the dashboard shows for one provider.
type ProviderHealth struct {
	Provider  Provider
	Status    ProviderStatus
	LatencyMs *float64   // nil before the first answer
	CheckedAt *time.Time // nil before the first check
	Detail    string
	// Uptime24h is the share (0..1) of the last 24 hours' checks that found
	// the provider operational; nil when it was not checked in that time.
	Uptime24h *float64
	// LiveRooms is how many rooms the provider itself reported live at the
	// last check; nil when its API does not tell (no credentials, no such
	// endpoint, the call failed).
	LiveRooms *int
	// Declared is what the provider's own status page last said; nil when
	// no status page is read for it.
	Declared *ProviderDeclared
	// StandIn marks a local stand-in of the provider's API (`pulse demo`),
	// so that nobody mistakes its figures for the real provider's.
	StandIn bool
}

// DeclaredIndicator is a status page's overall verdict (Atlassian
// Statuspage's status.indicator), plus "unknown" when the page could not be
// read.
type DeclaredIndicator string

const (
	DeclaredNone        DeclaredIndicator = "none"
	DeclaredMinor       DeclaredIndicator = "minor"
	DeclaredMajor       DeclaredIndicator = "major"
	DeclaredCritical    DeclaredIndicator = "critical"
	DeclaredMaintenance DeclaredIndicator = "maintenance"
	DeclaredUnknown     DeclaredIndicator = "unknown"
)

// Serious reports whether the provider declares a major or critical
// problem: one that counts against the system's health.
func (i DeclaredIndicator) Serious() bool {
	return i == DeclaredMajor || i == DeclaredCritical
}

// ProviderDeclared is what a provider's status page declares about itself.
type ProviderDeclared struct {
	Provider  Provider
	Indicator DeclaredIndicator
	// Description is the page's own summary ("All Systems Operational"), or
	// why it could not be read when Indicator is DeclaredUnknown.
	Description string
	// Incident is the title of the most severe unresolved incident; "" when
	// none is open. IncidentImpact is its impact (none/minor/major/critical).
	Incident       string
	IncidentImpact string
	// Maintenance is the title of a maintenance in progress, or else of the
	// next one scheduled; "" when none. MaintenanceStatus is its status
	// (in_progress, verifying, scheduled) and MaintenanceAt its start.
	Maintenance       string
	MaintenanceStatus string
	MaintenanceAt     *time.Time
	CheckedAt         time.Time
}

// ProviderCheckStore keeps the history of checks, shared by all instances.
type ProviderCheckStore interface {
	InsertProviderCheck(ctx context.Context, c ProviderCheck) error
	// LatestProviderChecks returns the newest check of each provider checked.
	LatestProviderChecks(ctx context.Context) (map[Provider]ProviderCheck, error)
	// ProviderUptime returns, per provider, the share of checks since `since`
	// whose status was operational.
	ProviderUptime(ctx context.Context, since time.Time) (map[Provider]float64, error)
	// SaveProviderDeclared keeps the latest reading of a provider's status
	// page, replacing the previous one.
	SaveProviderDeclared(ctx context.Context, d ProviderDeclared) error
	// LatestProviderDeclared returns the latest reading of each provider's
	// status page.
	LatestProviderDeclared(ctx context.Context) (map[Provider]ProviderDeclared, error)
}

// ProviderService serves provider health from its cache; it never calls a
// provider on the caller's behalf.
type ProviderService interface {
	Providers(ctx context.Context) ([]ProviderHealth, error)
}

// Leader elects one instance among replicas to run a singleton job (the
// provider checks). TryLead returns ok=false when another instance leads;
// release gives leadership up.
type Leader interface {
	TryLead(ctx context.Context, job string) (release func(), ok bool, err error)
}
