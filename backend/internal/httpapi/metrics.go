package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// CurrentMetrics is the live state of the platform. Figures read from the
// database are null while it cannot be reached; system_health then says so.
type CurrentMetrics struct {
	ActiveSessionsCount  *int64    `json:"active_sessions_count" extensions:"x-nullable" example:"42"`
	AvgConnectionQuality string    `json:"avg_connection_quality" enums:"excellent,good,fair,poor,unknown" example:"good"`
	AvgConnectionScore   *float64  `json:"avg_connection_score" extensions:"x-nullable" example:"3.12"`
	ErrorRateLastHour    *float64  `json:"error_rate_last_hour" extensions:"x-nullable" example:"0.004"`
	APIResponseTimeP95   *float64  `json:"api_response_time_p95" extensions:"x-nullable" example:"38.5"`
	RequestsLastHour     *int64    `json:"requests_last_hour" extensions:"x-nullable" example:"5120"`
	DBPoolActive         int       `json:"db_pool_active" example:"2"`
	DBPoolIdle           int       `json:"db_pool_idle" example:"3"`
	DBPoolSize           int       `json:"db_pool_size" example:"20"`
	DBPoolWaitCount      int64     `json:"db_pool_wait_count" example:"0"`
	DBPoolWaitDurationMs float64   `json:"db_pool_wait_duration_ms" example:"0"`
	DBPoolWaitsLastMin   int64     `json:"db_pool_waits_last_minute" example:"0"`
	SystemHealth         string    `json:"system_health" enums:"healthy,degraded,critical" example:"healthy"`
	HealthReasons        []string  `json:"health_reasons"`
	GeneratedAt          time.Time `json:"generated_at" format:"date-time"` // when these figures were read: one reading per PULSE_SNAPSHOT_INTERVAL_CURRENT

	// Sessions nobody ended that the stale sweep ended (at their last-seen
	// time) within the last 24 hours.
	AbandonedSessionsLast24h *int64 `json:"abandoned_sessions_last_24h" extensions:"x-nullable" example:"3"`
} //	@name	CurrentMetrics

// SessionMetrics aggregates the sessions of the last window_days days (UTC),
// with no personal data.
type SessionMetrics struct {
	TotalSessions                 int64               `json:"total_sessions" example:"1200"`
	SessionsByCategory            map[string]int64    `json:"sessions_by_category"`
	ConnectionQualityDistribution QualityDistribution `json:"connection_quality_distribution"`
	WindowDays                    int                 `json:"window_days" example:"30"`
} //	@name	SessionMetrics

// QualityDistribution is the share (percent, one decimal) of sampled sessions
// by the class of their average quality; all 0 when none was sampled.
type QualityDistribution struct {
	Excellent float64 `json:"excellent" example:"41.5"`
	Good      float64 `json:"good" example:"38.2"`
	Fair      float64 `json:"fair" example:"15.1"`
	Poor      float64 `json:"poor" example:"5.2"`
} //	@name	QualityDistribution

// ErrorTrend is the hourly error rate of the last 24 hours against the thresholds.
type ErrorTrend struct {
	Thresholds ErrorThresholds `json:"thresholds"`
	Points     []ErrorPoint    `json:"points"`
	Alerts     []ErrorAlert    `json:"alerts"`
} //	@name	ErrorTrend

// ErrorThresholds are the configured error-rate alert levels (fractions).
type ErrorThresholds struct {
	Degraded float64 `json:"degraded" example:"0.02"`
	Critical float64 `json:"critical" example:"0.05"`
} //	@name	ErrorThresholds

// ErrorPoint is one clock hour (UTC) of API traffic.
type ErrorPoint struct {
	Hour      time.Time `json:"hour" format:"date-time"`
	Requests  int64     `json:"requests" example:"5120"`
	Errors    int64     `json:"errors" example:"12"`
	ErrorRate float64   `json:"error_rate" example:"0.0023"`
	P95Ms     float64   `json:"p95_ms" example:"41.2"`
} //	@name	ErrorPoint

// ErrorAlert is an hour whose error rate crossed a threshold.
type ErrorAlert struct {
	Hour      time.Time `json:"hour" format:"date-time"`
	Level     string    `json:"level" enums:"degraded,critical" example:"degraded"`
	ErrorRate float64   `json:"error_rate" example:"0.031"`
} //	@name	ErrorAlert

