package pulse

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IncidentStatus is open until the rule's hysteresis resolves it.
type IncidentStatus string

const (
	IncidentOpen     IncidentStatus = "open"
	IncidentResolved IncidentStatus = "resolved"
)

// ParseIncidentStatus validates a status filter.
func ParseIncidentStatus(s string) (IncidentStatus, error) {
	switch IncidentStatus(s) {
	case IncidentOpen, IncidentResolved:
		return IncidentStatus(s), nil
	}
	return "", Errorf(EINVALID, "unknown incident status %q; allowed: open, resolved", s)
}

// IncidentRetention is how long a resolved incident is kept.
const IncidentRetention = 90 * 24 * time.Hour

// Incident is one stretch of trouble of one rule, from open to resolve.
type Incident struct {
	ID         int64
	Rule       AlertRule
	Severity   Severity // the current (or, once resolved, the last) severity
	Status     IncidentStatus
	Summary    string
	Reasons    []string // the latest bad observation's reasons
	OpenedAt   time.Time
	ResolvedAt time.Time // zero while open
	// Silenced is set once a silence kept one of its notifications from
	// being sent.
	Silenced       bool
	LastNotifiedAt time.Time // zero when nothing was ever due
	Events         []IncidentEvent
	Deliveries     []Delivery
}

// Duration is how long the incident lasted, or has lasted by now.
func (i Incident) Duration(now time.Time) time.Duration {
	if i.ResolvedAt.IsZero() {
		return now.Sub(i.OpenedAt)
	}
	return i.ResolvedAt.Sub(i.OpenedAt)
}

// EventKind is an entry of an incident's timeline.
type EventKind string

const (
	EventOpened      EventKind = "opened"
	EventEscalated   EventKind = "escalated"
	EventDeescalated EventKind = "deescalated"
	EventResolved    EventKind = "resolved"
	EventReminder    EventKind = "reminder"
)

// EventOf names the timeline entry a transition writes.
func EventOf(t Transition) EventKind {
	switch t {
	case TransitionOpen:
		return EventOpened
	case TransitionEscalate:
		return EventEscalated
	case TransitionDeescalate:
		return EventDeescalated
	case TransitionResolve:
		return EventResolved
	}
	return ""
}

// NotificationStatus is the "status" a notification of the event carries:
// "open" (reminders too), "escalated" or "resolved".
func (k EventKind) NotificationStatus() string {
	switch k {
	case EventEscalated:
		return "escalated"
	case EventResolved:
		return "resolved"
	}
	return "open"
}

// IncidentEvent is one change of an incident: what it became, and why.
type IncidentEvent struct {
	ID       int64
	Kind     EventKind
	Severity Severity
	Reasons  []string
	At       time.Time
}

// DeliveryStatus is where one notification to one channel stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"   // waiting for its (next) attempt
	DeliverySending   DeliveryStatus = "sending"   // claimed by the leader, being sent
	DeliveryDelivered DeliveryStatus = "delivered" // the receiver accepted it
	DeliveryFailed    DeliveryStatus = "failed"    // retries gave up; LastError says why
)

// Delivery is one notification of one incident event to one channel.
type Delivery struct {
	ID          int64
	IncidentID  int64
	EventID     int64
	Kind        EventKind
	Channel     string
	Status      DeliveryStatus
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	DeliveredAt time.Time // zero until delivered
	// GiveUpAt ends the retries: an attempt that fails past it is final.
	GiveUpAt time.Time
}

// Notification is what every channel is told about an incident event.
type Notification struct {
	IncidentID int64
	// EventID names the timeline entry notified: a receiver that sees it
	// twice (a sender that died mid-delivery) can drop the repeat.
	EventID    int64
	Rule       AlertRule
	Severity   Severity
	Kind       EventKind
	Summary    string
	Reasons    []string
	OpenedAt   time.Time
	ResolvedAt time.Time // zero unless resolved
	// DashboardURL links to the dashboard; "" when not configured.
	DashboardURL string
	// Unrecorded marks a notification sent without the database: Pulse's
	// own database outage, announced while nothing can be stored. There is
	// no incident and no event behind it, so IncidentID and EventID are 0,
	// and no channel should take 0 for an id.
	Unrecorded bool
}

