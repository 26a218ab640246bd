package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer the server's goroutines may write while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeProviders answers the three providers' checks on one local server and
// keeps every credential it was sent.
type fakeProviders struct {
	mu    sync.Mutex
	creds []string
}

func (f *fakeProviders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	for _, h := range []string{"Authorization", "X-Api-Key"} {
		if v := r.Header.Get(h); v != "" {
			f.creds = append(f.creds, strings.TrimPrefix(v, "Bearer "))
		}
	}
	f.mu.Unlock()
	switch r.URL.Path {
	case "/rooms": // Daily.co
		_, _ = io.WriteString(w, `{"total_count":0,"data":[]}`)
	case "/": // LiveKit's ping
		_, _ = io.WriteString(w, "OK")
	case "/twirp/livekit.RoomService/ListRooms":
		_, _ = io.WriteString(w, `{"rooms":[]}`)
	default: // Beyond Presence refuses its key: a status change with a detail is logged
		w.WriteHeader(http.StatusUnauthorized)
	}
}

func (f *fakeProviders) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.creds...)
}

// TestServeLogsNoSecrets captures everything a full run writes at debug
// level (the CLI verbs before it, start-up, provider checks, an admin login,
// ingestion, a failed login, shutdown) and looks for every credential in it.
func TestServeLogsNoSecrets(t *testing.T) {
	const (
		jwtSecret      = "jwt-secret-0123456789-0123456789-abcdef"
		adminPassword  = "admin-password-never-logged"
		dailyKey       = "daily-key-never-logged"
		liveKitKey     = "livekit-key-never-logged"
		liveKitSecret  = "livekit-secret-never-logged"
		beyKey         = "bey-key-never-logged"
		databasePasswd = "db-password-never-logged"
	)
	secrets := map[string]string{
		"JWTSecret": jwtSecret, "AdminPassword": adminPassword, "DailyKey": dailyKey,
		"LiveKitKey": liveKitKey, "LiveKitSecret": liveKitSecret, "BeyKey": beyKey,
	}
	if os.Getenv(storetest.EnvPostgres) != "" {
		// Trust authentication ignores the password; the DSN still carries it.
		_, dsn := storetest.MustOpenPostgres(t)
		t.Setenv("PULSE_DATABASE_URL", dsn+"&password="+databasePasswd)
		secrets["DatabasePassword"] = databasePasswd
	} else {
		t.Setenv("PULSE_DATABASE_URL", filepath.Join(t.TempDir(), "pulse.db"))
	}
	providers := &fakeProviders{}
	fake := httptest.NewServer(providers)
	defer fake.Close()
	for k, v := range map[string]string{
		"PULSE_ADDR": "127.0.0.1:0", "PULSE_LOG_LEVEL": "debug", "PULSE_JWT_SECRET": jwtSecret,
		"PULSE_TELEMETRY_FLUSH_INTERVAL": "50ms", "PULSE_CHECK_INTERVAL": "50ms",
		"PULSE_DAILY_API_URL": fake.URL, "PULSE_DAILY_API_KEY": dailyKey,
		"PULSE_LIVEKIT_URL": fake.URL, "PULSE_LIVEKIT_API_KEY": liveKitKey, "PULSE_LIVEKIT_API_SECRET": liveKitSecret,
		"PULSE_BEY_API_URL": fake.URL, "PULSE_BEY_API_KEY": beyKey,
	} {
		t.Setenv(k, v)
	}

	logs := &syncBuffer{}
	verb := func(stdin string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), args, strings.NewReader(stdin), &out, logs))
		return out.String()
	}
	verb("", "migrate")
	verb(adminPassword+"\n", "admin", "create", "--email", "ops@example.org", "--role", "SYSTEM_MONITOR", "--password-stdin")
	apiKey := strings.TrimSpace(verb("", "apikey", "create", "--name", "gateway"))
	require.NotEmpty(t, apiKey)
	secrets["APIKey"] = apiKey
	secrets["APIKeySecretPart"] = apiKey[len(apiKey)-20:] // the prefix alone may be logged

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), io.Discard, logs) }()
	var served error
	stop := sync.OnceFunc(func() { cancel(); served = <-done })
	defer stop()
	listening := regexp.MustCompile(`msg="pulse is listening" url=(http://127\.0\.0\.1:\d+)`)
	var base string
	require.Eventually(t, func() bool {
		m := listening.FindStringSubmatch(logs.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	}, 10*time.Second, 10*time.Millisecond, "serve did not start: %s", logs.String())

	send := func(method, path, body string, headers ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		require.NoError(t, res.Body.Close())
		return res
	}

	res := send(http.MethodPost, "/api/admin/auth/login", `{"email":"ops@example.org","password":"`+adminPassword+`"}`)
	require.Equal(t, http.StatusOK, res.StatusCode, logs.String())
	require.NotEmpty(t, res.Cookies())
	token := res.Cookies()[0].Value
	secrets["JWT"] = token
	secrets["JWTSignature"] = token[strings.LastIndex(token, ".")+1:]
	require.Equal(t, http.StatusOK, send(http.MethodGet, "/api/admin/metrics/current", "", "Authorization", "Bearer "+token).StatusCode)
	require.Equal(t, http.StatusOK, send(http.MethodGet, "/api/admin/auth/me", "", "Cookie", "admin_token="+token).StatusCode)

	res = send(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily","external_id":"room-1"}`, "X-API-Key", apiKey)
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/api/sessions", `{}`, "X-API-Key", apiKey+"x").StatusCode)

	require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/api/admin/auth/login",
		`{"email":"ops@example.org","password":"`+adminPassword+`-wrong"}`).StatusCode)

	// Every provider has been checked with its credentials, and telemetry flushed.
	require.Eventually(t, func() bool {
		seen := strings.Join(providers.seen(), " ")
		return strings.Contains(seen, dailyKey) && strings.Contains(seen, beyKey) && strings.Count(seen, ".") >= 2
	}, 10*time.Second, 10*time.Millisecond)
	for _, c := range providers.seen() {
		if c != dailyKey && c != beyKey {
			secrets["LiveKitAccessToken"] = c // signed with the LiveKit secret
		}
	}
	time.Sleep(200 * time.Millisecond) // a few flush and check intervals more

	stop()
	require.NoError(t, served, logs.String())

	out := logs.String()
	for _, want := range []string{"starting pulse", "database=", "status=401", "pulse stopped"} {
		require.Contains(t, out, want, "the capture must hold the whole run")
	}
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			assert.NotContains(t, out, secret)
		})
	}
}
