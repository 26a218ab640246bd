package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/access"
	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/webhooks"
)

// faultyStore is the real store with a switch: a method named in fail
// answers that error instead, as a database that broke would.
type faultyStore struct {
	*store.DB
	mu   sync.Mutex
	fail map[string]error
}

func (f *faultyStore) set(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = map[string]error{method: err}
}

func (f *faultyStore) err(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail[method]
}

func (f *faultyStore) CreateSession(ctx context.Context, n pulse.NewSession, now time.Time) (pulse.Session, bool, error) {
	if err := f.err("CreateSession"); err != nil {
		return pulse.Session{}, false, err
	}
	return f.DB.CreateSession(ctx, n, now)
}

func (f *faultyStore) RecordQuality(ctx context.Context, id string, q pulse.Quality, now time.Time) error {
	if err := f.err("RecordQuality"); err != nil {
		return err
	}
	return f.DB.RecordQuality(ctx, id, q, now)
}

func (f *faultyStore) EndSession(ctx context.Context, id string, now time.Time) (pulse.Session, error) {
	if err := f.err("EndSession"); err != nil {
		return pulse.Session{}, err
	}
	return f.DB.EndSession(ctx, id, now)
}

func (f *faultyStore) SessionStats(ctx context.Context, now time.Time) (pulse.SessionStats, error) {
	if err := f.err("SessionStats"); err != nil {
		return pulse.SessionStats{}, err
	}
	return f.DB.SessionStats(ctx, now)
}

func (f *faultyStore) SessionSummary(ctx context.Context, now time.Time, days int) (pulse.SessionSummary, error) {
	if err := f.err("SessionSummary"); err != nil {
		return pulse.SessionSummary{}, err
	}
	return f.DB.SessionSummary(ctx, now, days)
}

func (f *faultyStore) AdminByEmail(ctx context.Context, email string) (pulse.Admin, error) {
	if err := f.err("AdminByEmail"); err != nil {
		return pulse.Admin{}, err
	}
	return f.DB.AdminByEmail(ctx, email)
}

func (f *faultyStore) AdminByID(ctx context.Context, id int64) (pulse.Admin, error) {
	if err := f.err("AdminByID"); err != nil {
		return pulse.Admin{}, err
	}
	return f.DB.AdminByID(ctx, id)
}

func (f *faultyStore) RevokeToken(ctx context.Context, id string, expiresAt time.Time) error {
	if err := f.err("RevokeToken"); err != nil {
		return err
	}
	return f.DB.RevokeToken(ctx, id, expiresAt)
}

func (f *faultyStore) SessionByExternalID(ctx context.Context, p pulse.Provider, externalID string) (pulse.Session, error) {
	if err := f.err("SessionByExternalID"); err != nil {
		return pulse.Session{}, err
	}
	return f.DB.SessionByExternalID(ctx, p, externalID)
}

func (f *faultyStore) ApplyRoomEvent(ctx context.Context, e pulse.RoomEvent, now time.Time) (pulse.RoomEventResult, error) {
	if err := f.err("ApplyRoomEvent"); err != nil {
		return pulse.RoomEventResult{}, err
	}
	return f.DB.ApplyRoomEvent(ctx, e, now)
}

func (f *faultyStore) Incidents(ctx context.Context, filter pulse.IncidentFilter) ([]pulse.Incident, error) {
	if err := f.err("Incidents"); err != nil {
		return nil, err
	}
	return f.DB.Incidents(ctx, filter)
}

func (f *faultyStore) ActiveSilences(ctx context.Context, now time.Time) ([]pulse.Silence, error) {
	if err := f.err("ActiveSilences"); err != nil {
		return nil, err
	}
	return f.DB.ActiveSilences(ctx, now)
}

func (f *faultyStore) CreateSilence(ctx context.Context, s pulse.Silence) (pulse.Silence, error) {
	if err := f.err("CreateSilence"); err != nil {
		return pulse.Silence{}, err
	}
	return f.DB.CreateSilence(ctx, s)
}

