package store

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"gorm.io/gorm"

	"pulse/internal/pulse"
)

var (
	_ pulse.IncidentStore = (*DB)(nil)
	_ pulse.SilenceStore  = (*DB)(nil)
)

// MaxIncidents bounds one incident listing: a week of a flapping rule is
// still far below it.
const MaxIncidents = 1000

type ruleStateRow struct {
	Rule        string `gorm:"primaryKey"`
	Failures    int
	Level       string
	Streak      int
	IsOpen      bool
	Severity    string
	IncidentID  *int64
	Version     int64
	EvaluatedAt time.Time
}

func (ruleStateRow) TableName() string { return "alert_rule_states" }

type incidentRow struct {
	ID             int64
	Rule           string
	Severity       string
	Status         string
	Summary        string
	Reasons        string
	OpenedAt       time.Time
	ResolvedAt     *time.Time
	Silenced       bool
	LastNotifiedAt *time.Time
}

func (incidentRow) TableName() string { return "incidents" }

func (r incidentRow) domain() pulse.Incident {
	i := pulse.Incident{ID: r.ID, Rule: pulse.AlertRule(r.Rule), Severity: pulse.Severity(r.Severity),
		Status: pulse.IncidentStatus(r.Status), Summary: r.Summary, Reasons: decodeReasons(r.Reasons),
		OpenedAt: r.OpenedAt.UTC(), Silenced: r.Silenced, Events: []pulse.IncidentEvent{}, Deliveries: []pulse.Delivery{}}
	if r.ResolvedAt != nil {
		i.ResolvedAt = r.ResolvedAt.UTC()
	}
	if r.LastNotifiedAt != nil {
		i.LastNotifiedAt = r.LastNotifiedAt.UTC()
	}
	return i
}

type incidentEventRow struct {
	ID         int64
	IncidentID int64
	Kind       string
	Severity   string
	Reasons    string
	At         time.Time
}

func (incidentEventRow) TableName() string { return "incident_events" }

type deliveryRow struct {
	ID            int64
	IncidentID    int64
	EventID       int64
	Channel       string
	Status        string
	Attempts      int
	LastError     *string
	CreatedAt     time.Time
	NextAttemptAt time.Time
	GiveUpAt      time.Time
	ClaimedUntil  *time.Time
	DeliveredAt   *time.Time
}

func (deliveryRow) TableName() string { return "alert_deliveries" }

func (r deliveryRow) domain(kind pulse.EventKind) pulse.Delivery {
	d := pulse.Delivery{ID: r.ID, IncidentID: r.IncidentID, EventID: r.EventID, Kind: kind, Channel: r.Channel,
		Status: pulse.DeliveryStatus(r.Status), Attempts: r.Attempts, CreatedAt: r.CreatedAt.UTC(), GiveUpAt: r.GiveUpAt.UTC()}
	if r.LastError != nil {
		d.LastError = *r.LastError
	}
	if r.DeliveredAt != nil {
		d.DeliveredAt = r.DeliveredAt.UTC()
	}
	return d
}

type silenceRow struct {
	ID        int64
	Rule      string
	StartsAt  time.Time
	EndsAt    time.Time
	Reason    string
	CreatedBy string
	CreatedAt time.Time
}

func (silenceRow) TableName() string { return "alert_silences" }