// Status is the notification's "status" field: open, escalated or resolved.
func (n Notification) Status() string { return n.Kind.NotificationStatus() }

// Reminder reports whether this is a reminder of an incident still open.
func (n Notification) Reminder() bool { return n.Kind == EventReminder }

// Title is a one-line headline for chat and e-mail subjects.
func (n Notification) Title() string {
	switch n.Kind {
	case EventResolved:
		return fmt.Sprintf("[resolved] %s: %s", n.Rule.Name(), "back to normal")
	case EventReminder:
		return fmt.Sprintf("[%s, still open] %s", n.Severity, n.Summary)
	case EventEscalated:
		return fmt.Sprintf("[%s, escalated] %s", n.Severity, n.Summary)
	}
	return fmt.Sprintf("[%s] %s", n.Severity, n.Summary)
}

// Text is the notification as a few lines of plain text.
func (n Notification) Text() string {
	var b strings.Builder
	b.WriteString(n.Title())
	if n.Unrecorded {
		fmt.Fprintf(&b, "\nRule: %s (%s), not recorded (the database is unreachable), since %s", n.Rule.Name(), n.Rule, n.OpenedAt.UTC().Format(time.RFC3339))
	} else {
		fmt.Fprintf(&b, "\nRule: %s (%s), incident #%d, opened %s", n.Rule.Name(), n.Rule, n.IncidentID, n.OpenedAt.UTC().Format(time.RFC3339))
	}
	if !n.ResolvedAt.IsZero() {
		fmt.Fprintf(&b, ", resolved %s after %s", n.ResolvedAt.UTC().Format(time.RFC3339), n.ResolvedAt.Sub(n.OpenedAt).Round(time.Second))
	}
	for _, r := range n.Reasons {
		b.WriteString("\n- " + r)
	}
	if n.DashboardURL != "" {
		b.WriteString("\n" + n.DashboardURL)
	}
	return b.String()
}

// IncidentSummary is an incident's one-line summary: the rule and its first
// reason.
func IncidentSummary(rule AlertRule, sev Severity, reasons []string) string {
	if len(reasons) == 0 {
		return fmt.Sprintf("%s %s", rule.Name(), sev)
	}
	s := rule.Name() + ": " + reasons[0]
	if len(reasons) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(reasons)-1)
	}
	return s
}

// Notifier sends notifications to one channel (a webhook, Slack, e-mail).
type Notifier interface {
	// Channel names the channel in the delivery records, e.g. "slack".
	Channel() string
	// Notify sends n once; an error means it was not accepted.
	Notify(ctx context.Context, n Notification) error
}

// RuleRecord is a rule's stored state: its hysteresis counters, its open
// incident, and a version that every write moves, so that two evaluators that
// both believe they lead cannot both record the same transition.
type RuleRecord struct {
	Rule       AlertRule
	State      RuleState
	IncidentID int64 // the open incident; 0 when none
	Version    int64
}

// Evaluation is one step of one rule, to be recorded at once: the new state
// and, with a transition, the incident change, its timeline entry and one
// pending delivery per channel.
type Evaluation struct {
	Prev        RuleRecord
	Next        RuleState
	Transition  Transition
	Observation Observation
	At          time.Time
	// Channels get a delivery each; none when Silenced.
	Channels []string
	Silenced bool
	// GiveUpAt ends the deliveries' retries.
	GiveUpAt time.Time
}

// IncidentFilter selects incidents: those active at any time since Since
// (opened since, resolved since, or still open), with the status if given.
type IncidentFilter struct {
	Status IncidentStatus // "" for both
	Since  time.Time
}

