package pulse

import (
	"fmt"
	"strings"
)

// AlertRule is the fixed id of one alert rule. It appears in every
// notification, in the API and in silences.
type AlertRule string

const (
	RuleHealth    AlertRule = "health"     // the system-health verdict
	RuleErrorRate AlertRule = "error_rate" // the last hour's 5xx share
	RuleP95       AlertRule = "p95"        // the last hour's p95 latency
	RuleDatabase  AlertRule = "database"   // the database answers
	RulePool      AlertRule = "pool"       // the connection pool is not saturated
)

// ProviderRule is the rule of one video provider: "provider:" and the
// provider's ServiceID ("provider:daily_co", "provider:livekit", …).
func ProviderRule(p Provider) AlertRule { return AlertRule("provider:" + p.ServiceID()) }

// AlertRules lists every rule, in display order.
func AlertRules() []AlertRule {
	rules := []AlertRule{RuleHealth}
	for _, p := range Providers {
		rules = append(rules, ProviderRule(p))
	}
	return append(rules, RuleErrorRate, RuleP95, RuleDatabase, RulePool)
}

// SilenceAll is the rule name a silence of every rule is given.
const SilenceAll = "all"

// ParseAlertRule validates a rule id.
func ParseAlertRule(s string) (AlertRule, error) {
	for _, r := range AlertRules() {
		if AlertRule(s) == r {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown alert rule %q; allowed: %s", s, AlertRuleIDs())
}

// AlertRuleIDs lists every rule id, comma-separated, for messages.
func AlertRuleIDs() string {
	ids := make([]string, 0, 8)
	for _, r := range AlertRules() {
		ids = append(ids, string(r))
	}
	return strings.Join(ids, ", ")
}

// Name is the rule's human name.
func (r AlertRule) Name() string {
	switch r {
	case RuleHealth:
		return "System health"
	case RuleErrorRate:
		return "API error rate (last hour)"
	case RuleP95:
		return "API p95 latency (last hour)"
	case RuleDatabase:
		return "Database reachability"
	case RulePool:
		return "Database connection pool"
	}
	if id, ok := strings.CutPrefix(string(r), "provider:"); ok {
		if p, ok := ProviderByServiceID(id); ok {
			return p.Name() + " API"
		}
	}
	return string(r)
}

// Severity is how bad an observation or an incident is. An incident is
// degraded or critical, never ok.
type Severity string

const (
	SeverityOK       Severity = "ok"
	SeverityDegraded Severity = "degraded"
	SeverityCritical Severity = "critical"
)

// Bad reports whether the severity is trouble (degraded or critical).
func (s Severity) Bad() bool { return s == SeverityDegraded || s == SeverityCritical }

// Observation is what one evaluation found for one rule.
type Observation struct {
	Rule     AlertRule
	Severity Severity
	Reasons  []string // empty when ok
}

// EvaluateAlerts observes every rule it can from one reading of the live
// figures, with the health verdict's own rules and words. A rule whose
// figures could not be read (the last hour while the database is down, the
// providers before the checker answers) is left out: it neither counts as
// bad nor as good this time. An unconfigured provider is ok: it never alerts.
func EvaluateAlerts(l Live, t HealthThresholds) []Observation {
	s := l.HealthSignals()
	health, reasons := EvaluateHealth(s, t)
	obs := []Observation{{Rule: RuleHealth, Severity: severityOf(health), Reasons: reasons}}

	known := map[Provider]ProviderHealth{}
	for _, p := range l.Providers {
		known[p.Provider] = p
	}
	for _, p := range Providers {
		svc, ok := known[p]
		if !ok {
			continue
		}
		o := Observation{Rule: ProviderRule(p), Severity: SeverityOK}
		switch svc.Status {
		case StatusDown:
			o.Severity = SeverityCritical
		case StatusDegraded:
			o.Severity = SeverityDegraded
		}
		if reason := providerReason(svc); reason != "" {
			o.Reasons = []string{reason}
		}
		obs = append(obs, o)
	}

	if l.Requests != nil {
		lvl, reason := t.errorRateVerdict(*l.Requests)
		obs = append(obs, observed(RuleErrorRate, lvl, reason))
		lvl, reason = t.p95Verdict(*l.Requests)
		obs = append(obs, observed(RuleP95, lvl, reason))
	}

	db := Observation{Rule: RuleDatabase, Severity: SeverityOK}
	if !l.DatabaseUp {
		db = Observation{Rule: RuleDatabase, Severity: SeverityCritical, Reasons: []string{"database unreachable"}}
	}
	obs = append(obs, db)

	pool := Observation{Rule: RulePool, Severity: SeverityOK}
	if reason := poolReason(s); reason != "" {
		pool = Observation{Rule: RulePool, Severity: SeverityDegraded, Reasons: []string{reason}}
	}
	return append(obs, pool)
}

func observed(r AlertRule, l HealthStatus, reason string) Observation {
	if l == "" {
		return Observation{Rule: r, Severity: SeverityOK}
	}
	return Observation{Rule: r, Severity: severityOf(l), Reasons: []string{reason}}
}

func severityOf(h HealthStatus) Severity {
	switch h {
	case HealthCritical:
		return SeverityCritical
	case HealthDegraded:
		return SeverityDegraded
	}
	return SeverityOK
}

// Hysteresis is how many consecutive evaluations confirm a change, as Gatus
// counts them: FailureThreshold bad ones open an incident, SuccessThreshold
// good ones resolve it.
type Hysteresis struct {
	FailureThreshold int
	SuccessThreshold int
}

// RuleState is what a rule remembers between evaluations. It is stored, so
// that a new leader carries on where the last one stopped.
type RuleState struct {
	// Failures counts the consecutive bad (degraded or critical) evaluations.
	Failures int
	// Level is the severity of the last evaluation ("" before the first) and
	// Streak how many evaluations in a row had it.
	Level  Severity
	Streak int
	// Open tells whether the rule has an open incident, and Severity is that
	// incident's current severity.
	Open     bool
	Severity Severity
}

// Successes counts the consecutive good evaluations.
func (s RuleState) Successes() int {
	if s.Level == SeverityOK {
		return s.Streak
	}
	return 0
}

// Transition is what an evaluation did to a rule's incident.
type Transition string

const (
	TransitionNone Transition = ""
	// TransitionOpen opens an incident: notified.
	TransitionOpen Transition = "open"
	// TransitionEscalate raises an open incident from degraded to critical:
	// notified, as the same incident.
	TransitionEscalate Transition = "escalate"
	// TransitionDeescalate lowers an open incident from critical to degraded:
	// recorded in its timeline, not notified (nobody is woken because things
	// got better; the resolve says when they are over).
	TransitionDeescalate Transition = "deescalate"
	// TransitionResolve resolves the open incident: notified.
	TransitionResolve Transition = "resolve"
)

// Notifies reports whether the transition sends notifications.
func (t Transition) Notifies() bool {
	return t == TransitionOpen || t == TransitionEscalate || t == TransitionResolve
}

// Step is the incident state machine: a pure function of the rule's previous
// state and the new observation's severity.
//
//   - An incident opens after FailureThreshold consecutive bad evaluations,
//     with the severity of the one that completes the streak.
//   - It resolves after SuccessThreshold consecutive good ones.
//   - While it is open, its severity follows the observations with the same
//     hysteresis: degraded → critical after FailureThreshold consecutive
//     critical evaluations (escalate, notified), critical → degraded after
//     SuccessThreshold consecutive degraded ones (deescalate, recorded only).
//     A severity change is never a new incident.
func (h Hysteresis) Step(prev RuleState, obs Severity) (RuleState, Transition) {
	if !obs.Bad() {
		obs = SeverityOK
	}
	next := prev
	if obs == prev.Level {
		next.Streak++
	} else {
		next.Level, next.Streak = obs, 1
	}
	if obs.Bad() {
		next.Failures++
	} else {
		next.Failures = 0
	}

	switch {
	case !prev.Open && next.Failures >= h.FailureThreshold:
		next.Open, next.Severity = true, obs
		return next, TransitionOpen
	case !prev.Open:
		return next, TransitionNone
	case obs == SeverityOK && next.Streak >= h.SuccessThreshold:
		next.Open, next.Severity = false, ""
		return next, TransitionResolve
	case obs == SeverityCritical && prev.Severity == SeverityDegraded && next.Streak >= h.FailureThreshold:
		next.Severity = SeverityCritical
		return next, TransitionEscalate
	case obs == SeverityDegraded && prev.Severity == SeverityCritical && next.Streak >= h.SuccessThreshold:
		next.Severity = SeverityDegraded
		return next, TransitionDeescalate
	}
	return next, TransitionNone
}

// Validate reports thresholds that cannot work.
func (h Hysteresis) Validate() error {
	if h.FailureThreshold < 1 || h.SuccessThreshold < 1 {
		return fmt.Errorf("alert thresholds must be at least 1 (failure %d, success %d)", h.FailureThreshold, h.SuccessThreshold)
	}
	return nil
}
