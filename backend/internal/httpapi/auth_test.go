package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

var metricRoutes = []string{
	"/api/admin/metrics/current",
	"/api/admin/metrics/sessions",
	"/api/admin/metrics/errors",
	"/api/admin/metrics/external-services",
}

func TestRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		super := h.mustAdmin("super@example.org", pulse.RoleSuperAdmin)
		monitor := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		content := h.mustAdmin("content@example.org", pulse.RoleContentManager)
		sign := func(m jwt.SigningMethod, key any, claims jwt.MapClaims) string {
			s, err := jwt.NewWithClaims(m, claims).SignedString(key)
			require.NoError(t, err)
			return s
		}
		claims := func(exp time.Time) jwt.MapClaims {
			return jwt.MapClaims{"iss": "pulse", "sub": "1", "role": "SUPER_ADMIN", "email": "super@example.org", "exp": exp.Unix()}
		}
		cases := []struct {
			name    string
			headers []string
			status  int
			code    string
		}{
			{"SuperAdminOK", []string{"Authorization", "Bearer " + super}, 200, ""},
			{"SystemMonitorOK", []string{"Authorization", "Bearer " + monitor}, 200, ""},
			{"SystemMonitorByCookieOK", []string{"Cookie", "admin_token=" + monitor}, 200, ""},
			{"ContentManagerForbidden", []string{"Authorization", "Bearer " + content}, 403, pulse.EFORBIDDEN},
			{"ContentManagerByCookieForbidden", []string{"Cookie", "admin_token=" + content}, 403, pulse.EFORBIDDEN},
			{"NoToken", nil, 401, pulse.EUNAUTHORIZED},
			{"Malformed", []string{"Authorization", "Bearer not-a-token"}, 401, pulse.EUNAUTHORIZED},
			{"NotBearer", []string{"Authorization", "Basic " + super}, 401, pulse.EUNAUTHORIZED},
			{"Tampered", []string{"Authorization", "Bearer " + tamper(super)}, 401, pulse.EUNAUTHORIZED},
			{"AlgNone", []string{"Authorization", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(time.Now().Add(time.Hour)))}, 401, pulse.EUNAUTHORIZED},
			{"Expired", []string{"Authorization", "Bearer " + sign(jwt.SigningMethodHS256, jwtSecret, claims(time.Now().Add(-time.Second)))}, 401, pulse.EUNAUTHORIZED},
			{"OtherSecret", []string{"Authorization", "Bearer " + sign(jwt.SigningMethodHS256, []byte("some-other-secret-some-other-secret"), claims(time.Now().Add(time.Hour)))}, 401, pulse.EUNAUTHORIZED},
		}
		for _, route := range metricRoutes {
			for _, tc := range cases {
				t.Run(strings.TrimPrefix(route, "/api/admin/metrics/")+"/"+tc.name, func(t *testing.T) {
					r := h.do(http.MethodGet, route, "", tc.headers...)
					require.Equal(t, tc.status, r.Code, r.Body.String())
					if tc.code != "" {
						assert.Equal(t, tc.code, r.errorCode(t))
					}
				})
			}
		}
	})
}

func tamper(token string) string {
	parts := strings.Split(token, ".")
	// Same signature, claims rewritten to a role the bearer does not have.
	parts[1] = strings.Replace(parts[1], parts[1][:4], "eyJy", 1)
	return strings.Join(parts, ".")
}

func TestLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, func(d *httpapi.Deps) { d.LoginRatePerMinute = 5; d.CookieSecure = true })
		h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

		t.Run("OK", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"Monitor@Example.org","password":"`+testPassword+`"}`)
			require.Equal(t, http.StatusOK, r.Code, r.Body.String())
			body := r.json(t)
			assert.Equal(t, map[string]any{"email": "monitor@example.org", "role": "SYSTEM_MONITOR"}, body["admin"])
			assert.NotEmpty(t, body["expires_at"])
			cookie := r.Result().Cookies()[0]
			assert.Equal(t, "admin_token", cookie.Name)
			assert.True(t, cookie.HttpOnly)
			assert.True(t, cookie.Secure)
			assert.Equal(t, http.SameSiteStrictMode, cookie.SameSite)
			assert.Equal(t, "/", cookie.Path)

			me := h.do(http.MethodGet, "/api/admin/auth/me", "", "Cookie", "admin_token="+cookie.Value)
			require.Equal(t, http.StatusOK, me.Code)
			assert.Equal(t, "SYSTEM_MONITOR", me.json(t)["admin"].(map[string]any)["role"])
		})
		t.Run("WrongPasswordAndUnknownEmailLookAlike", func(t *testing.T) {
			wrong := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"monitor@example.org","password":"not the password"}`)
			unknown := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"nobody@example.org","password":"not the password"}`)
			assert.Equal(t, http.StatusUnauthorized, wrong.Code)
			assert.Equal(t, wrong.Body.String(), unknown.Body.String())
			assert.Equal(t, pulse.EUNAUTHORIZED, wrong.errorCode(t))
		})
		t.Run("MalformedJSON", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/admin/auth/login", `{"email":`)
			assert.Equal(t, http.StatusBadRequest, r.Code)
			assert.Equal(t, pulse.EMALFORMED, r.errorCode(t))
		})
		t.Run("Logout", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/admin/auth/logout", "{}")
			assert.Equal(t, http.StatusNoContent, r.Code)
			c := r.Result().Cookies()[0]
			assert.Equal(t, "admin_token", c.Name)
			assert.Empty(t, c.Value)
			assert.Negative(t, c.MaxAge)
		})
		t.Run("MeWithoutToken", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, h.do(http.MethodGet, "/api/admin/auth/me", "").Code)
		})
		t.Run("TooManyAttempts", func(t *testing.T) {
			var last response
			for range 10 {
				last = h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"monitor@example.org","password":"guess guess guess"}`)
			}
			assert.Equal(t, http.StatusTooManyRequests, last.Code)
			assert.Equal(t, pulse.ERATELIMITED, last.errorCode(t))
		})
	})
}

func TestLoginLimitIgnoresForgedForwardedFor(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) { d.LoginRatePerMinute = 3 })
	var last response
	for i := range 6 {
		last = h.do(http.MethodPost, "/api/admin/auth/login", `{"email":"x@example.org","password":"guess guess guess"}`,
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
	}
	assert.Equal(t, http.StatusTooManyRequests, last.Code, "a client cannot pose as many by sending the header")
}
