package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// IncidentWindow is the default `since` of the incident list: the
// dashboard's 7-day timeline.
const IncidentWindow = 7 * 24 * time.Hour

// IncidentList is the incidents active since `since`, newest first.
type IncidentList struct {
	Incidents []Incident `json:"incidents"`
} //	@name	IncidentList

// Incident is one stretch of trouble of one alert rule, from open to resolve.
type Incident struct {
	ID       int64  `json:"id" example:"42"`
	Rule     string `json:"rule" example:"provider:livekit" enums:"health,provider:daily_co,provider:livekit,provider:beyond_presence,error_rate,p95,database,pool"`
	RuleName string `json:"rule_name" example:"LiveKit API"`
	// The current severity while open; the last one once resolved.
	Severity string    `json:"severity" enums:"degraded,critical" example:"critical"`
	Status   string    `json:"status" enums:"open,resolved" example:"open"`
	Summary  string    `json:"summary" example:"LiveKit API: LiveKit down: HTTP 503"`
	Reasons  []string  `json:"reasons"`
	OpenedAt time.Time `json:"opened_at" format:"date-time"`
	// Null while open.
	ResolvedAt *time.Time `json:"resolved_at" extensions:"x-nullable" format:"date-time"`
	// From open to resolve; null while open (the client counts from opened_at).
	DurationSeconds *int64 `json:"duration_seconds" extensions:"x-nullable" example:"540"`
	// True when a silence covers the rule now (open incidents) or kept any of
	// the incident's notifications from being sent.
	Silenced      bool                   `json:"silenced" example:"false"`
	Notifications []IncidentNotification `json:"notifications"`
	Events        []IncidentEvent        `json:"events"`
} //	@name	Incident

// IncidentNotification is one notification of one incident event to one
// channel, and what became of it.
type IncidentNotification struct {
	Channel string `json:"channel" example:"slack"`
	// The event notified.
	Event    string `json:"event" enums:"opened,escalated,resolved,reminder" example:"opened"`
	Status   string `json:"status" enums:"pending,sending,delivered,failed" example:"delivered"`
	Attempts int    `json:"attempts" example:"1"`
	// The last failed attempt's error; null when none failed.
	LastError   *string    `json:"last_error" extensions:"x-nullable" example:"HTTP 500: internal error"`
	DeliveredAt *time.Time `json:"delivered_at" extensions:"x-nullable" format:"date-time"`
	CreatedAt   time.Time  `json:"created_at" format:"date-time"`
} //	@name	IncidentNotification

// IncidentEvent is one entry of an incident's timeline.
type IncidentEvent struct {
	Kind     string    `json:"kind" enums:"opened,escalated,deescalated,resolved,reminder" example:"opened"`
	Severity string    `json:"severity" enums:"degraded,critical" example:"critical"`
	Reasons  []string  `json:"reasons"`
	At       time.Time `json:"at" format:"date-time"`
} //	@name	IncidentEvent