func (f *faultyStore) DeleteSilence(ctx context.Context, id int64) error {
	if err := f.err("DeleteSilence"); err != nil {
		return err
	}
	return f.DB.DeleteSilence(ctx, id)
}

func (f *faultyStore) Ping(ctx context.Context) error {
	if err := f.err("Ping"); err != nil {
		return err
	}
	return f.DB.Ping(ctx)
}

var (
	errInternal    = pulse.Errorf(pulse.EINTERNAL, "Internal error.")
	errUnavailable = pulse.Errorf(pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")
)

// TestContractCoversEveryAnswer gives every answer the document promises,
// each by the means a client or an outage would, and checks it against the
// document (harness.do does); then that none was left out.
func TestContractCoversEveryAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := &faultyStore{DB: db}
		var clock func() time.Time // h's, once it exists
		daily, err := webhooks.NewDaily(dailySecret, func() time.Time { return clock() })
		require.NoError(t, err)
		h := newHarness(t, db, func(d *httpapi.Deps) {
			d.Sessions, d.Admins, d.RevokedTokens, d.DB = f, f, f, f
			d.Incidents, d.Silences, d.RoomEvents = f, f, f
			d.LiveKitWebhook, d.DailyWebhook = webhooks.NewLiveKit(lkKey, lkSecret, "bey-avatar-agent"), daily
			d.BodyLimit = "1K"
		})
		clock = h.clock.Now
		// Without webhook receivers: those routes are not configured.
		limited := newHarness(t, db, func(d *httpapi.Deps) { d.LoginRatePerMinute = 1 })
		// On a real connection, a body has a read deadline.
		slow := newHarness(t, db, func(d *httpapi.Deps) { d.BodyReadTimeout = 100 * time.Millisecond })

		monitor := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		manager := h.mustAdmin("manager@example.org", pulse.RoleContentManager)
		super := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)
		signOuts := 0
		signedIn := func() string { // a token to spend on a sign-out
			signOuts++
			return h.mustAdmin(fmt.Sprintf("leaving%d@example.org", signOuts), pulse.RoleSystemMonitor)
		}
		session := h.mustSession("Mental Health", "daily")
		ended := h.mustSession("Mental Health", "livekit")
		require.Equal(t, http.StatusOK, h.ingest(http.MethodPost, "/api/sessions/"+ended+"/end", "").Code)
		const unknown = "3d8f2a51-0000-4000-8000-000000000000"
		_, otherToken := h.mustSessionWithToken("room-ext") // a livekit room's session

		// Incidents with and without nulls (one resolved, one open), and a silence to end.
		now := h.clock.Now()
		mustIncident(t, db, pulse.RuleErrorRate, pulse.SeverityCritical, now.Add(-2*time.Hour), 3, 2)
		mustIncident(t, db, pulse.RulePool, pulse.SeverityDegraded, now.Add(-10*time.Minute), 4, 0)
		sil, err := pulse.NewSilence("pool", now, now.Add(time.Hour), "pool resize", "super@example.org")
		require.NoError(t, err)
		sil, err = db.CreateSilence(context.Background(), sil)
		require.NoError(t, err)
		silence := fmt.Sprintf("/api/admin/silences/%d", sil.ID)

		// Figures with nulls, alerts and every status, so that the bodies checked are not empty ones.
		latency, uptime, checked := 84.0, 0.998, h.clock.Now()
		h.providers.services = []pulse.ProviderHealth{
			{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational, LatencyMs: &latency, CheckedAt: &checked, Uptime24h: &uptime, Detail: "HTTP 200 in 84 ms"},
			{Provider: pulse.ProviderLiveKit, Status: pulse.StatusDown, CheckedAt: &checked, Detail: "timeout after 5s"},
			{Provider: pulse.ProviderBeyondPresence, Status: pulse.StatusUnconfigured, Detail: "no API key set"},
		}
		hour := h.clock.Now().Truncate(time.Hour)
		h.telemetry.hourly = []pulse.HourlyStats{
			{Hour: hour.Add(-time.Hour), RequestStats: pulse.RequestStats{Requests: 1000, Errors: 60, P95Ms: 41.2}},
			{Hour: hour, RequestStats: pulse.RequestStats{Requests: 0}},
		}
		h.telemetry.last = pulse.RequestStats{Requests: 1000, Errors: 60, P95Ms: 612}

		bearer := func(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
		key := []string{"X-API-Key", h.apiKey}
		big := `{"x":"` + strings.Repeat("x", 2048) + `"}` // over the 1K limit
		login := func(password string) string {
			return `{"email":"monitor@example.org","password":"` + password + `"}`
		}
		// Signatures are made as the call is sent: Daily's carry the time.
		livekit := func(body string) []string {
			return []string{"Content-Type", "application/webhook+json", "Authorization", livekitToken(t, lkSecret, []byte(body))}
		}
		dailyKey, err := webhooks.DecodeDailySecret(dailySecret)
		require.NoError(t, err)
		signDaily := func(body string) []string {
			ts := strconv.FormatInt(h.clock.Now().Unix(), 10)
			return []string{"X-Webhook-Timestamp", ts, "X-Webhook-Signature", webhooks.SignDaily(dailyKey, ts, []byte(body))}
		}
		roomStarted := string(readFixture(t, "livekit/1-room_started.json"))
		meetingStarted := string(readFixture(t, "daily/1-meeting.started.json"))
		meetingEnded := string(readFixture(t, "daily/4-meeting.ended.json"))
		type call struct {
			method, path, body string
			headers            []string
			sign               func(body string) []string // more headers, made as the call is sent
			status             int
			fault              string // a store method that fails, with err
			err                error
			on                 *harness // h when nil
			trickle            bool     // half the body, on a real connection, then nothing
		}
		calls := []call{
			{method: "GET", path: "/healthz", status: 200},
			{method: "GET", path: "/healthz", body: big, status: 413},
			{method: "GET", path: "/readyz", status: 200},
			{method: "GET", path: "/readyz", body: big, status: 413},
			{method: "GET", path: "/readyz", status: 500, fault: "Ping", err: errInternal},
			{method: "GET", path: "/readyz", status: 503, fault: "Ping", err: errUnavailable},

			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), status: 200},
			{method: "POST", path: "/api/admin/auth/login", body: `{"email":`, status: 400},
			{method: "POST", path: "/api/admin/auth/login", body: login("wrong"), status: 401},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), headers: []string{"Sec-Fetch-Site", "cross-site"}, status: 403},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), status: 408, on: slow, trickle: true},
			{method: "POST", path: "/api/admin/auth/login", body: big, status: 413},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), headers: []string{"Content-Type", "text/plain"}, status: 415},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), status: 500, fault: "AdminByEmail", err: errInternal},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), status: 503, fault: "AdminByEmail", err: errUnavailable},
			{method: "POST", path: "/api/admin/auth/login", body: login("wrong"), status: 401, on: limited},
			{method: "POST", path: "/api/admin/auth/login", body: login(testPassword), status: 429, on: limited},

			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, status: 204},
			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, headers: bearer(signedIn()), status: 204},
			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, headers: []string{"Sec-Fetch-Site", "cross-site"}, status: 403},
			{method: "POST", path: "/api/admin/auth/logout", body: big, status: 413},
			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, headers: []string{"Content-Type", "text/plain"}, status: 415},
			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, headers: bearer(signedIn()), status: 500, fault: "RevokeToken", err: errInternal},
			{method: "POST", path: "/api/admin/auth/logout", body: `{}`, headers: bearer(signedIn()), status: 503, fault: "RevokeToken", err: errUnavailable},

			{method: "GET", path: "/api/admin/auth/me", headers: bearer(monitor), status: 200},
			{method: "GET", path: "/api/admin/auth/me", status: 401},
			{method: "GET", path: "/api/admin/auth/me", headers: bearer(monitor), body: big, status: 413},
			{method: "GET", path: "/api/admin/auth/me", headers: bearer(monitor), status: 500, fault: "AdminByID", err: errInternal},
		}
		for _, route := range []struct {
			path, fault string
			unavailable bool // a 503 when the database is out, rather than a 200 that says so
		}{
			{"/api/admin/metrics/current", "SessionStats", false},
			{"/api/admin/metrics/sessions", "SessionSummary", true},
			{"/api/admin/metrics/errors", "telemetry", true},
			{"/api/admin/metrics/external-services", "providers", false},
			{"/api/admin/incidents", "Incidents", true},
		} {
			calls = append(calls,
				call{method: "GET", path: route.path, headers: bearer(monitor), status: 200},
				call{method: "GET", path: route.path, status: 401},
				call{method: "GET", path: route.path, headers: bearer(manager), status: 403},
				call{method: "GET", path: route.path, headers: bearer(monitor), body: big, status: 413},
				call{method: "GET", path: route.path, headers: bearer(monitor), status: 500, fault: route.fault, err: errInternal},
			)
			if route.unavailable {
				calls = append(calls, call{method: "GET", path: route.path, headers: bearer(monitor), status: 503, fault: route.fault, err: errUnavailable})
			}
		}
		newSession := `{"category":"Mental Health","provider":"daily","external_id":"room-1"}`
		quality := "/api/sessions/" + session + "/quality"
		end := "/api/sessions/" + session + "/end"
		calls = append(calls,
			call{method: "POST", path: "/api/sessions", body: newSession, headers: key, status: 201},
			call{method: "POST", path: "/api/sessions", body: newSession, headers: key, status: 200},
			call{method: "POST", path: "/api/sessions", body: `[`, headers: key, status: 400},
			call{method: "POST", path: "/api/sessions", body: newSession, status: 401},
			call{method: "POST", path: "/api/sessions", body: big, headers: key, status: 413},
			call{method: "POST", path: "/api/sessions", body: `{"category":"Mental Health","provider":"zoom"}`, headers: key, status: 422},
			call{method: "POST", path: "/api/sessions", body: newSession, headers: key, status: 500, fault: "CreateSession", err: errInternal},
			call{method: "POST", path: "/api/sessions", body: newSession, headers: key, status: 503, fault: "CreateSession", err: errUnavailable},

			call{method: "POST", path: quality, body: `{"quality":"good"}`, headers: key, status: 204},
			call{method: "POST", path: quality, body: `{"quality":`, headers: key, status: 400},
			call{method: "POST", path: quality, body: `{"quality":"good"}`, status: 401},
			call{method: "POST", path: quality, body: `{"quality":"good"}`, headers: bearer(otherToken), status: 403},
			call{method: "POST", path: "/api/sessions/" + unknown + "/quality", body: `{"quality":"good"}`, headers: key, status: 404},
			call{method: "POST", path: "/api/sessions/" + ended + "/quality", body: `{"quality":"good"}`, headers: key, status: 409},
			call{method: "POST", path: quality, body: big, headers: key, status: 413},
			call{method: "POST", path: quality, body: `{"quality":"superb"}`, headers: key, status: 422},
			call{method: "POST", path: quality, body: `{"quality":"good"}`, headers: key, status: 500, fault: "RecordQuality", err: errInternal},
			call{method: "POST", path: quality, body: `{"quality":"good"}`, headers: key, status: 503, fault: "RecordQuality", err: errUnavailable},

			call{method: "POST", path: end, headers: key, status: 200},
			call{method: "POST", path: end, status: 401},
			call{method: "POST", path: "/api/sessions/" + unknown + "/end", headers: key, status: 404},
			call{method: "POST", path: end, body: big, headers: key, status: 413},
			call{method: "POST", path: end, headers: key, status: 500, fault: "EndSession", err: errInternal},
			call{method: "POST", path: end, headers: key, status: 503, fault: "EndSession", err: errUnavailable},
		)
		byExternal := "/api/sessions/by-external/livekit/room-ext"
		calls = append(calls,
			call{method: "GET", path: byExternal, headers: key, status: 200},
			call{method: "GET", path: byExternal, status: 401},
			call{method: "GET", path: "/api/sessions/by-external/livekit/room-nowhere", headers: key, status: 404},
			call{method: "GET", path: byExternal, body: big, headers: key, status: 413},
			call{method: "GET", path: "/api/sessions/by-external/zoom/room-ext", headers: key, status: 422},
			call{method: "GET", path: byExternal, headers: key, status: 500, fault: "SessionByExternalID", err: errInternal},
			call{method: "GET", path: byExternal, headers: key, status: 503, fault: "SessionByExternalID", err: errUnavailable},

			call{method: "POST", path: "/api/webhooks/livekit", body: roomStarted, sign: livekit, status: 200},
			call{method: "POST", path: "/api/webhooks/livekit", body: `not an event`, sign: livekit, status: 400},
			call{method: "POST", path: "/api/webhooks/livekit", body: roomStarted, status: 401},
			call{method: "POST", path: "/api/webhooks/livekit", body: roomStarted, sign: livekit, status: 404, on: limited},
			call{method: "POST", path: "/api/webhooks/livekit", body: big, sign: livekit, status: 413},
			call{method: "POST", path: "/api/webhooks/livekit", body: roomStarted, sign: livekit, status: 500, fault: "ApplyRoomEvent", err: errInternal},
			call{method: "POST", path: "/api/webhooks/livekit", body: roomStarted, sign: livekit, status: 503, fault: "ApplyRoomEvent", err: errUnavailable},

			call{method: "POST", path: "/api/webhooks/daily", body: meetingStarted, sign: signDaily, status: 200},
			call{method: "POST", path: "/api/webhooks/daily", body: `{"test":"test"}`, status: 200}, // Daily's set-up test: acknowledged unsigned
			call{method: "POST", path: "/api/webhooks/daily", body: meetingEnded, status: 401},
			call{method: "POST", path: "/api/webhooks/daily", body: meetingEnded, sign: signDaily, status: 404, on: limited},
			call{method: "POST", path: "/api/webhooks/daily", body: big, sign: signDaily, status: 413},
			call{method: "POST", path: "/api/webhooks/daily", body: meetingEnded, sign: signDaily, status: 500, fault: "ApplyRoomEvent", err: errInternal},
			call{method: "POST", path: "/api/webhooks/daily", body: meetingEnded, sign: signDaily, status: 503, fault: "ApplyRoomEvent", err: errUnavailable},

			call{method: "GET", path: "/api/admin/incidents?status=closed", headers: bearer(monitor), status: 422},

			call{method: "GET", path: "/api/admin/silences", headers: bearer(super), status: 200},
			call{method: "GET", path: "/api/admin/silences", status: 401},
			call{method: "GET", path: "/api/admin/silences", headers: bearer(monitor), status: 403},
			call{method: "GET", path: "/api/admin/silences", body: big, headers: bearer(super), status: 413},
			call{method: "GET", path: "/api/admin/silences", headers: bearer(super), status: 500, fault: "ActiveSilences", err: errInternal},
			call{method: "GET", path: "/api/admin/silences", headers: bearer(super), status: 503, fault: "ActiveSilences", err: errUnavailable},
		)
		newSilence := `{"rule":"provider:livekit","duration":"2h","reason":"LiveKit upgrade"}`
		calls = append(calls,
			call{method: "POST", path: "/api/admin/silences", body: newSilence, headers: bearer(super), status: 201},
			call{method: "POST", path: "/api/admin/silences", body: `{"rule":`, headers: bearer(super), status: 400},
			call{method: "POST", path: "/api/admin/silences", body: newSilence, status: 401},
			call{method: "POST", path: "/api/admin/silences", body: newSilence, headers: bearer(monitor), status: 403},
			call{method: "POST", path: "/api/admin/silences", body: big, headers: bearer(super), status: 413},
			call{method: "POST", path: "/api/admin/silences", body: `{"rule":"livekit","duration":"2h","reason":"x"}`, headers: bearer(super), status: 422},
			call{method: "POST", path: "/api/admin/silences", body: newSilence, headers: bearer(super), status: 500, fault: "CreateSilence", err: errInternal},
			call{method: "POST", path: "/api/admin/silences", body: newSilence, headers: bearer(super), status: 503, fault: "CreateSilence", err: errUnavailable},

			call{method: "DELETE", path: silence, headers: bearer(super), status: 500, fault: "DeleteSilence", err: errInternal},
			call{method: "DELETE", path: silence, headers: bearer(super), status: 503, fault: "DeleteSilence", err: errUnavailable},
			call{method: "DELETE", path: silence, headers: bearer(super), status: 204},
			call{method: "DELETE", path: silence, status: 401},
			call{method: "DELETE", path: silence, headers: bearer(monitor), status: 403},
			call{method: "DELETE", path: silence, headers: bearer(super), status: 404},
			call{method: "DELETE", path: silence, body: big, headers: bearer(super), status: 413},
			call{method: "DELETE", path: "/api/admin/silences/abc", headers: bearer(super), status: 422},
		)

		// Which answers came without any credential: every guarded operation
		// must refuse such a request, every open one must serve it.
		anonymous := map[answer]bool{}
		for _, c := range calls {
			on := c.on
			if on == nil {
				on = h
			}
			t.Run(fmt.Sprintf("%s_%s_%d", c.method, c.path, c.status), func(t *testing.T) {
				if c.fault != "" {
					// Guards read through caches: let them read the store again.
					on.clock.Advance(access.MaxAge)
					switch c.fault {
					case "telemetry":
						on.telemetry.mu.Lock()
						on.telemetry.err = c.err
						on.telemetry.mu.Unlock()
						defer func() { on.telemetry.mu.Lock(); on.telemetry.err = nil; on.telemetry.mu.Unlock() }()
					case "providers":
						on.providers.err = c.err
						defer func() { on.providers.err = nil }()
					default:
						f.set(c.fault, c.err)
						defer f.set("", nil)
					}
				}
				headers := c.headers
				if c.sign != nil {
					headers = append(slices.Clone(headers), c.sign(c.body)...)
				}
				var r response
				if c.trickle {
					r = on.trickle(t, c.method, c.path, c.body)
				} else {
					r = on.do(c.method, c.path, c.body, headers...)
				}
				require.Equal(t, c.status, r.Code, r.Body.String())
				if len(headers) == 0 {
					op, _, err := on.contract.router.FindRoute(httptest.NewRequest(c.method, c.path, nil))
					require.NoError(t, err)
					anonymous[answer{op.Operation.OperationID, r.Code}] = true
				}
			})
		}

		covered := map[answer]bool{}
		for _, hh := range []*harness{h, limited, slow} {
			hh.contractMu.Lock()
			for a := range hh.answers {
				covered[a] = true
			}
			hh.contractMu.Unlock()
		}
		var missing []string
		for _, a := range h.contract.documentedAnswers() {
			if !covered[a] {
				missing = append(missing, a.String())
			}
		}
		slices.Sort(missing)
		assert.Empty(t, missing, "documented answers no call gave")

		for _, item := range h.contract.doc.Paths.Map() {
			for _, op := range item.Operations() {
				open := op.Security != nil && len(*op.Security) == 0
				servedAnonymously := false
				for a := range anonymous {
					if a.op == op.OperationID && a.status < 300 {
						servedAnonymously = true
					}
				}
				if open {
					assert.True(t, servedAnonymously, "%s says security: [] but served no request without credentials", op.OperationID)
				} else {
					assert.True(t, anonymous[answer{op.OperationID, http.StatusUnauthorized}], "%s: no call without credentials got 401", op.OperationID)
					assert.False(t, servedAnonymously, "%s is guarded but served a request without credentials", op.OperationID)
				}
			}
		}
	})
}