func (r silenceRow) domain() pulse.Silence {
	return pulse.Silence{ID: r.ID, Rule: r.Rule, StartsAt: r.StartsAt.UTC(), EndsAt: r.EndsAt.UTC(),
		Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

func encodeReasons(rs []string) string {
	if rs == nil {
		rs = []string{}
	}
	b, _ := json.Marshal(rs) // a []string always marshals
	return string(b)
}

func decodeReasons(s string) []string {
	out := []string{}
	_ = json.Unmarshal([]byte(s), &out) // a damaged cell reads as no reasons
	return out
}

// RuleRecords implements pulse.IncidentStore.
func (db *DB) RuleRecords(ctx context.Context) (map[pulse.AlertRule]pulse.RuleRecord, error) {
	var rows []ruleStateRow
	if err := db.with(ctx).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[pulse.AlertRule]pulse.RuleRecord, len(rows))
	for _, r := range rows {
		rec := pulse.RuleRecord{Rule: pulse.AlertRule(r.Rule), Version: r.Version, State: pulse.RuleState{
			Failures: r.Failures, Level: pulse.Severity(r.Level), Streak: r.Streak, Open: r.IsOpen, Severity: pulse.Severity(r.Severity)}}
		if r.IncidentID != nil {
			rec.IncidentID = *r.IncidentID
		}
		out[rec.Rule] = rec
	}
	return out, nil
}

// errMoved is RecordEvaluation's answer when another evaluator wrote first.
var errMoved = pulse.Errorf(pulse.ECONFLICT, "the rule was evaluated by another instance meanwhile")

// RecordEvaluation implements pulse.IncidentStore: the rule's state, the
// incident change, its timeline entry and its deliveries commit together or
// not at all, so a notification is due exactly when its transition is
// recorded, once.
func (db *DB) RecordEvaluation(ctx context.Context, e pulse.Evaluation) (int64, error) {
	at := utc(e.At)
	incident := e.Prev.IncidentID
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		switch e.Transition {
		case pulse.TransitionOpen:
			row := incidentRow{Rule: string(e.Prev.Rule), Severity: string(e.Next.Severity), Status: string(pulse.IncidentOpen),
				Summary: pulse.IncidentSummary(e.Prev.Rule, e.Next.Severity, e.Observation.Reasons), Reasons: encodeReasons(e.Observation.Reasons),
				OpenedAt: at, Silenced: e.Silenced, LastNotifiedAt: &at}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			incident = row.ID
		case pulse.TransitionEscalate, pulse.TransitionDeescalate:
			// An escalation notifies, so it restarts the reminder clock; a
			// de-escalation does not.
			err = tx.Exec(`UPDATE incidents SET severity = ?, summary = ?, reasons = ?, silenced = silenced OR ?,
				last_notified_at = CASE WHEN ? THEN ? ELSE last_notified_at END WHERE id = ?`,
				string(e.Next.Severity), pulse.IncidentSummary(e.Prev.Rule, e.Next.Severity, e.Observation.Reasons),
				encodeReasons(e.Observation.Reasons), e.Silenced, e.Transition.Notifies(), at, incident).Error
		case pulse.TransitionResolve:
			err = tx.Exec(`UPDATE incidents SET status = ?, resolved_at = ?, silenced = silenced OR ? WHERE id = ?`,
				string(pulse.IncidentResolved), at, e.Silenced, incident).Error
		default:
			if e.Next.Open && e.Observation.Severity.Bad() {
				// Keep the open incident's reasons current for reminders and the list.
				err = tx.Exec(`UPDATE incidents SET reasons = ? WHERE id = ?`, encodeReasons(e.Observation.Reasons), incident).Error
			}
		}
		if err != nil {
			return err
		}
		if e.Transition != pulse.TransitionNone {
			sev := e.Next.Severity
			if e.Transition == pulse.TransitionResolve {
				sev = e.Prev.State.Severity
			}
			if err := addEvent(tx, incident, pulse.EventOf(e.Transition), sev, e.Observation.Reasons, at, e.Channels, e.GiveUpAt); err != nil {
				return err
			}
		}
		return writeRuleState(tx, e, incident, at)
	})
	if err != nil {
		return 0, translate(err)
	}
	if e.Transition == pulse.TransitionNone && !e.Next.Open {
		return 0, nil
	}
	return incident, nil
}

// writeRuleState moves the rule's version on, only from the one read.
func writeRuleState(tx *gorm.DB, e pulse.Evaluation, incident int64, at time.Time) error {
	var open *int64
	if e.Next.Open {
		open = &incident
	}
	s := e.Next
	var res *gorm.DB
	if e.Prev.Version == 0 {
		res = tx.Exec(`INSERT INTO alert_rule_states (rule, failures, level, streak, is_open, severity, incident_id, version, evaluated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (rule) DO NOTHING`,
			string(e.Prev.Rule), s.Failures, string(s.Level), s.Streak, s.Open, string(s.Severity), open, at)
	} else {
		res = tx.Exec(`UPDATE alert_rule_states SET failures = ?, level = ?, streak = ?, is_open = ?, severity = ?,
			incident_id = ?, version = version + 1, evaluated_at = ? WHERE rule = ? AND version = ?`,
			s.Failures, string(s.Level), s.Streak, s.Open, string(s.Severity), open, at, string(e.Prev.Rule), e.Prev.Version)
	}
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errMoved
	}
	return nil
}

// addEvent writes a timeline entry and one pending delivery per channel.
func addEvent(tx *gorm.DB, incident int64, kind pulse.EventKind, sev pulse.Severity, reasons []string, at time.Time, channels []string, giveUpAt time.Time) error {
	ev := incidentEventRow{IncidentID: incident, Kind: string(kind), Severity: string(sev), Reasons: encodeReasons(reasons), At: at}
	if err := tx.Create(&ev).Error; err != nil {
		return err
	}
	for _, ch := range channels {
		d := deliveryRow{IncidentID: incident, EventID: ev.ID, Channel: ch, Status: string(pulse.DeliveryPending),
			CreatedAt: at, NextAttemptAt: at, GiveUpAt: utc(giveUpAt)}
		if err := tx.Create(&d).Error; err != nil {
			return err
		}
	}
	return nil
}

