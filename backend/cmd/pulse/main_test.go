package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/auth"
	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
)

// cli runs one verb as the binary would and returns its stdout and stderr.
func cli(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCLI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, dsn := e.Open(t)
			t.Setenv("PULSE_DATABASE_URL", dsn)
			ctx := context.Background()

			t.Run("AdminCreate", func(t *testing.T) {
				out, _, err := cli(t, "a-long-password\n", "admin", "create", "--email", "Ops@Example.org", "--role", "SYSTEM_MONITOR", "--password-stdin")
				require.NoError(t, err)
				assert.Contains(t, out, "ops@example.org")
				assert.NotContains(t, out, "a-long-password")
			})
			t.Run("AdminCreateTwiceConflicts", func(t *testing.T) {
				_, _, err := cli(t, "a-long-password\n", "admin", "create", "--email", "ops@example.org", "--role", "SUPER_ADMIN", "--password-stdin")
				assert.ErrorContains(t, err, "already exists")
			})
			t.Run("AdminCreateNeedsPasswordStdin", func(t *testing.T) {
				_, _, err := cli(t, "", "admin", "create", "--email", "x@example.org", "--role", "SUPER_ADMIN")
				assert.ErrorIs(t, err, errUsage)
			})
			t.Run("AdminCreateUnknownRole", func(t *testing.T) {
				_, _, err := cli(t, "a-long-password\n", "admin", "create", "--email", "x@example.org", "--role", "ROOT", "--password-stdin")
				assert.ErrorContains(t, err, "unknown role")
			})
			t.Run("APIKeyCreatePrintsTheKeyAlone", func(t *testing.T) {
				out, notes, err := cli(t, "", "apikey", "create", "--name", "video-gateway")
				require.NoError(t, err)
				key := strings.TrimSpace(out)
				assert.Regexp(t, `^pulse_[A-Za-z0-9_-]{43}$`, key)
				assert.NotContains(t, notes, key, "the key is printed once, on stdout")
			})
			t.Run("AdminSetRole", func(t *testing.T) {
				out, _, err := cli(t, "", "admin", "set-role", "--email", "OPS@example.org", "--role", "CONTENT_MANAGER")
				require.NoError(t, err)
				assert.Contains(t, out, "ops@example.org now has role CONTENT_MANAGER")
				a, err := db.AdminByEmail(ctx, "ops@example.org")
				require.NoError(t, err)
				assert.Equal(t, pulse.RoleContentManager, a.Role)
			})
			t.Run("AdminSetRoleUnknownEmail", func(t *testing.T) {
				_, _, err := cli(t, "", "admin", "set-role", "--email", "nobody@example.org", "--role", "SUPER_ADMIN")
				assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
				assert.ErrorContains(t, err, "no admin with email nobody@example.org")
			})
			t.Run("AdminSetRoleUnknownRole", func(t *testing.T) {
				_, _, err := cli(t, "", "admin", "set-role", "--email", "ops@example.org", "--role", "ROOT")
				assert.ErrorContains(t, err, "unknown role")
			})
			t.Run("AdminDisableAndEnable", func(t *testing.T) {
				disabled := func() bool {
					a, err := db.AdminByEmail(ctx, "ops@example.org")
					require.NoError(t, err)
					return a.Disabled
				}
				out, _, err := cli(t, "", "admin", "disable", "--email", "ops@example.org")
				require.NoError(t, err)
				assert.Contains(t, out, "ops@example.org disabled")
				assert.True(t, disabled())
				out, _, err = cli(t, "", "admin", "disable", "--email", "ops@example.org")
				require.NoError(t, err, "disabling twice is not an error")
				assert.Contains(t, out, "already disabled")

				out, _, err = cli(t, "", "admin", "enable", "--email", "ops@example.org")
				require.NoError(t, err)
				assert.Contains(t, out, "ops@example.org enabled")
				assert.False(t, disabled())
				out, _, err = cli(t, "", "admin", "enable", "--email", "ops@example.org")
				require.NoError(t, err)
				assert.Contains(t, out, "already enabled")
			})
			t.Run("AdminDisableUnknownEmail", func(t *testing.T) {
				_, _, err := cli(t, "", "admin", "disable", "--email", "nobody@example.org")
				assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
			})
			t.Run("AdminDisableNeedsEmail", func(t *testing.T) {
				_, _, err := cli(t, "", "admin", "disable")
				assert.ErrorIs(t, err, errUsage)
			})
			t.Run("APIKeyListShowsNoSecret", func(t *testing.T) {
				keyOut, _, err := cli(t, "", "apikey", "create", "--name", "webhooks")
				require.NoError(t, err)
				secret := strings.TrimSpace(keyOut)
				out, _, err := cli(t, "", "apikey", "list")
				require.NoError(t, err)
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 3, out)
				assert.Regexp(t, `^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED$`, lines[0])
				assert.Regexp(t, `^1\s+video-gateway\s+pulse_\S{6}…\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+never\s+-$`, lines[1])
				assert.Contains(t, lines[2], "webhooks")
				assert.NotContains(t, out, secret)
				assert.NotContains(t, out, auth.HashAPIKey(secret))
			})
			t.Run("APIKeyRevoke", func(t *testing.T) {
				out, _, err := cli(t, "", "apikey", "revoke", "--name", "webhooks")
				require.NoError(t, err)
				assert.Contains(t, out, `API key "webhooks" (id 2) revoked`)
				list, _, err := cli(t, "", "apikey", "list")
				require.NoError(t, err)
				assert.Regexp(t, `webhooks .* \d\d:\d\d:\d\dZ\n`, list, "the revocation time is listed")

				out, _, err = cli(t, "", "apikey", "revoke", "--name", "webhooks")
				require.NoError(t, err, "revoking twice is not an error")
				assert.Contains(t, out, "already revoked on")
			})
			t.Run("APIKeyRevokeUnknown", func(t *testing.T) {
				_, _, err := cli(t, "", "apikey", "revoke", "--name", "nope")
				assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
				assert.ErrorContains(t, err, `no API key named "nope"`)
				_, _, err = cli(t, "", "apikey", "revoke", "--id", "99")
				assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
			})
			t.Run("APIKeyRevokeSharedNameNeedsID", func(t *testing.T) {
				for range 2 {
					_, _, err := cli(t, "", "apikey", "create", "--name", "twin")
					require.NoError(t, err)
				}
				_, _, err := cli(t, "", "apikey", "revoke", "--name", "twin")
				assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err))
				assert.ErrorContains(t, err, "ids 3, 4")
				out, _, err := cli(t, "", "apikey", "revoke", "--id", "4")
				require.NoError(t, err)
				assert.Contains(t, out, "(id 4) revoked")
				out, _, err = cli(t, "", "apikey", "revoke", "--name", "twin")
				require.NoError(t, err, "one active key left by that name")
				assert.Contains(t, out, "(id 3) revoked")
			})
			t.Run("APIKeyRevokeNeedsNameOrID", func(t *testing.T) {
				_, _, err := cli(t, "", "apikey", "revoke")
				assert.ErrorIs(t, err, errUsage)
				_, _, err = cli(t, "", "apikey", "revoke", "--name", "x", "--id", "1")
				assert.ErrorIs(t, err, errUsage)
			})
			t.Run("CategoryAdd", func(t *testing.T) {
				_, _, err := cli(t, "", "category", "add", "Peer", "Support")
				require.NoError(t, err)
				_, _, err = cli(t, "", "category", "add", "peer support")
				assert.ErrorContains(t, err, "already exists")
			})
			t.Run("UnknownVerb", func(t *testing.T) {
				_, _, err := cli(t, "", "frobnicate")
				assert.ErrorIs(t, err, errUsage)
			})
		})
	}
}