// trickle sends, on a real connection, the headers of a JSON request
// announcing body and then only its first half, and checks the answer as
// do does: only where there is a connection does a body have a read
// deadline (a recorder has none).
func (h *harness) trickle(t *testing.T, method, path, body string) response {
	t.Helper()
	srv := httptest.NewServer(h.srv)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		method, path, srv.Listener.Addr(), len(body), body[:len(body)/2])
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	rec := httptest.NewRecorder()
	maps.Copy(rec.Header(), res.Header)
	rec.WriteHeader(res.StatusCode)
	_, err = io.Copy(rec, res.Body)
	require.NoError(t, err)
	h.record(httptest.NewRequest(method, path, nil), rec)
	return response{rec}
}

// TestContractHasEveryRoute: the document and routes.go list the same
// operations. Not operations of the JSON API, so not in the document: Swagger
// UI, /metrics (Prometheus' text format, checked by promtool), the browser
// quality reporter's JavaScript (/pulse-quality.js, .mjs), and the CORS
// preflight route of the quality samples (an OPTIONS answer of every path is
// checked by the contract instead: 204 with the documented methods in Allow).
func TestContractHasEveryRoute(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) { d.Metrics = http.NotFoundHandler() })
	var served, documented []string
	for _, r := range h.srv.Echo.Routes() {
		switch {
		case r.Method == echo.RouteNotFound, r.Method == http.MethodOptions,
			strings.HasPrefix(r.Path, "/swagger/"), r.Path == "/metrics", strings.HasPrefix(r.Path, "/pulse-quality."):
			continue
		}
		served = append(served, r.Method+" "+r.Path)
	}
	for path, item := range h.contract.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+pathParam.ReplaceAllString(path, ":$1"))
		}
	}
	assert.ElementsMatch(t, documented, served)
}