// RecordReminder implements pulse.IncidentStore. The conditional update on
// last_notified_at is the claim: of two evaluators, one reminds.
func (db *DB) RecordReminder(ctx context.Context, incidentID int64, dueBefore, at time.Time, channels []string, silenced bool, giveUpAt time.Time) (bool, error) {
	reminded := false
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct{ Severity, Reasons string }
		res := tx.Raw(`UPDATE incidents SET last_notified_at = ?, silenced = silenced OR ?
			WHERE id = ? AND status = ? AND (last_notified_at IS NULL OR last_notified_at <= ?)
			RETURNING severity, reasons`,
			utc(at), silenced, incidentID, string(pulse.IncidentOpen), utc(dueBefore)).Scan(&row)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		reminded = true
		return addEvent(tx, incidentID, pulse.EventReminder, pulse.Severity(row.Severity), decodeReasons(row.Reasons), utc(at), channels, giveUpAt)
	})
	return reminded, translate(err)
}

// ClaimDeliveries implements pulse.IncidentStore.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]pulse.ClaimedDelivery, error) {
	now = utc(now)
	// One statement claims them: the outer condition is checked again on
	// each row once it is locked (PostgreSQL re-reads a row another claimer
	// updated meanwhile), so of two replicas claiming at once only one wins
	// each delivery.
	const due = `((status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until <= ?))`
	var rows []deliveryRow
	err := db.with(ctx).Raw(`UPDATE alert_deliveries SET status = 'sending', claimed_until = ?, attempts = attempts + 1
		WHERE `+due+` AND id IN (SELECT id FROM alert_deliveries WHERE `+due+` ORDER BY id LIMIT ?)
		RETURNING id, incident_id, event_id, channel, status, attempts, last_error, created_at, next_attempt_at,
			give_up_at, claimed_until, delivered_at`,
		now.Add(lease), now, now, now, now, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	slices.SortFunc(rows, func(a, b deliveryRow) int { return cmp.Compare(a.ID, b.ID) })
	incidents, events, err := db.incidentsAndEvents(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]pulse.ClaimedDelivery, 0, len(rows))
	for _, r := range rows {
		inc, ev := incidents[r.IncidentID], events[r.EventID]
		n := pulse.Notification{IncidentID: inc.ID, EventID: ev.ID, Rule: pulse.AlertRule(inc.Rule), Severity: pulse.Severity(ev.Severity),
			Kind: pulse.EventKind(ev.Kind), Summary: inc.Summary, Reasons: decodeReasons(ev.Reasons), OpenedAt: inc.OpenedAt.UTC()}
		if len(n.Reasons) == 0 {
			n.Reasons = decodeReasons(inc.Reasons) // a resolve tells what it was about
		}
		if n.Kind == pulse.EventResolved && inc.ResolvedAt != nil {
			n.ResolvedAt = inc.ResolvedAt.UTC()
		}
		out = append(out, pulse.ClaimedDelivery{Delivery: r.domain(n.Kind), Notification: n})
	}
	return out, nil
}

func (db *DB) incidentsAndEvents(ctx context.Context, rows []deliveryRow) (map[int64]incidentRow, map[int64]incidentEventRow, error) {
	incIDs, evIDs := make([]int64, 0, len(rows)), make([]int64, 0, len(rows))
	for _, r := range rows {
		incIDs, evIDs = append(incIDs, r.IncidentID), append(evIDs, r.EventID)
	}
	var incs []incidentRow
	if err := db.with(ctx).Where("id IN ?", incIDs).Find(&incs).Error; err != nil {
		return nil, nil, translate(err)
	}
	var evs []incidentEventRow
	if err := db.with(ctx).Where("id IN ?", evIDs).Find(&evs).Error; err != nil {
		return nil, nil, translate(err)
	}
	im, em := make(map[int64]incidentRow, len(incs)), make(map[int64]incidentEventRow, len(evs))
	for _, i := range incs {
		im[i.ID] = i
	}
	for _, e := range evs {
		em[e.ID] = e
	}
	return im, em, nil
}