// listIncidents godoc
//
//	@Summary		Alert incidents of the last 7 days (or since a time)
//	@Description	Every incident active at any time since `since` (opened, resolved, or still open since then), newest first, at most 1000, with its timeline (events) and the outcome of each notification per channel. Rules: health, provider:daily_co, provider:livekit, provider:beyond_presence, error_rate, p95, database, pool. An incident opens after PULSE_ALERT_FAILURE_THRESHOLD bad evaluations in a row and resolves after PULSE_ALERT_SUCCESS_THRESHOLD good ones.
//	@ID				listIncidents
//	@Tags			alerts
//	@Produce		json
//	@Param			status	query		string	false	"only open or only resolved incidents"	Enums(open, resolved)
//	@Param			since	query		string	false	"RFC 3339 time; default 7 days ago"		format(date-time)
//	@Success		200		{object}	IncidentList
//	@Failure		401		{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403		{object}	ErrorResponse	"the admin's current role may not view metrics"
//	@Failure		413		{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		422		{object}	ErrorResponse	"status is not open or resolved, or since is not an RFC 3339 time"
//	@Failure		500		{object}	ErrorResponse	"internal error"
//	@Failure		503		{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/incidents [get]
func (s *Server) listIncidents(c echo.Context) error {
	now := s.now()
	f := pulse.IncidentFilter{Since: now.Add(-IncidentWindow)}
	if v := c.QueryParam("status"); v != "" {
		st, err := pulse.ParseIncidentStatus(v)
		if err != nil {
			return err
		}
		f.Status = st
	}
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return pulse.Errorf(pulse.EINVALID, "since must be an RFC 3339 time such as 2026-11-26T00:00:00Z")
		}
		f.Since = t
	}
	ctx, cancel := s.dashboardContext(c)
	defer cancel()
	incs, err := s.incidents.Incidents(ctx, f)
	if err != nil {
		return timedOut(ctx, err)
	}
	silences, err := s.silences.ActiveSilences(ctx, now)
	if err != nil {
		return timedOut(ctx, err)
	}
	out := IncidentList{Incidents: make([]Incident, 0, len(incs))}
	for _, i := range incs {
		out.Incidents = append(out.Incidents, incidentOf(i, silences, now))
	}
	return c.JSON(http.StatusOK, out)
}

func incidentOf(i pulse.Incident, silences []pulse.Silence, now time.Time) Incident {
	w := Incident{ID: i.ID, Rule: string(i.Rule), RuleName: i.Rule.Name(), Severity: string(i.Severity), Status: string(i.Status),
		Summary: i.Summary, Reasons: i.Reasons, OpenedAt: i.OpenedAt,
		Silenced:      i.Silenced || (i.Status == pulse.IncidentOpen && pulse.Silenced(silences, i.Rule, now)),
		Notifications: make([]IncidentNotification, 0, len(i.Deliveries)), Events: make([]IncidentEvent, 0, len(i.Events))}
	if w.Reasons == nil {
		w.Reasons = []string{}
	}
	if !i.ResolvedAt.IsZero() {
		r, d := i.ResolvedAt, int64(i.Duration(now)/time.Second)
		w.ResolvedAt, w.DurationSeconds = &r, &d
	}
	for _, d := range i.Deliveries {
		n := IncidentNotification{Channel: d.Channel, Event: string(d.Kind), Status: string(d.Status), Attempts: d.Attempts, CreatedAt: d.CreatedAt}
		if d.LastError != "" {
			e := d.LastError
			n.LastError = &e
		}
		if !d.DeliveredAt.IsZero() {
			t := d.DeliveredAt
			n.DeliveredAt = &t
		}
		w.Notifications = append(w.Notifications, n)
	}
	for _, e := range i.Events {
		reasons := e.Reasons
		if reasons == nil {
			reasons = []string{}
		}
		w.Events = append(w.Events, IncidentEvent{Kind: string(e.Kind), Severity: string(e.Severity), Reasons: reasons, At: e.At})
	}
	return w
}

// SilenceRequest silences a rule, or every rule, for planned maintenance.
// Give exactly one of duration and ends_at.
type SilenceRequest struct {
	// An alert rule id, or "all".
	Rule string `json:"rule" example:"provider:livekit"`
	// A Go duration from now, e.g. "2h" or "90m".
	Duration string `json:"duration,omitempty" example:"2h"`
	// When the silence ends (RFC 3339), instead of duration.
	EndsAt *time.Time `json:"ends_at,omitempty" format:"date-time"`
	// What is being maintained; required.
	Reason string `json:"reason" example:"LiveKit upgrade"`
} //	@name	SilenceRequest

// Silence keeps a rule (or all rules) from notifying until it ends; its
// incidents are still recorded, marked silenced.
type Silence struct {
	ID        int64     `json:"id" example:"3"`
	Rule      string    `json:"rule" example:"provider:livekit"`
	StartsAt  time.Time `json:"starts_at" format:"date-time"`
	EndsAt    time.Time `json:"ends_at" format:"date-time"`
	Reason    string    `json:"reason" example:"LiveKit upgrade"`
	CreatedBy string    `json:"created_by" example:"super@example.org"`
	CreatedAt time.Time `json:"created_at" format:"date-time"`
} //	@name	Silence

