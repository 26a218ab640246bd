package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"pulse/internal/auth"
	"pulse/internal/config"
	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/testclock"
)

var jwtSecret = []byte("test-secret-test-secret-test-secret!")

const testPassword = "correct horse battery"

// harness is a Server on a real store, with fakes only where the real thing
// needs the network or the wall clock (providers, request telemetry).
type harness struct {
	t         testing.TB
	db        *store.DB
	srv       *httpapi.Server
	tokens    *auth.Tokens
	apiKey    string
	clock     *testclock.Clock
	telemetry *fakeTelemetry
	providers *fakeProviders

	// Every answer is checked against api/openapi.json; what breaks the
	// contract fails the test when it ends, with every other breach.
	contract   *contract
	contractMu sync.Mutex
	answers    map[answer]bool
	breaches   []string
}

func newHarness(t testing.TB, db *store.DB, opts ...func(*httpapi.Deps)) *harness {
	t.Helper()
	h := &harness{t: t, db: db, clock: testclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)),
		telemetry: &fakeTelemetry{}, providers: &fakeProviders{}, answers: map[answer]bool{}}
	c, err := loadContract()
	require.NoError(t, err, "api/openapi.json")
	h.contract = c
	t.Cleanup(func() {
		for _, b := range h.breaches {
			t.Errorf("answer not in api/openapi.json: %s", b)
		}
	})
	h.tokens = auth.NewTokens(jwtSecret, time.Hour)
	cfg := config.Defaults()
	d := httpapi.Deps{
		Sessions: db, Admins: db, APIKeys: db, RevokedTokens: db, SignInThrottle: db, DB: db, Telemetry: h.telemetry, Providers: h.providers,
		Incidents: db, Silences: db,
		Tokens: h.tokens, Now: h.clock.Now,
		RequestTimeout: cfg.RequestTimeout, DashboardDBTimeout: cfg.DashboardDBTimeout,
		BodyLimit: cfg.BodyLimit, LoginRatePerMinute: cfg.LoginRatePerMinute,
		BodyReadTimeout: cfg.BodyReadTimeout, LoginFreeFailures: cfg.LoginFreeFailures, LoginBackoffMax: cfg.LoginBackoffMax,
		Thresholds: pulse.HealthThresholds{ErrorRateDegraded: 0.02, ErrorRateCritical: 0.05, P95DegradedMs: 500, P95CriticalMs: 1000, MinRequests: 20},
		RoomEvents: db, WebhookDefaultCategory: cfg.WebhookDefaultCategory,
		QualityTokens: auth.NewQualityTokens(jwtSecret, cfg.QualityTokenTTL, h.clock.Now),
	}
	for _, o := range opts {
		o(&d)
	}
	h.srv = httpapi.New(d)
	secret, prefix, hash, err := auth.NewAPIKey()
	require.NoError(t, err)
	_, err = db.CreateAPIKey(context.Background(), pulse.APIKey{Name: "test", Prefix: prefix, Hash: hash})
	require.NoError(t, err)
	h.apiKey = secret
	return h
}

// mustAdmin creates an admin and returns a token for them.
func (h *harness) mustAdmin(email string, role pulse.Role) string {
	h.t.Helper()
	hash, err := auth.HashPassword(testPassword)
	require.NoError(h.t, err)
	a, err := h.db.CreateAdmin(context.Background(), pulse.Admin{Email: email, Role: role, PasswordHash: hash})
	require.NoError(h.t, err)
	tok, _, err := h.tokens.Issue(a)
	require.NoError(h.t, err)
	return tok
}

type response struct {
	*httptest.ResponseRecorder
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body.Bytes(), &m), "body: %s", r.Body.String())
	return m
}

// errorCode reads the code of an error response, failing on any other shape.
func (r response) errorCode(t testing.TB) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	require.True(t, ok, "error shape expected, got %s", r.Body.String())
	require.NotEmpty(t, e["message"])
	return e["code"].(string)
}

func (h *harness) do(method, path string, body string, headers ...string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	h.record(req, rec)
	return response{rec}
}

// record checks an answer against the contract and notes what it covered.
func (h *harness) record(req *http.Request, rec *httptest.ResponseRecorder) {
	a, err := h.contract.checkAnswer(req, rec)
	h.contractMu.Lock()
	defer h.contractMu.Unlock()
	if err != nil {
		h.breaches = append(h.breaches, err.Error())
	}
	if a.op != "" {
		h.answers[a] = true
	}
}

func (h *harness) ingest(method, path, body string) response {
	return h.do(method, path, body, "X-API-Key", h.apiKey)
}

func (h *harness) admin(path, token string) response {
	return h.do(http.MethodGet, path, "", "Authorization", "Bearer "+token)
}

// mustSession starts a session through the API and returns its id.
func (h *harness) mustSession(category, provider string) string {
	h.t.Helper()
	r := h.ingest(http.MethodPost, "/api/sessions", `{"category":"`+category+`","provider":"`+provider+`"}`)
	require.Equal(h.t, http.StatusCreated, r.Code, r.Body.String())
	return r.json(h.t)["session_id"].(string)
}

type fakeTelemetry struct {
	mu     sync.Mutex
	last   pulse.RequestStats
	hourly []pulse.HourlyStats
	err    error
}

func (f *fakeTelemetry) LastHour(context.Context, time.Time) (pulse.RequestStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.err
}

func (f *fakeTelemetry) Hourly(_ context.Context, now time.Time, hours int) ([]pulse.HourlyStats, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hourly, f.err
}

type fakeProviders struct {
	services []pulse.ProviderHealth
	err      error
}

func (f *fakeProviders) Providers(context.Context) ([]pulse.ProviderHealth, error) {
	return f.services, f.err
}