// switchFaults fails every ingestion request while it is on.
type switchFaults struct{ on atomic.Bool }

func (f *switchFaults) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if f.on.Load() {
			return pulse.Errorf(pulse.EUNAVAILABLE, "injected failure")
		}
		return next(c)
	}
}

// TestServeKeepsTelemetryAcrossRestart is the telemetry promise end to end: a
// burst of 5xx answers moves the error rate, and a restart loses none of the
// flushed history.
func TestServeKeepsTelemetryAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PULSE_DATABASE_URL", filepath.Join(dir, "pulse.db"))
	t.Setenv("PULSE_ADDR", "127.0.0.1:0")
	t.Setenv("PULSE_JWT_SECRET", strings.Repeat("s", 32))
	t.Setenv("PULSE_TELEMETRY_FLUSH_INTERVAL", "100ms")
	cfg, err := config.Load()
	require.NoError(t, err)
	_, _, err = cli(t, "a-long-password\n", "admin", "create", "--email", "m@example.org", "--role", "SYSTEM_MONITOR", "--password-stdin")
	require.NoError(t, err)
	keyOut, _, err := cli(t, "", "apikey", "create", "--name", "t")
	require.NoError(t, err)
	key := strings.TrimSpace(keyOut)

	faults := &switchFaults{}
	start := func() (string, func() error) {
		return startServe(t, cfg, serveOptions{ingest: []echo.MiddlewareFunc{faults.middleware}})
	}
	post := func(base, path, body string) int {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("X-API-Key", key)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	login := func(base string) string {
		res, err := http.Post(base+"/api/admin/auth/login", "application/json", strings.NewReader(`{"email":"m@example.org","password":"a-long-password"}`))
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		require.Equal(t, http.StatusOK, res.StatusCode)
		return res.Cookies()[0].Value
	}
	get := func(base, token, path string, v any) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		b, _ := io.ReadAll(res.Body)
		require.Equal(t, http.StatusOK, res.StatusCode, string(b))
		require.NoError(t, json.Unmarshal(b, v))
	}

	base, stop := start()
	for range 10 {
		require.Equal(t, http.StatusCreated, post(base, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`))
	}
	faults.on.Store(true)
	for range 5 {
		require.Equal(t, http.StatusServiceUnavailable, post(base, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`))
	}
	faults.on.Store(false)
	token := login(base)
	var cur struct {
		ErrorRate *float64 `json:"error_rate_last_hour"`
		Requests  *int64   `json:"requests_last_hour"`
		P95       *float64 `json:"api_response_time_p95"`
	}
	get(base, token, "/api/admin/metrics/current", &cur)
	require.NotNil(t, cur.ErrorRate)
	assert.EqualValues(t, 16, *cur.Requests, "10 created, 5 failed, 1 login")
	assert.InDelta(t, 5.0/16, *cur.ErrorRate, 0.0001)
	assert.Greater(t, *cur.P95, 0.0)

	require.NoError(t, stop())

	base, _ = start()
	token = login(base)
	var trend struct {
		Points []struct {
			Requests int64 `json:"requests"`
			Errors   int64 `json:"errors"`
		} `json:"points"`
	}
	get(base, token, "/api/admin/metrics/errors", &trend)
	require.Len(t, trend.Points, 24)
	var requests, errors int64
	for _, p := range trend.Points { // summed: the run may straddle an hour
		requests, errors = requests+p.Requests, errors+p.Errors
	}
	assert.EqualValues(t, 5, errors, "the failures before the restart are still counted")
	assert.GreaterOrEqual(t, requests, int64(17), "the first run's 16 requests and this run's login")
}