// ExternalServices is the last measured state of each video provider.
type ExternalServices struct {
	Services []ExternalService `json:"services"`
} //	@name	ExternalServices

// ExternalService is one provider's status.
type ExternalService struct {
	ID        string     `json:"id" enums:"daily_co,livekit,beyond_presence" example:"daily_co"`
	Name      string     `json:"name" example:"Daily.co"`
	Status    string     `json:"status" enums:"operational,degraded,down,unconfigured" example:"operational"`
	LatencyMs *float64   `json:"latency_ms" extensions:"x-nullable" example:"84"`
	CheckedAt *time.Time `json:"checked_at" extensions:"x-nullable" format:"date-time"`
	Detail    string     `json:"detail" example:"HTTP 200 in 84 ms"`
	Uptime24h *float64   `json:"uptime_24h" extensions:"x-nullable" example:"0.998"`
	// What the provider's own status page declares; null when none is read
	// (not set, or not read yet).
	Declared *DeclaredStatus `json:"declared" extensions:"x-nullable"`
	// The provider's own count of live rooms beside Pulse's count of live
	// sessions on it: a gap between them shows a broken integration.
	LiveRooms LiveRooms `json:"live_rooms"`
	// Demo is true for a local stand-in of the provider (`pulse demo`).
	Demo bool `json:"demo" example:"false"`
} //	@name	ExternalService

// DeclaredStatus is what a provider declares on its status page (Atlassian
// Statuspage), as last read by the background checker.
type DeclaredStatus struct {
	// none/minor/major/critical/maintenance as the page says; unknown when
	// the page could not be read (description says why).
	Indicator   string `json:"indicator" enums:"none,minor,major,critical,maintenance,unknown" example:"major"`
	Description string `json:"description" example:"Partial System Outage"`
	// Title of the most severe unresolved incident; null when none is open.
	Incident       *string `json:"incident" extensions:"x-nullable" example:"Elevated connection failures in US West"`
	IncidentImpact *string `json:"incident_impact" extensions:"x-nullable" enums:"none,minor,major,critical" example:"major"`
	// The maintenance in progress, or else the next one scheduled; null when none.
	Maintenance *DeclaredMaintenance `json:"maintenance" extensions:"x-nullable"`
	CheckedAt   time.Time            `json:"checked_at" format:"date-time"`
} //	@name	DeclaredStatus

// DeclaredMaintenance is a maintenance a provider announces.
type DeclaredMaintenance struct {
	Name         string     `json:"name" example:"Database upgrade"`
	Status       string     `json:"status" enums:"in_progress,verifying,scheduled" example:"scheduled"`
	ScheduledFor *time.Time `json:"scheduled_for" extensions:"x-nullable" format:"date-time"`
} //	@name	DeclaredMaintenance

// LiveRooms compares the provider's count of live rooms with Pulse's.
type LiveRooms struct {
	// Rooms the provider reported live at the last check (LiveKit ListRooms,
	// Daily presence); null when it does not tell.
	Provider *int `json:"provider" extensions:"x-nullable" example:"12"`
	// Pulse's live sessions on this provider; null while the database
	// cannot be read.
	Pulse *int64 `json:"pulse" extensions:"x-nullable" example:"12"`
} //	@name	LiveRooms

// currentMetrics godoc
//
//	@Summary		Live platform metrics and system health
//	@Description	Sessions seen in the last 30 minutes and quality over the last hour (both counted in whole minutes), measured API error rate and p95 over the last hour (all replicas), the database pool, and the health verdict with its reasons. One reading is shared by every request for PULSE_SNAPSHOT_INTERVAL_CURRENT (2 s); generated_at says when it was taken.
//	@ID				getCurrentMetrics
//	@Tags			metrics
//	@Produce		json
//	@Success		200	{object}	CurrentMetrics
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"the admin's current role may not view metrics"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Security		BearerAuth
//	@Router			/api/admin/metrics/current [get]
func (s *Server) currentMetrics(c echo.Context) error {
	return serveSnapshot(c, s.snapshots.current)
}

