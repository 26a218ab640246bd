package demo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"pulse/internal/pulse"
)

// StandIns are local stand-ins of the three providers' APIs and of Daily's
// and LiveKit's status pages, on one loopback listener, so that the demo's
// provider cards are checked by the real checker instead of staying grey.
// They answer what the checker's probes ask (Daily's room list and presence,
// LiveKit's ping and ListRooms with a signed token, Beyond Presence's key
// check) with the rooms the demo driver has live, and follow a schedule:
// LiveKit's API fails now and then, and its status page declares an
// incident meanwhile. Their keys are random for each run.
//
// Paths: /daily/v1/…, /livekit/…, /bey/v1/…, /status/daily/api/v2/summary.json,
// /status/livekit/api/v2/summary.json.
type StandIns struct {
	// Keys the stand-ins accept, random for each run.
	DailyKey, LiveKitKey, LiveKitSecret, BeyKey string
	Schedule                                    StandInSchedule
	// Now is the clock of the schedule and of token checks.
	Now func() time.Time

	base  string
	srv   *http.Server
	mu    sync.Mutex
	start time.Time
	rooms map[pulse.Provider][]string
}

// StandInSchedule is when the LiveKit stand-in fails and what its status
// page declares, counted from the first request.
type StandInSchedule struct {
	// The API answers 503 for OutageFor, OutageAfter after the start and
	// every OutageEvery after that.
	OutageAfter, OutageEvery, OutageFor time.Duration
	// The status page declares a major incident IncidentDelay after an
	// outage starts, for IncidentFor ("investigating" during the outage,
	// "monitoring" after it).
	IncidentDelay, IncidentFor time.Duration
}

// DefaultStandInSchedule: a 2-minute LiveKit outage every 15 minutes, the
// first 5 minutes in; the status page declares it a minute in, for 5 minutes.
var DefaultStandInSchedule = StandInSchedule{
	OutageAfter: 5 * time.Minute, OutageEvery: 15 * time.Minute, OutageFor: 2 * time.Minute,
	IncidentDelay: time.Minute, IncidentFor: 5 * time.Minute,
}

// sinceOutage is how far into the current period's outage t is; false
// before the first one.
func (s StandInSchedule) sinceOutage(elapsed time.Duration) (time.Duration, bool) {
	if elapsed < s.OutageAfter || s.OutageEvery <= 0 {
		return 0, false
	}
	return (elapsed - s.OutageAfter) % s.OutageEvery, true
}

// Outage reports whether the LiveKit stand-in fails elapsed after the start.
func (s StandInSchedule) Outage(elapsed time.Duration) bool {
	in, ok := s.sinceOutage(elapsed)
	return ok && in < s.OutageFor
}

// Incident reports whether LiveKit's status page declares an incident
// elapsed after the start.
func (s StandInSchedule) Incident(elapsed time.Duration) bool {
	in, ok := s.sinceOutage(elapsed)
	return ok && in >= s.IncidentDelay && in < s.IncidentDelay+s.IncidentFor
}

// NewStandIns returns stand-ins with fresh keys and the default schedule;
// Handler serves them, Start listens on loopback.
func NewStandIns() *StandIns {
	return &StandIns{
		DailyKey: randomKey("demo-daily-"), LiveKitKey: randomKey("APIdemo"), LiveKitSecret: randomKey("demo-secret-"),
		BeyKey: randomKey("demo-bey-"), Schedule: DefaultStandInSchedule, Now: time.Now,
		rooms: map[pulse.Provider][]string{},
	}
}

func randomKey(prefix string) string { return prefix + randomID(16) }

// Start serves the stand-ins on 127.0.0.1 at a free port until Close.
func (s *StandIns) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo stand-ins: %w", err)
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	s.base = "http://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// Close stops serving.
func (s *StandIns) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// SetBaseURL says where Handler is served when Start is not used (tests).
func (s *StandIns) SetBaseURL(u string) { s.base = strings.TrimRight(u, "/") }

// The URLs to configure Pulse with.
func (s *StandIns) DailyAPIURL() string      { return s.base + "/daily/v1" }
func (s *StandIns) LiveKitURL() string       { return s.base + "/livekit" }
func (s *StandIns) BeyAPIURL() string        { return s.base + "/bey/v1" }
func (s *StandIns) DailyStatusURL() string   { return s.base + "/status/daily/api/v2/summary.json" }
func (s *StandIns) LiveKitStatusURL() string { return s.base + "/status/livekit/api/v2/summary.json" }
func (s *StandIns) BaseURL() string          { return s.base }

// SetLive sets the rooms live on each provider (external ids): the demo
// driver calls it as its sessions start and end.
func (s *StandIns) SetLive(rooms map[pulse.Provider][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rooms = map[pulse.Provider][]string{}
	for p, names := range rooms {
		s.rooms[p] = append([]string(nil), names...)
	}
}

func (s *StandIns) live(p pulse.Provider) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.rooms[p]...)
}

// elapsed is the time since the first request (or the first call).
func (s *StandIns) elapsed() (time.Time, time.Duration) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		s.start = now
	}
	return now, now.Sub(s.start)
}

// Handler serves every stand-in.
func (s *StandIns) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /daily/v1/rooms", s.dailyRooms)
	mux.HandleFunc("GET /daily/v1/presence", s.dailyPresence)
	mux.HandleFunc("GET /livekit/{$}", s.liveKitPing)
	mux.HandleFunc("POST /livekit/twirp/livekit.RoomService/ListRooms", s.liveKitListRooms)
	mux.HandleFunc("GET /bey/v1/auth/verify", s.beyVerify)
	mux.HandleFunc("GET /status/daily/api/v2/summary.json", s.dailyStatus)
	mux.HandleFunc("GET /status/livekit/api/v2/summary.json", s.liveKitStatus)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *StandIns) dailyAuthorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+s.DailyKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "authentication-error", "info": "demo stand-in: unknown API key"})
		return false
	}
	return true
}