func TestCLIPrune(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, dsn := e.Open(t)
			t.Setenv("PULSE_DATABASE_URL", dsn)
			ctx, now := context.Background(), time.Now()
			newSession := func(started time.Time) pulse.Session {
				s, _, err := db.CreateSession(ctx, pulse.NewSession{Category: "Mental Health", Provider: pulse.ProviderDaily}, started)
				require.NoError(t, err)
				return s
			}
			old := newSession(now.Add(-100 * 24 * time.Hour)) // past the 90-day retention
			_, err := db.EndSession(ctx, old.ID, old.StartedAt.Add(time.Hour))
			require.NoError(t, err)
			newSession(now.Add(-5 * time.Hour)) // open, not seen for more than 4 h
			newSession(now.Add(-time.Hour))     // open and recent
			require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational, CheckedAt: now.Add(-31 * 24 * time.Hour)}))
			require.NoError(t, db.InsertProviderCheck(ctx, pulse.ProviderCheck{Provider: pulse.ProviderDaily, Status: pulse.StatusOperational, CheckedAt: now}))
			require.NoError(t, db.UpsertRollups(ctx, []pulse.Rollup{{Minute: now.Add(-8 * 24 * time.Hour).Truncate(time.Minute), Instance: "gone"}}))
			_, err = db.ApplyRoomEvent(ctx, pulse.RoomEvent{ID: "ev-old", Source: pulse.ProviderDaily, Kind: pulse.RoomEnded,
				RoomID: "m-old", DefaultCategory: "General"}, now.Add(-8*24*time.Hour)) // its id past the 7-day retention
			require.NoError(t, err)
			backoff := pulse.SignInBackoff{Free: 5, Max: time.Minute}
			_, _, err = db.BeginSignIn(ctx, "sprayed@example.org", backoff, now.Add(-2*time.Hour)) // quiet for over an hour
			require.NoError(t, err)
			_, _, err = db.BeginSignIn(ctx, "recent@example.org", backoff, now.Add(-time.Minute))
			require.NoError(t, err)

			t.Run("ReportsWhatItRemoved", func(t *testing.T) {
				out, _, err := cli(t, "", "prune")
				require.NoError(t, err)
				assert.Equal(t, "sessions: 1 deleted\nprovider_checks: 1 deleted\nrequest_rollups: 1 deleted\nprocessed_events: 1 deleted\nincidents: 0 deleted\nabandoned sessions ended: 1\nquality_minutes: 0 deleted\nseen_minutes: 3 deleted\nlogin_throttle: 1 deleted\n", out,
					"the three start minutes of the live count's rollup are more than an hour old")
			})
			t.Run("SecondRunRemovesNothing", func(t *testing.T) {
				out, _, err := cli(t, "", "prune")
				require.NoError(t, err)
				assert.Equal(t, "sessions: 0 deleted\nprovider_checks: 0 deleted\nrequest_rollups: 0 deleted\nprocessed_events: 0 deleted\nincidents: 0 deleted\nabandoned sessions ended: 0\nquality_minutes: 0 deleted\nseen_minutes: 0 deleted\nlogin_throttle: 0 deleted\n", out)
			})
			t.Run("ExtraArgumentsRefused", func(t *testing.T) {
				_, _, err := cli(t, "", "prune", "--now")
				assert.ErrorIs(t, err, errUsage)
			})
		})
	}
}