// buildCurrentMetrics reads the figures of /current once for every dashboard
// of the next interval; generated_at is the time of this reading.
func (s *Server) buildCurrentMetrics(ctx context.Context, now time.Time) ([]byte, error) {
	out := CurrentMetrics{AvgConnectionQuality: string(pulse.QualityUnknown), GeneratedAt: now.UTC(), HealthReasons: []string{}}

	// A figure that cannot be read is left null rather than shown as zero;
	// the verdict below names the database as the reason. The alert
	// evaluator reads the same figures through the same function.
	live, err := pulse.ReadLive(ctx, now, s.liveSources(), func(err error) {
		s.log.WarnContext(ctx, "metrics: database unreachable", "err", err)
	})
	if err != nil {
		return nil, err
	}
	if st := live.Sessions; st != nil {
		out.ActiveSessionsCount, out.AbandonedSessionsLast24h = &st.ActiveSessions, &st.AbandonedLast24h
		if st.AvgQuality != "" {
			out.AvgConnectionQuality = string(st.AvgQuality)
			score := round(st.AvgScore, 2)
			out.AvgConnectionScore = &score
		}
	}
	if rs := live.Requests; rs != nil {
		rate, p95 := round(rs.ErrorRate(), 4), round(rs.P95Ms, 1)
		out.ErrorRateLastHour, out.APIResponseTimeP95, out.RequestsLastHour = &rate, &p95, &rs.Requests
	}
	pool := live.Pool
	out.DBPoolActive, out.DBPoolIdle, out.DBPoolSize = pool.InUse, pool.Idle, pool.MaxOpen
	out.DBPoolWaitCount, out.DBPoolWaitDurationMs, out.DBPoolWaitsLastMin = pool.WaitCount, round(pool.WaitDurationMs, 1), pool.WaitsLastMinute

	health, reasons := pulse.EvaluateHealth(live.HealthSignals(), s.thresholds)
	out.SystemHealth, out.HealthReasons = string(health), reasons
	return json.Marshal(out)
}

// liveSources are where /current (and the alert evaluator) read the live
// figures from.
func (s *Server) liveSources() pulse.LiveSources {
	return pulse.LiveSources{Sessions: s.sessions, Telemetry: s.telemetry, Pool: s.db, Providers: s.providers}
}

// dashboardContext bounds a route's database reads by DashboardDBTimeout, its
// own deadline, well under the request timeout: the dashboard must say
// "database unreachable" within a couple of seconds, not wait as long as an
// ingestion request may. (The snapshot-served metrics routes bound their
// builds the same way, in newMetricsSnapshots.)
func (s *Server) dashboardContext(c echo.Context) (context.Context, context.CancelFunc) {
	if s.dashboardDBTimeout <= 0 {
		return context.WithCancel(c.Request().Context())
	}
	return context.WithTimeout(c.Request().Context(), s.dashboardDBTimeout)
}

// timedOut makes a read that ran out of ctx's deadline EUNAVAILABLE, whatever
// the driver made of being interrupted.
func timedOut(ctx context.Context, err error) error {
	if pulse.ErrorCode(err) == pulse.EINTERNAL && pulse.Unreachable(ctx, err) {
		return pulse.Wrap(err, pulse.EUNAVAILABLE, "The database did not answer in time; try again shortly.")
	}
	return err
}

// sessionMetrics godoc
//
//	@Summary		Sessions of the last 30 days by counselor category
//	@Description	Every category is present, zero included. Read from a per-day summary maintained on ingestion; one reading is shared by every request for PULSE_SNAPSHOT_INTERVAL (10 s).
//	@ID				getSessionMetrics
//	@Tags			metrics
//	@Produce		json
//	@Success		200	{object}	SessionMetrics
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"the admin's current role may not view metrics"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/metrics/sessions [get]
func (s *Server) sessionMetrics(c echo.Context) error {
	return serveSnapshot(c, s.snapshots.sessions)
}

func (s *Server) buildSessionMetrics(ctx context.Context, now time.Time) ([]byte, error) {
	sum, err := s.sessions.SessionSummary(ctx, now, pulse.SummaryWindowDays)
	if err != nil {
		return nil, timedOut(ctx, err)
	}
	pct := sum.QualityPercentages()
	return json.Marshal(SessionMetrics{
		TotalSessions:      sum.Total,
		SessionsByCategory: sum.ByCategory,
		ConnectionQualityDistribution: QualityDistribution{
			Excellent: pct[pulse.QualityExcellent], Good: pct[pulse.QualityGood],
			Fair: pct[pulse.QualityFair], Poor: pct[pulse.QualityPoor],
		},
		WindowDays: sum.WindowDays,
	})
}