// dailyRooms answers GET /rooms like Daily: {"total_count", "data": [...]}.
func (s *StandIns) dailyRooms(w http.ResponseWriter, r *http.Request) {
	if !s.dailyAuthorized(w, r) {
		return
	}
	rooms := s.live(pulse.ProviderDaily)
	data := []map[string]any{}
	for _, name := range rooms[:min(len(rooms), 1)] { // ?limit=1, as the check asks
		data = append(data, map[string]any{"id": "demo-" + name, "name": name, "privacy": "private", "url": "https://demo.daily.invalid/" + name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(rooms), "data": data})
}

// dailyPresence answers GET /presence like Daily: room name → participants.
func (s *StandIns) dailyPresence(w http.ResponseWriter, r *http.Request) {
	if !s.dailyAuthorized(w, r) {
		return
	}
	now, _ := s.elapsed()
	out := map[string][]map[string]any{}
	for _, name := range s.live(pulse.ProviderDaily) {
		out[name] = []map[string]any{
			{"room": name, "id": name + "-student", "userName": "student", "joinTime": now.Add(-time.Minute).UTC().Format(time.RFC3339), "duration": 60},
			{"room": name, "id": name + "-counselor", "userName": "counselor", "joinTime": now.Add(-time.Minute).UTC().Format(time.RFC3339), "duration": 60},
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// liveKitDown answers 503 during a scheduled outage.
func (s *StandIns) liveKitDown(w http.ResponseWriter) bool {
	if _, since := s.elapsed(); s.Schedule.Outage(since) {
		http.Error(w, "demo stand-in: scheduled outage", http.StatusServiceUnavailable)
		return true
	}
	return false
}

func (s *StandIns) liveKitPing(w http.ResponseWriter, _ *http.Request) {
	if s.liveKitDown(w) {
		return
	}
	_, _ = io.WriteString(w, "OK")
}

// liveKitListRooms answers ListRooms like a LiveKit server: a token signed
// with the secret (HS256), issued by the key, granting roomList.
func (s *StandIns) liveKitListRooms(w http.ResponseWriter, r *http.Request) {
	if s.liveKitDown(w) {
		return
	}
	if err := s.verifyLiveKitToken(r.Header.Get("Authorization")); err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "unauthenticated", "msg": "demo stand-in: " + err.Error()})
		return
	}
	now, _ := s.elapsed()
	rooms := []map[string]any{}
	for _, name := range s.live(pulse.ProviderLiveKit) {
		rooms = append(rooms, map[string]any{"sid": "RM_" + name, "name": name, "num_participants": 2, "creation_time": now.Add(-time.Minute).Unix()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"rooms": rooms})
}

var errNoRoomList = errors.New("token does not grant roomList")

func (s *StandIns) verifyLiveKitToken(header string) error {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return jwt.ErrTokenMalformed
	}
	var claims struct {
		jwt.RegisteredClaims
		Video struct {
			RoomList bool `json:"roomList"`
		} `json:"video"`
	}
	_, err := jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return []byte(s.LiveKitSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithIssuer(s.LiveKitKey), jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.Now), jwt.WithLeeway(time.Minute))
	if err != nil {
		return err
	}
	if !claims.Video.RoomList {
		return errNoRoomList
	}
	return nil
}

func (s *StandIns) beyVerify(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("x-api-key") != s.BeyKey {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Missing or Invalid API Key"})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusSummary is a Statuspage summary.json.
func statusSummary(name, indicator, description string, incidents, maintenances []map[string]any) map[string]any {
	return map[string]any{
		"page":                   map[string]any{"id": "demo-" + strings.ToLower(name), "name": name + " (demo stand-in)", "url": "http://127.0.0.1/", "time_zone": "Etc/UTC"},
		"components":             []any{},
		"incidents":              incidents,
		"scheduled_maintenances": maintenances,
		"status":                 map[string]any{"indicator": indicator, "description": description},
	}
}

// dailyStatus: all operational, with a maintenance announced for the next
// full hour but two.
func (s *StandIns) dailyStatus(w http.ResponseWriter, _ *http.Request) {
	now, _ := s.elapsed()
	at := now.UTC().Truncate(time.Hour).Add(3 * time.Hour)
	writeJSON(w, http.StatusOK, statusSummary("Daily", "none", "All Systems Operational", []map[string]any{}, []map[string]any{{
		"id": "demo-maintenance", "name": "Media server upgrade (demo)", "status": "scheduled", "impact": "maintenance",
		"scheduled_for": at.Format(time.RFC3339), "scheduled_until": at.Add(30 * time.Minute).Format(time.RFC3339),
	}}))
}

// liveKitStatus declares a major incident as the schedule says.
func (s *StandIns) liveKitStatus(w http.ResponseWriter, _ *http.Request) {
	_, since := s.elapsed()
	if !s.Schedule.Incident(since) {
		writeJSON(w, http.StatusOK, statusSummary("LiveKit", "none", "All Systems Operational", []map[string]any{}, []map[string]any{}))
		return
	}
	status := "monitoring"
	if s.Schedule.Outage(since) {
		status = "investigating"
	}
	writeJSON(w, http.StatusOK, statusSummary("LiveKit", "major", "Partial System Outage", []map[string]any{{
		"id": "demo-incident", "name": "Elevated RoomService errors (demo)", "status": status, "impact": "major",
	}}, []map[string]any{}))
}
