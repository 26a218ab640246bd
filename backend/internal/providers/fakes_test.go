package providers

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// Test credentials; every detail is asserted not to contain them.
const (
	testDailyKey      = "daily-secret-key"
	testLiveKitKey    = "APIlivekitkey"
	testLiveKitSecret = "livekit-secret-0123456789abcdef"
	testBeyKey        = "bey-secret-key"
)

var testSecrets = []string{testDailyKey, testLiveKitKey, testLiveKitSecret, testBeyKey}

// newClock starts at the real time so that the LiveKit fake, which verifies
// tokens against the real time, accepts them.
func newClock() *testclock.Clock { return testclock.New(time.Now().UTC().Truncate(time.Second)) }

// memStore is an in-memory pulse.ProviderCheckStore.
type memStore struct {
	mu       sync.Mutex
	checks   []pulse.ProviderCheck
	declared map[pulse.Provider]pulse.ProviderDeclared
	err      error // returned by every call when set
}

func (s *memStore) SaveProviderDeclared(_ context.Context, d pulse.ProviderDeclared) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.declared == nil {
		s.declared = map[pulse.Provider]pulse.ProviderDeclared{}
	}
	s.declared[d.Provider] = d
	return nil
}

func (s *memStore) LatestProviderDeclared(context.Context) (map[pulse.Provider]pulse.ProviderDeclared, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	out := make(map[pulse.Provider]pulse.ProviderDeclared, len(s.declared))
	for id, d := range s.declared {
		out[id] = d
	}
	return out, nil
}

func (s *memStore) InsertProviderCheck(_ context.Context, c pulse.ProviderCheck) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.checks = append(s.checks, c)
	return nil
}

func (s *memStore) LatestProviderChecks(context.Context) (map[pulse.Provider]pulse.ProviderCheck, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	out := map[pulse.Provider]pulse.ProviderCheck{}
	for _, c := range s.checks {
		if prev, ok := out[c.Provider]; !ok || !c.CheckedAt.Before(prev.CheckedAt) {
			out[c.Provider] = c
		}
	}
	return out, nil
}

func (s *memStore) ProviderUptime(_ context.Context, since time.Time) (map[pulse.Provider]float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	total, up := map[pulse.Provider]int{}, map[pulse.Provider]int{}
	for _, c := range s.checks {
		if c.CheckedAt.Before(since) {
			continue
		}
		total[c.Provider]++
		if c.Status == pulse.StatusOperational {
			up[c.Provider]++
		}
	}
	out := map[pulse.Provider]float64{}
	for id, n := range total {
		out[id] = float64(up[id]) / float64(n)
	}
	return out, nil
}

func (s *memStore) Checks() []pulse.ProviderCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]pulse.ProviderCheck(nil), s.checks...)
}

func (s *memStore) SetErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// fakeLeader answers TryLead with whatever it is set to.
type fakeLeader struct {
	mu       sync.Mutex
	ok       bool
	err      error
	tries    int
	releases int
	jobs     []string
}

func (l *fakeLeader) TryLead(_ context.Context, job string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tries++
	l.jobs = append(l.jobs, job)
	if l.err != nil || !l.ok {
		return nil, false, l.err
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.releases++
	}, true, nil
}

func (l *fakeLeader) Set(ok bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ok, l.err = ok, err
}

func (l *fakeLeader) Counts() (tries, releases int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tries, l.releases
}

// fakeProvider is an httptest server that speaks one provider's API. It
// answers like the real API (checking credentials) unless told otherwise
// with Set.
type fakeProvider struct {
	t      testing.TB
	id     pulse.Provider
	srv    *httptest.Server
	hits   atomic.Int64
	mu     sync.Mutex
	answer http.HandlerFunc // nil: the healthy API
	rooms  []string         // the live rooms the healthy API lists
	reqs   []*http.Request  // clones, with their bodies read into bodies
	bodies []string
}

func newFakeProvider(t testing.TB, id pulse.Provider) *fakeProvider {
	t.Helper()
	f := &fakeProvider{t: t, id: id}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// Set makes the server answer with h (nil: healthy again).
func (f *fakeProvider) Set(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = h
}

// SetRooms sets the live rooms the healthy API lists (Daily's presence,
// LiveKit's ListRooms).
func (f *fakeProvider) SetRooms(names ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rooms = names
}

// Requests returns the requests received so far and their bodies.
func (f *fakeProvider) Requests() ([]*http.Request, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.reqs...), append([]string(nil), f.bodies...)
}

func (f *fakeProvider) serve(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(body))) // answers may read it again
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Clone(context.Background()))
	f.bodies = append(f.bodies, string(body))
	answer := f.answer
	f.mu.Unlock()
	if answer != nil {
		answer(w, r)
		return
	}
	f.healthy(w, r, string(body))
}