// FinishDelivery implements pulse.IncidentStore.
func (db *DB) FinishDelivery(ctx context.Context, id int64, o pulse.DeliveryOutcome) error {
	var res *gorm.DB
	switch {
	case o.Error == "":
		res = db.with(ctx).Exec(`UPDATE alert_deliveries SET status = 'delivered', delivered_at = ?, last_error = NULL, claimed_until = NULL
			WHERE id = ? AND status = 'sending'`, utc(o.At), id)
	case !o.Retry.IsZero():
		res = db.with(ctx).Exec(`UPDATE alert_deliveries SET status = 'pending', next_attempt_at = ?, last_error = ?, claimed_until = NULL
			WHERE id = ? AND status = 'sending'`, utc(o.Retry), o.Error, id)
	default:
		res = db.with(ctx).Exec(`UPDATE alert_deliveries SET status = 'failed', last_error = ?, claimed_until = NULL
			WHERE id = ? AND status = 'sending'`, o.Error, id)
	}
	return translate(res.Error)
}

// Incidents implements pulse.IncidentStore.
func (db *DB) Incidents(ctx context.Context, f pulse.IncidentFilter) ([]pulse.Incident, error) {
	q := db.with(ctx).Where("(opened_at >= ? OR resolved_at IS NULL OR resolved_at >= ?)", utc(f.Since), utc(f.Since))
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	var rows []incidentRow
	if err := q.Order("opened_at DESC, id DESC").Limit(MaxIncidents).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return []pulse.Incident{}, nil
	}
	ids := make([]int64, len(rows))
	byID := make(map[int64]int, len(rows))
	out := make([]pulse.Incident, len(rows))
	for i, r := range rows {
		ids[i], byID[r.ID], out[i] = r.ID, i, r.domain()
	}
	var evs []incidentEventRow
	if err := db.with(ctx).Where("incident_id IN ?", ids).Order("at, id").Find(&evs).Error; err != nil {
		return nil, translate(err)
	}
	kinds := make(map[int64]pulse.EventKind, len(evs))
	for _, e := range evs {
		kinds[e.ID] = pulse.EventKind(e.Kind)
		i := byID[e.IncidentID]
		out[i].Events = append(out[i].Events, pulse.IncidentEvent{ID: e.ID, Kind: pulse.EventKind(e.Kind),
			Severity: pulse.Severity(e.Severity), Reasons: decodeReasons(e.Reasons), At: e.At.UTC()})
	}
	var ds []deliveryRow
	if err := db.with(ctx).Where("incident_id IN ?", ids).Order("id").Find(&ds).Error; err != nil {
		return nil, translate(err)
	}
	for _, d := range ds {
		i := byID[d.IncidentID]
		out[i].Deliveries = append(out[i].Deliveries, d.domain(kinds[d.EventID]))
	}
	return out, nil
}

// PruneIncidents implements pulse.IncidentStore: resolved incidents (with
// their timeline and deliveries, by cascade) and ended silences, in batches.
func (db *DB) PruneIncidents(ctx context.Context, before time.Time) (int64, error) {
	n, err := db.inBatches(ctx, `DELETE FROM incidents WHERE id IN
		(SELECT id FROM incidents WHERE status = 'resolved' AND resolved_at < ? LIMIT ?)`, utc(before))
	if err != nil {
		return n, err
	}
	_, err = db.inBatches(ctx, `DELETE FROM alert_silences WHERE id IN
		(SELECT id FROM alert_silences WHERE ends_at < ? LIMIT ?)`, utc(before))
	return n, err
}

// CreateSilence implements pulse.SilenceStore.
func (db *DB) CreateSilence(ctx context.Context, s pulse.Silence) (pulse.Silence, error) {
	row := silenceRow{Rule: s.Rule, StartsAt: utc(s.StartsAt), EndsAt: utc(s.EndsAt), Reason: s.Reason, CreatedBy: s.CreatedBy, CreatedAt: utc(s.CreatedAt)}
	if err := db.with(ctx).Create(&row).Error; err != nil {
		return pulse.Silence{}, translate(err)
	}
	return row.domain(), nil
}

// ActiveSilences implements pulse.SilenceStore.
func (db *DB) ActiveSilences(ctx context.Context, now time.Time) ([]pulse.Silence, error) {
	var rows []silenceRow
	if err := db.with(ctx).Where("ends_at > ?", utc(now)).Order("ends_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]pulse.Silence, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// DeleteSilence implements pulse.SilenceStore.
func (db *DB) DeleteSilence(ctx context.Context, id int64) error {
	res := db.with(ctx).Exec(`DELETE FROM alert_silences WHERE id = ?`, id)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return pulse.Errorf(pulse.ENOTFOUND, "no silence with id %d", id)
	}
	return nil
}