// SilenceList is the silences that have not ended, soonest end first.
type SilenceList struct {
	Silences []Silence `json:"silences"`
} //	@name	SilenceList

func silenceOf(s pulse.Silence) Silence {
	return Silence{ID: s.ID, Rule: s.Rule, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Reason: s.Reason, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
}

// listSilences godoc
//
//	@Summary		Silences that have not ended
//	@Description	Soonest end first. Ended silences are not listed (they are kept until incident retention removes them).
//	@ID				listSilences
//	@Tags			alerts
//	@Produce		json
//	@Success		200	{object}	SilenceList
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"only SUPER_ADMIN manages silences"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/silences [get]
func (s *Server) listSilences(c echo.Context) error {
	ctx, cancel := s.dashboardContext(c)
	defer cancel()
	ss, err := s.silences.ActiveSilences(ctx, s.now())
	if err != nil {
		return timedOut(ctx, err)
	}
	out := SilenceList{Silences: make([]Silence, 0, len(ss))}
	for _, x := range ss {
		out.Silences = append(out.Silences, silenceOf(x))
	}
	return c.JSON(http.StatusOK, out)
}

// createSilence godoc
//
//	@Summary		Silence a rule, or every rule, for planned maintenance
//	@Description	From now until now + duration (a Go duration such as "2h") or until ends_at, at most 30 days. A silenced rule still records its incidents (marked silenced) but sends no notification; the silence takes effect at the next evaluation. The silence is recorded as created by the signed-in admin.
//	@ID				createSilence
//	@Tags			alerts
//	@Accept			json
//	@Produce		json
//	@Param			silence	body		SilenceRequest	true	"the rule (or all), how long, and why"
//	@Success		201		{object}	Silence
//	@Failure		400		{object}	ErrorResponse	"the body is not a JSON object"
//	@Failure		401		{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403		{object}	ErrorResponse	"only SUPER_ADMIN manages silences"
//	@Failure		413		{object}	ErrorResponse	"request body over the limit"
//	@Failure		422		{object}	ErrorResponse	"unknown rule, no reason, bad or missing duration/ends_at, over 30 days"
//	@Failure		500		{object}	ErrorResponse	"internal error"
//	@Failure		503		{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/silences [post]
func (s *Server) createSilence(c echo.Context) error {
	var req SilenceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	now := s.now()
	var ends time.Time
	switch {
	case (req.Duration == "") == (req.EndsAt == nil):
		return pulse.Errorf(pulse.EINVALID, "give exactly one of duration (e.g. \"2h\") and ends_at")
	case req.EndsAt != nil:
		ends = req.EndsAt.UTC()
	default:
		d, err := time.ParseDuration(strings.TrimSpace(req.Duration))
		if err != nil {
			return pulse.Errorf(pulse.EINVALID, "duration %q is not a duration such as \"2h\" or \"90m\"", req.Duration)
		}
		ends = now.Add(d)
	}
	sil, err := pulse.NewSilence(strings.TrimSpace(req.Rule), now, ends, req.Reason, adminOf(c).Email)
	if err != nil {
		return err
	}
	sil, err = s.silences.CreateSilence(c.Request().Context(), sil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, silenceOf(sil))
}

// deleteSilence godoc
//
//	@Summary		End a silence now
//	@Description	Removes the silence; the rule notifies again from the next evaluation.
//	@ID				deleteSilence
//	@Tags			alerts
//	@Produce		json
//	@Param			id	path	int	true	"silence id"
//	@Success		204
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"only SUPER_ADMIN manages silences"
//	@Failure		404	{object}	ErrorResponse	"no such silence"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		422	{object}	ErrorResponse	"the id is not a number"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/silences/{id} [delete]
func (s *Server) deleteSilence(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return pulse.Errorf(pulse.EINVALID, "the silence id must be a positive number")
	}
	if err := s.silences.DeleteSilence(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