// healthy answers as the real API does.
func (f *fakeProvider) healthy(w http.ResponseWriter, r *http.Request, body string) {
	f.mu.Lock()
	rooms := append([]string(nil), f.rooms...)
	f.mu.Unlock()
	switch {
	case f.id == pulse.ProviderDaily && r.Method == http.MethodGet && r.URL.Path == "/v1/presence":
		if r.Header.Get("Authorization") != "Bearer "+testDailyKey {
			http.Error(w, `{"error":"authentication-error"}`, http.StatusUnauthorized)
			return
		}
		// Daily's shape: room name → the participants present.
		presence := map[string][]map[string]any{}
		for i, name := range rooms {
			presence[name] = []map[string]any{{"room": name, "id": "p" + name, "userName": "student", "joinTime": "2026-11-26T11:50:00.000Z", "duration": 60 * i}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(presence)
	case f.id == pulse.ProviderDaily && r.Method == http.MethodGet && r.URL.Path == "/v1/rooms":
		if r.Header.Get("Authorization") != "Bearer "+testDailyKey {
			http.Error(w, `{"error":"authentication-error"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"total_count":1,"data":[{"id":"r1","name":"room"}]}`)
	case f.id == pulse.ProviderBeyondPresence && r.Method == http.MethodGet && r.URL.Path == "/v1/auth/verify":
		if r.Header.Get("x-api-key") != testBeyKey {
			http.Error(w, `{"detail":"Missing or Invalid API Key"}`, http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case f.id == pulse.ProviderLiveKit && r.Method == http.MethodGet && r.URL.Path == "/":
		_, _ = io.WriteString(w, "OK")
	case f.id == pulse.ProviderLiveKit && r.Method == http.MethodPost && r.URL.Path == "/twirp/livekit.RoomService/ListRooms":
		if r.Header.Get("Content-Type") != "application/json" || strings.TrimSpace(body) != "{}" {
			http.Error(w, `{"code":"malformed"}`, http.StatusBadRequest)
			return
		}
		if err := verifyLiveKitToken(r.Header.Get("Authorization"), time.Now()); err != nil {
			http.Error(w, `{"code":"unauthenticated","msg":"`+err.Error()+`"}`, http.StatusUnauthorized)
			return
		}
		list := []map[string]any{}
		for _, name := range rooms {
			list = append(list, map[string]any{"sid": "RM_" + name, "name": name, "num_participants": 2})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"rooms": list})
	default:
		http.NotFound(w, r)
	}
}

// verifyLiveKitToken checks a "Bearer <jwt>" header the way a LiveKit server
// would: HS256 signed with the secret, issued by the key, granting roomList.
func verifyLiveKitToken(header string, now time.Time) error {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return jwt.ErrTokenMalformed
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(testLiveKitSecret), nil },
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(testLiveKitKey),
		jwt.WithExpirationRequired(),
		jwt.WithNotBeforeRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(time.Minute),
	)
	if err != nil {
		return err
	}
	video, _ := json.Marshal(claims["video"])
	var grant struct {
		RoomList bool `json:"roomList"`
	}
	if json.Unmarshal(video, &grant) != nil || !grant.RoomList {
		return jwt.ErrTokenInvalidClaims
	}
	return nil
}

// configFor configures only provider id, talking to url.
func configFor(id pulse.Provider, url string) Config {
	switch id {
	case pulse.ProviderDaily:
		return Config{DailyAPIURL: url + "/v1", DailyAPIKey: testDailyKey}
	case pulse.ProviderLiveKit:
		return Config{LiveKitURL: url, LiveKitAPIKey: testLiveKitKey, LiveKitAPISecret: testLiveKitSecret}
	default:
		return Config{BeyAPIURL: url + "/v1", BeyAPIKey: testBeyKey}
	}
}

// testTimings are short enough that no test waits long; the status rules
// are the production defaults.
func testTimings(c Config) Config {
	d := config.Defaults()
	c.CheckInterval = time.Hour // rounds are driven by hand unless a test runs Run
	c.CheckTimeout = 300 * time.Millisecond
	c.SlowThreshold = 50 * time.Millisecond
	c.DownAfter, c.FlapWindow, c.FlapChanges = d.CheckDownAfter, d.CheckFlapWindow, d.CheckFlapChanges
	return c
}

// newTestChecker builds a checker on the fake clock and an in-memory store
// unless d says otherwise.
func newTestChecker(t testing.TB, cfg Config, d Deps) *Checker {
	t.Helper()
	if d.Store == nil {
		d.Store = &memStore{}
	}
	if d.Now == nil {
		d.Now = newClock().Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := New(cfg, d)
	require.NoError(t, err)
	return c
}

// healthOf returns one provider's entry of Providers.
func healthOf(t testing.TB, c *Checker, id pulse.Provider) pulse.ProviderHealth {
	t.Helper()
	services, err := c.Providers(context.Background())
	require.NoError(t, err)
	for _, s := range services {
		if s.Provider == id {
			return s
		}
	}
	require.FailNow(t, "service not listed", "%s", id)
	return pulse.ProviderHealth{}
}

// refusedURL is the address of a listener that was closed: nothing accepts there.
func refusedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// Answers shared by the outcome tests.

func answerStatus(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

// answerHang holds the request until the client gives up.
func answerHang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func answerGarbage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, "<html><body>Welcome to nginx!</body></html>")
}