func TestCLISilence(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, dsn := e.Open(t)
			t.Setenv("PULSE_DATABASE_URL", dsn)
			ctx := context.Background()

			t.Run("AddOne", func(t *testing.T) {
				out, _, err := cli(t, "", "silence", "add", "--rule", "provider:livekit", "--for", "2h", "--reason", "LiveKit upgrade")
				require.NoError(t, err)
				assert.Regexp(t, `^silence 1: rule provider:livekit sends no notification until \S+ \S+Z \(incidents are still recorded\)\n$`, out)
				ss, err := db.ActiveSilences(ctx, time.Now())
				require.NoError(t, err)
				require.Len(t, ss, 1)
				assert.Equal(t, "LiveKit upgrade", ss[0].Reason)
				assert.True(t, strings.HasPrefix(ss[0].CreatedBy, "cli"))
				assert.WithinDuration(t, time.Now().Add(2*time.Hour), ss[0].EndsAt, time.Minute)
			})
			t.Run("AddAll", func(t *testing.T) {
				out, _, err := cli(t, "", "silence", "add", "--rule", "all", "--for", "30m", "--reason", "database failover")
				require.NoError(t, err)
				assert.Contains(t, out, "every alert rule")
			})
			t.Run("ListSoonestEndFirst", func(t *testing.T) {
				out, _, err := cli(t, "", "silence", "list")
				require.NoError(t, err)
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 3)
				assert.Regexp(t, `^ID\s+RULE\s+UNTIL\s+BY\s+REASON$`, lines[0])
				assert.Regexp(t, `^2\s+all\s+.*database failover$`, lines[1])
				assert.Regexp(t, `^1\s+provider:livekit\s+.*LiveKit upgrade$`, lines[2])
			})
			t.Run("Refused", func(t *testing.T) {
				for name, args := range map[string][]string{
					"UnknownRule": {"silence", "add", "--rule", "livekit", "--for", "1h", "--reason", "x"},
					"NoReason":    {"silence", "add", "--rule", "all", "--for", "1h"},
					"NoDuration":  {"silence", "add", "--rule", "all", "--reason", "x"},
					"TooLong":     {"silence", "add", "--rule", "all", "--for", "1000h", "--reason", "x"},
				} {
					_, _, err := cli(t, "", args...)
					assert.Error(t, err, name)
				}
			})
			t.Run("Remove", func(t *testing.T) {
				out, _, err := cli(t, "", "silence", "remove", "1")
				require.NoError(t, err)
				assert.Equal(t, "silence 1 removed: its rules notify again from the next evaluation\n", out)
				_, _, err = cli(t, "", "silence", "remove", "1")
				assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
				_, _, err = cli(t, "", "silence", "remove", "x")
				assert.ErrorIs(t, err, errUsage)
			})
		})
	}
}