// pathParam is an OpenAPI path parameter, {name}; Echo writes :name.
var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestContractCheckCatchesBreaches: the check fails the answers the document
// does not promise, and only those.
func TestContractCheckCatchesBreaches(t *testing.T) {
	c, err := loadContract()
	require.NoError(t, err)
	const svc = `{"id":"daily_co","name":"Daily.co","status":"operational","latency_ms":null,"checked_at":null,"detail":"","uptime_24h":null,"declared":null,"live_rooms":{"provider":null,"pulse":null},"demo":false}`
	for name, tc := range map[string]struct {
		method, path string
		status       int
		body         string
		allow        string
		breach       bool
	}{
		"Documented":                  {"GET", "/healthz", 200, `{"status":"ok"}`, "", false},
		"NullWhereNullable":           {"GET", "/api/admin/metrics/external-services", 200, `{"services":[` + svc + `]}`, "", false},
		"DocumentedError":             {"GET", "/readyz", 503, `{"error":{"code":"unavailable","message":"down"}}`, "", false},
		"WrongMethodWithAllow":        {"GET", "/api/sessions", 405, `{"error":{"code":"method_not_allowed","message":"Method Not Allowed"}}`, "OPTIONS, POST", false},
		"UnknownPathError":            {"GET", "/api/nowhere", 404, `{"error":{"code":"not_found","message":"Not Found"}}`, "", false},
		"UndocumentedStatus":          {"GET", "/healthz", 418, `{"error":{"code":"teapot","message":"no"}}`, "", true},
		"MissingRequiredField":        {"GET", "/healthz", 200, `{}`, "", true},
		"NullWhereNotNullable":        {"GET", "/api/admin/metrics/external-services", 200, `{"services":[` + strings.Replace(svc, `"Daily.co"`, "null", 1) + `]}`, "", true},
		"NotAUUID":                    {"POST", "/api/sessions/x/end", 200, `{"session_id":"x","ended_at":"2026-11-26T12:00:00Z"}`, "", true},
		"BodyWhereNoneIsDocumented":   {"POST", "/api/admin/auth/logout", 204, `{"ok":true}`, "", true},
		"UndocumentedRouteServesJSON": {"GET", "/api/secret", 200, `{"a":1}`, "", true},
		"WrongMethodAs404":            {"GET", "/api/sessions", 404, `{"error":{"code":"not_found","message":"Not Found"}}`, "", true},
		"WrongMethodWithWrongAllow":   {"GET", "/api/sessions", 405, `{"error":{"code":"method_not_allowed","message":"x"}}`, "OPTIONS, GET", true},
		"ErrorInAnotherShape":         {"GET", "/api/nowhere", 404, `{"message":"Not Found"}`, "", true},
	} {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/json")
			if tc.allow != "" {
				rec.Header().Set("Allow", tc.allow)
			}
			rec.WriteHeader(tc.status)
			_, _ = io.WriteString(rec, tc.body)
			_, err := c.checkAnswer(httptest.NewRequest(tc.method, tc.path, nil), rec)
			if tc.breach {
				assert.Error(t, err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}
