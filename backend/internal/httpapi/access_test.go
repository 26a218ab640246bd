package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/access"
	"pulse/internal/auth"
	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// signIn signs in through the API and returns the token from the cookie.
func (h *harness) signIn(email string) string {
	h.t.Helper()
	r := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"`+email+`","password":"`+testPassword+`"}`)
	require.Equal(h.t, http.StatusOK, r.Code, r.Body.String())
	return r.Result().Cookies()[0].Value
}

func (h *harness) roleOf(token string) string {
	h.t.Helper()
	r := h.admin("/api/admin/auth/me", token)
	require.Equal(h.t, http.StatusOK, r.Code, r.Body.String())
	return r.json(h.t)["admin"].(map[string]any)["role"].(string)
}

// TestAdminAccessFollowsTheDatabase: what an admin may do is what the
// database says now, to within access.MaxAge, not what their token said at
// sign-in.
func TestAdminAccessFollowsTheDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		const current = "/api/admin/metrics/current"

		t.Run("DemotedForbiddenWithinMaxAge", func(t *testing.T) {
			token := h.mustAdmin("demoted@example.org", pulse.RoleSuperAdmin)
			require.Equal(t, http.StatusOK, h.admin(current, token).Code)
			_, err := db.SetAdminRole(ctx, "demoted@example.org", pulse.RoleContentManager)
			require.NoError(t, err)

			h.clock.Advance(access.MaxAge)
			r := h.admin(current, token)
			assert.Equal(t, http.StatusForbidden, r.Code)
			assert.Equal(t, pulse.EFORBIDDEN, r.errorCode(t))
			assert.Equal(t, "CONTENT_MANAGER", h.roleOf(token), "/me reports the current role, not the token's")
		})
		t.Run("PromotedAllowedWithinMaxAge", func(t *testing.T) {
			token := h.mustAdmin("promoted@example.org", pulse.RoleContentManager)
			require.Equal(t, http.StatusForbidden, h.admin(current, token).Code)
			_, err := db.SetAdminRole(ctx, "promoted@example.org", pulse.RoleSystemMonitor)
			require.NoError(t, err)

			h.clock.Advance(access.MaxAge)
			assert.Equal(t, http.StatusOK, h.admin(current, token).Code)
			assert.Equal(t, "SYSTEM_MONITOR", h.roleOf(token))
		})
		t.Run("DeletedUnauthorized", func(t *testing.T) {
			token := h.mustAdmin("deleted@example.org", pulse.RoleSuperAdmin)
			require.Equal(t, http.StatusOK, h.admin(current, token).Code)
			a, err := db.AdminByEmail(ctx, "deleted@example.org")
			require.NoError(t, err)
			_, err = db.SQL().Exec(fmt.Sprintf("DELETE FROM admins WHERE id = %d", a.ID))
			require.NoError(t, err)

			h.clock.Advance(access.MaxAge)
			for _, path := range []string{current, "/api/admin/auth/me"} {
				r := h.admin(path, token)
				assert.Equal(t, http.StatusUnauthorized, r.Code, path)
				assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
			}
		})
		t.Run("DisabledCannotSignInAndItsTokenIsRefused", func(t *testing.T) {
			h.mustAdmin("disabled@example.org", pulse.RoleSystemMonitor)
			token := h.signIn("disabled@example.org")
			_, err := db.SetAdminDisabled(ctx, "disabled@example.org", true)
			require.NoError(t, err)

			login := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"disabled@example.org","password":"`+testPassword+`"}`)
			assert.Equal(t, http.StatusUnauthorized, login.Code)
			assert.Equal(t, pulse.EUNAUTHORIZED, login.errorCode(t))
			assert.Empty(t, login.Result().Cookies())
			wrong := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"disabled@example.org","password":"not the password"}`)
			assert.NotContains(t, wrong.Body.String(), "disabled", "only the password's owner learns the account is disabled")

			h.clock.Advance(access.MaxAge)
			for _, path := range []string{current, "/api/admin/auth/me"} {
				r := h.admin(path, token)
				assert.Equal(t, http.StatusUnauthorized, r.Code, path)
				assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
			}

			t.Run("EnabledWorksAgain", func(t *testing.T) {
				_, err := db.SetAdminDisabled(ctx, "disabled@example.org", false)
				require.NoError(t, err)
				h.signIn("disabled@example.org")
				h.clock.Advance(access.MaxAge)
				assert.Equal(t, http.StatusOK, h.admin(current, token).Code, "a token from before is good again")
			})
		})
	})
}

// TestLogoutRevokesTheToken: signing out ends the token itself, not only the
// cookie, so a copy of it stops working too: at once on the replica that
// signed out, within access.MaxAge on the others.
func TestLogoutRevokesTheToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		other := newHarness(t, db) // a second replica on the same database
		h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

		t.Run("BearerCopyUnauthorized", func(t *testing.T) {
			token := h.signIn("monitor@example.org")
			require.Equal(t, http.StatusOK, h.admin("/api/admin/auth/me", token).Code)
			require.Equal(t, http.StatusOK, other.admin("/api/admin/auth/me", token).Code)

			r := h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Authorization", "Bearer "+token)
			require.Equal(t, http.StatusNoContent, r.Code, r.Body.String())

			me := h.admin("/api/admin/auth/me", token)
			assert.Equal(t, http.StatusUnauthorized, me.Code, "refused at once where it was signed out")
			assert.Equal(t, pulse.EUNAUTHORIZED, me.errorCode(t))
			assert.Equal(t, http.StatusUnauthorized, h.admin("/api/admin/metrics/current", token).Code)

			other.clock.Advance(access.MaxAge)
			assert.Equal(t, http.StatusUnauthorized, other.admin("/api/admin/auth/me", token).Code, "and on every replica within MaxAge")
		})
		t.Run("ByCookie", func(t *testing.T) {
			token := h.signIn("monitor@example.org")
			r := h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Cookie", "admin_token="+token)
			require.Equal(t, http.StatusNoContent, r.Code)
			assert.Empty(t, r.Result().Cookies()[0].Value)
			assert.Equal(t, http.StatusUnauthorized, h.admin("/api/admin/auth/me", token).Code)
		})
		t.Run("OtherTokensOfTheAdminStillWork", func(t *testing.T) {
			laptop, phone := h.signIn("monitor@example.org"), h.signIn("monitor@example.org")
			require.Equal(t, http.StatusNoContent, h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Authorization", "Bearer "+laptop).Code)
			assert.Equal(t, http.StatusOK, h.admin("/api/admin/auth/me", phone).Code)
		})
		t.Run("TwiceIsFine", func(t *testing.T) {
			token := h.signIn("monitor@example.org")
			for range 2 {
				assert.Equal(t, http.StatusNoContent, h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Authorization", "Bearer "+token).Code)
			}
		})
	})
}

// TestAPIKeyLifeCycle: a revoked key is refused within access.MaxAge, and a
// key's last use is written about once a minute, not per request.
func TestAPIKeyLifeCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db)
		newKey := func(name string) (string, pulse.APIKey) {
			secret, prefix, hash, err := auth.NewAPIKey()
			require.NoError(t, err)
			k, err := db.CreateAPIKey(ctx, pulse.APIKey{Name: name, Prefix: prefix, Hash: hash})
			require.NoError(t, err)
			return secret, k
		}
		start := func(key string) response {
			return h.do(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`, "X-API-Key", key)
		}

		t.Run("RevokedUnauthorizedWithinMaxAge", func(t *testing.T) {
			secret, k := newKey("retired")
			require.Equal(t, http.StatusCreated, start(secret).Code)
			require.NoError(t, db.RevokeAPIKey(ctx, k.ID, h.clock.Now()))

			h.clock.Advance(access.MaxAge)
			r := start(secret)
			assert.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
			assert.Equal(t, http.StatusCreated, h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`).Code,
				"other keys are not affected")
		})
		t.Run("LastUsedAboutOnceAMinute", func(t *testing.T) {
			secret, k := newKey("busy")
			lastUsed := func() time.Time {
				keys, err := db.ListAPIKeys(ctx)
				require.NoError(t, err)
				for _, got := range keys {
					if got.ID == k.ID {
						return got.LastUsedAt
					}
				}
				t.Fatalf("key %d not listed", k.ID)
				return time.Time{}
			}
			assert.True(t, lastUsed().IsZero(), "never used")
			first := h.clock.Now()
			require.Equal(t, http.StatusCreated, start(secret).Code)
			assert.True(t, lastUsed().Equal(first))

			for range 5 {
				h.clock.Advance(10 * time.Second)
				require.Equal(t, http.StatusCreated, start(secret).Code)
			}
			assert.True(t, lastUsed().Equal(first), "no write per request")

			h.clock.Advance(10 * time.Second)
			require.Equal(t, http.StatusCreated, start(secret).Code)
			assert.True(t, lastUsed().Equal(first.Add(time.Minute)), "a minute later, written again")
		})
	})
}

// syncBuffer is a log sink tests can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAdminAccessDuringDatabaseOutage: while the database is down the
// dashboard stays usable on the last known state: the last answer about an
// admin however old, else the token's role (logged); sign-outs already seen
// stay refused; a sign-out that cannot be recorded says so and keeps the
// cookie.
func TestAdminAccessDuringDatabaseOutage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		logs := &syncBuffer{}
		h := newHarness(t, db, func(d *httpapi.Deps) { d.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
		other := newHarness(t, db)

		demoted := h.mustAdmin("demoted@example.org", pulse.RoleSuperAdmin)
		_, err := db.SetAdminRole(ctx, "demoted@example.org", pulse.RoleContentManager)
		require.NoError(t, err)
		require.Equal(t, http.StatusForbidden, h.admin("/api/admin/metrics/current", demoted).Code)
		unseen := h.mustAdmin("unseen@example.org", pulse.RoleSystemMonitor)
		h.mustAdmin("out@example.org", pulse.RoleSystemMonitor)
		signedOut := h.signIn("out@example.org")
		require.Equal(t, http.StatusNoContent, h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Authorization", "Bearer "+signedOut).Code)
		other.clock.Advance(access.MaxAge)
		require.Equal(t, http.StatusUnauthorized, other.admin("/api/admin/auth/me", signedOut).Code)
		stillIn := h.signIn("out@example.org")

		require.NoError(t, db.Close())
		h.clock.Advance(time.Hour)
		other.clock.Advance(time.Hour)

		t.Run("LastKnownRoleHoweverOld", func(t *testing.T) {
			assert.Equal(t, "CONTENT_MANAGER", h.roleOf(demoted), "not the SUPER_ADMIN its token says")
			assert.Equal(t, http.StatusForbidden, h.admin("/api/admin/metrics/current", demoted).Code)
		})
		t.Run("UnseenAdminGetsTheTokensRoleLogged", func(t *testing.T) {
			r := h.admin("/api/admin/metrics/current", unseen)
			require.Equal(t, http.StatusOK, r.Code, r.Body.String())
			assert.Equal(t, "critical", r.json(t)["system_health"])
			assert.Contains(t, logs.String(), "trusting the token's role")
		})
		t.Run("SignedOutStaysRefused", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, other.admin("/api/admin/auth/me", signedOut).Code)
		})
		t.Run("LogoutUnavailableKeepsTheCookie", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/admin/auth/logout", "{}", "Cookie", "admin_token="+stillIn)
			assert.Equal(t, http.StatusServiceUnavailable, r.Code)
			assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
			assert.Empty(t, r.Result().Cookies(), "the cookie stays, so that signing out can be retried")
		})
	})
}