// IncidentStore keeps the alert rules' state, the incidents and their
// notification outbox, shared by every replica.
type IncidentStore interface {
	// RuleRecords returns the stored state of every rule evaluated so far.
	RuleRecords(ctx context.Context) (map[AlertRule]RuleRecord, error)
	// RecordEvaluation writes e in one transaction and returns the
	// incident it touched (0 for none). ECONFLICT when the rule's version is
	// no longer e.Prev.Version: another evaluator recorded it first.
	RecordEvaluation(ctx context.Context, e Evaluation) (int64, error)
	// Incidents lists incidents, newest first, with their timeline and
	// deliveries.
	Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error)
	// RecordReminder adds a reminder to an open incident whose last
	// notification was at lastNotified, with one pending delivery per
	// channel; false when the incident moved meanwhile (resolved, or another
	// evaluator reminded first).
	RecordReminder(ctx context.Context, incidentID int64, lastNotified, at time.Time, channels []string, silenced bool, giveUpAt time.Time) (bool, error)
	// ClaimDeliveries claims up to limit deliveries due at now (pending, or
	// sending with an expired claim) until now+lease, one conditional update
	// each, and returns those this caller won with their notification.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]ClaimedDelivery, error)
	// FinishDelivery records the outcome of a claimed attempt.
	FinishDelivery(ctx context.Context, id int64, o DeliveryOutcome) error
	// PruneIncidents deletes incidents resolved before `before`, with their
	// timeline and deliveries, and silences that ended before it.
	PruneIncidents(ctx context.Context, before time.Time) (int64, error)
}

// ClaimedDelivery is a delivery this caller may attempt now.
type ClaimedDelivery struct {
	Delivery
	Notification Notification
}

// DeliveryOutcome is what an attempt came to.
type DeliveryOutcome struct {
	At    time.Time
	Error string // "" when delivered
	// Retry, when the attempt failed, is when to try again; zero gives up
	// and marks the delivery failed.
	Retry time.Time
}

// Silence keeps a rule (or every rule) from notifying until it ends; its
// incidents are still recorded, marked silenced.
type Silence struct {
	ID        int64
	Rule      string // a rule id or SilenceAll
	StartsAt  time.Time
	EndsAt    time.Time
	Reason    string
	CreatedBy string
	CreatedAt time.Time
}

// MaxSilence is the longest a silence may last: planned maintenance, not a
// way to turn alerts off for good.
const MaxSilence = 30 * 24 * time.Hour

// NewSilence validates a silence of rule ("all" or a rule id) from now until
// endsAt.
func NewSilence(rule string, now, endsAt time.Time, reason, createdBy string) (Silence, error) {
	if rule != SilenceAll {
		if _, err := ParseAlertRule(rule); err != nil {
			return Silence{}, Errorf(EINVALID, "rule must be \"all\" or an alert rule: %s", ErrorMessage(err))
		}
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return Silence{}, Errorf(EINVALID, "a silence needs a reason (what is being maintained)")
	case len(reason) > 500:
		return Silence{}, Errorf(EINVALID, "the reason is over 500 characters")
	case !endsAt.After(now):
		return Silence{}, Errorf(EINVALID, "a silence must end in the future")
	case endsAt.Sub(now) > MaxSilence:
		return Silence{}, Errorf(EINVALID, "a silence may last at most %s", MaxSilence)
	}
	return Silence{Rule: rule, StartsAt: now, EndsAt: endsAt, Reason: reason, CreatedBy: createdBy, CreatedAt: now}, nil
}

// Covers reports whether the silence mutes rule at t.
func (s Silence) Covers(rule AlertRule, t time.Time) bool {
	return (s.Rule == SilenceAll || s.Rule == string(rule)) && !t.Before(s.StartsAt) && t.Before(s.EndsAt)
}

// Silenced reports whether any of the silences mutes rule at t.
func Silenced(silences []Silence, rule AlertRule, t time.Time) bool {
	for _, s := range silences {
		if s.Covers(rule, t) {
			return true
		}
	}
	return false
}

// SilenceStore keeps the silences.
type SilenceStore interface {
	CreateSilence(ctx context.Context, s Silence) (Silence, error)
	// ActiveSilences lists the silences that have not ended at now, soonest
	// end first.
	ActiveSilences(ctx context.Context, now time.Time) ([]Silence, error)
	// DeleteSilence ends a silence now by removing it; ENOTFOUND when unknown.
	DeleteSilence(ctx context.Context, id int64) error
}

// CanManageSilences is who may silence alerts: SUPER_ADMIN only.
func (r Role) CanManageSilences() bool { return r == RoleSuperAdmin }