// errorTrend godoc
//
//	@Summary		Hourly API error rate of the last 24 hours, with threshold alerts
//	@Description	24 points, oldest first, the last one the current (partial) hour; hours without traffic are present with zeros. Errors are 5xx answers. One reading is shared by every request for PULSE_SNAPSHOT_INTERVAL (10 s).
//	@ID				getErrorTrend
//	@Tags			metrics
//	@Produce		json
//	@Success		200	{object}	ErrorTrend
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"the admin's current role may not view metrics"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		BearerAuth
//	@Router			/api/admin/metrics/errors [get]
func (s *Server) errorTrend(c echo.Context) error {
	return serveSnapshot(c, s.snapshots.errors)
}

func (s *Server) buildErrorTrend(ctx context.Context, now time.Time) ([]byte, error) {
	hours, err := s.telemetry.Hourly(ctx, now, pulse.TrendHours)
	if err != nil {
		return nil, timedOut(ctx, err)
	}
	t := s.thresholds
	out := ErrorTrend{
		Thresholds: ErrorThresholds{Degraded: t.ErrorRateDegraded, Critical: t.ErrorRateCritical},
		Points:     make([]ErrorPoint, 0, len(hours)),
		Alerts:     []ErrorAlert{},
	}
	for _, h := range hours {
		rate := round(h.ErrorRate(), 4)
		out.Points = append(out.Points, ErrorPoint{Hour: h.Hour, Requests: h.Requests, Errors: h.Errors, ErrorRate: rate, P95Ms: round(h.P95Ms, 1)})
		if level := t.ErrorLevel(h.RequestStats); level != "" {
			out.Alerts = append(out.Alerts, ErrorAlert{Hour: h.Hour, Level: string(level), ErrorRate: rate})
		}
	}
	return json.Marshal(out)
}

// externalServices godoc
//
//	@Summary		Status of Daily.co, LiveKit and Beyond Presence
//	@Description	Served from the background checker's cache: a request never calls a provider. One reading is shared by every request for PULSE_SNAPSHOT_INTERVAL (10 s).
//	@ID				getExternalServices
//	@Tags			metrics
//	@Produce		json
//	@Success		200	{object}	ExternalServices
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		403	{object}	ErrorResponse	"the admin's current role may not view metrics"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Security		BearerAuth
//	@Router			/api/admin/metrics/external-services [get]
func (s *Server) externalServices(c echo.Context) error {
	return serveSnapshot(c, s.snapshots.externalServices)
}

func (s *Server) buildExternalServices(ctx context.Context, now time.Time) ([]byte, error) {
	svcs, err := s.providers.Providers(ctx)
	if err != nil {
		return nil, timedOut(ctx, err)
	}
	// Pulse's side of the live-room comparison; the provider's side is
	// already in the cache. A database outage blanks only this figure.
	active, err := s.sessions.ActiveSessionsByProvider(ctx, now)
	if err != nil {
		if !pulse.Unreachable(ctx, err) {
			return nil, err
		}
		s.log.WarnContext(ctx, "metrics: database unreachable", "err", err)
	}
	out := ExternalServices{Services: make([]ExternalService, 0, len(svcs))}
	for _, v := range svcs {
		es := ExternalService{ID: v.Provider.ServiceID(), Name: v.Provider.Name(), Status: string(v.Status), Detail: v.Detail, CheckedAt: v.CheckedAt,
			Declared: declaredStatus(v.Declared), LiveRooms: LiveRooms{Provider: v.LiveRooms}, Demo: v.StandIn}
		if v.LatencyMs != nil {
			l := round(*v.LatencyMs, 1)
			es.LatencyMs = &l
		}
		if v.Uptime24h != nil {
			u := round(*v.Uptime24h, 4)
			es.Uptime24h = &u
		}
		if err == nil {
			n := active[v.Provider]
			es.LiveRooms.Pulse = &n
		}
		out.Services = append(out.Services, es)
	}
	return json.Marshal(out)
}

// declaredStatus is the wire form of a status page reading.
func declaredStatus(d *pulse.ProviderDeclared) *DeclaredStatus {
	if d == nil {
		return nil
	}
	out := &DeclaredStatus{Indicator: string(d.Indicator), Description: d.Description, CheckedAt: d.CheckedAt}
	if d.Incident != "" {
		out.Incident, out.IncidentImpact = &d.Incident, &d.IncidentImpact
	}
	if d.Maintenance != "" {
		out.Maintenance = &DeclaredMaintenance{Name: d.Maintenance, Status: d.MaintenanceStatus, ScheduledFor: d.MaintenanceAt}
	}
	return out
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}
