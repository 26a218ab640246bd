package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

const (
	loginPath  = "/api/admin/auth/login"
	logoutPath = "/api/admin/auth/logout"
)

// attemptSignIn posts a login from a client address with the given headers (which
// replace the default Content-Type: application/json when they set one).
func (h *harness) attemptSignIn(remote, email, password string, headers ...string) response {
	h.t.Helper()
	return h.post(remote, loginPath, `{"email":"`+email+`","password":"`+password+`"}`, headers...)
}

func (h *harness) post(remote, path, body string, headers ...string) response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return response{rec}
}

func TestSignInRefusesCrossSiteUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, func(d *httpapi.Deps) {
			d.LoginRatePerMinute = 1000
			d.AllowedOrigins = []string{"https://dashboard.example.org"}
		})
		h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		// httptest requests are for Host example.com.
		for _, tc := range []struct {
			name    string
			path    string
			headers []string
			status  int
			code    string
		}{
			{"LoginJSON", loginPath, nil, 200, ""},
			{"LoginJSONWithCharset", loginPath, []string{"Content-Type", "application/json; charset=utf-8"}, 200, ""},
			{"LoginFromOwnOrigin", loginPath, []string{"Origin", "http://example.com"}, 200, ""},
			{"LoginMarkedSameOrigin", loginPath, []string{"Origin", "https://example.com", "Sec-Fetch-Site", "same-origin"}, 200, ""},
			{"LoginFromAllowedOrigin", loginPath, []string{"Origin", "https://dashboard.example.org"}, 200, ""},
			{"LoginTextPlainUnsupported", loginPath, []string{"Content-Type", "text/plain"}, 415, pulse.EMEDIATYPE},
			{"LoginFormUnsupported", loginPath, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, pulse.EMEDIATYPE},
			{"LoginWithoutContentTypeUnsupported", loginPath, []string{"Content-Type", ""}, 415, pulse.EMEDIATYPE},
			{"LoginFromForeignOriginForbidden", loginPath, []string{"Origin", "https://evil.example"}, 403, pulse.EFORBIDDEN},
			{"LoginTextPlainFromForeignOriginForbidden", loginPath, []string{"Origin", "https://evil.example", "Content-Type", "text/plain"}, 403, pulse.EFORBIDDEN},
			{"LoginFromNullOriginForbidden", loginPath, []string{"Origin", "null"}, 403, pulse.EFORBIDDEN},
			{"LoginMarkedCrossSiteForbidden", loginPath, []string{"Sec-Fetch-Site", "cross-site"}, 403, pulse.EFORBIDDEN},
			{"LoginFromSiblingSubdomainForbidden", loginPath, []string{"Origin", "https://www.example.com", "Sec-Fetch-Site", "same-site"}, 403, pulse.EFORBIDDEN},
			{"LogoutJSON", logoutPath, nil, 204, ""},
			{"LogoutFromOwnOrigin", logoutPath, []string{"Origin", "http://example.com"}, 204, ""},
			{"LogoutTextPlainUnsupported", logoutPath, []string{"Content-Type", "text/plain"}, 415, pulse.EMEDIATYPE},
			{"LogoutFromForeignOriginForbidden", logoutPath, []string{"Origin", "https://evil.example"}, 403, pulse.EFORBIDDEN},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := `{"email":"monitor@example.org","password":"` + testPassword + `"}`
				if tc.path == logoutPath {
					body = `{}`
				}
				r := h.post("192.0.2.1:1234", tc.path, body, tc.headers...)
				require.Equal(t, tc.status, r.Code, r.Body.String())
				if tc.code == "" {
					require.NotEmpty(t, r.Result().Cookies(), "the cookie is set or cleared")
					return
				}
				assert.Equal(t, tc.code, r.errorCode(t))
				assert.Empty(t, r.Result().Cookies(), "a refused request touches no cookie")
			})
		}
	})
}

func TestSignInBacksOffPerAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, func(d *httpapi.Deps) {
			d.LoginRatePerMinute = 1000 // the per-address limit is not under test
			d.LoginFreeFailures = 3
			d.LoginBackoffMax = 8 * time.Second
		})
		h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		const wrong = "not the password"
		addresses := []string{"192.0.2.1:1", "198.51.100.7:2", "[2001:db8::1]:3"}
		// Each step happens `after` the previous one, from the next address in
		// turn: the account is throttled, not the address.
		for i, step := range []struct {
			name       string
			after      time.Duration
			email      string
			password   string
			status     int
			retryAfter string
		}{
			{"FirstFailureIsFree", 0, "monitor@example.org", wrong, 401, ""},
			{"SecondFailureIsFree", 0, "monitor@example.org", wrong, 401, ""},
			{"ThirdFailureIsFree", 0, "monitor@example.org", wrong, 401, ""},
			{"ThenWaitOneSecond", 0, "monitor@example.org", wrong, 429, "1"},
			{"EvenWithTheRightPassword", 0, "Monitor@Example.org", testPassword, 429, "1"},
			{"AfterOneSecondATry", time.Second, "monitor@example.org", wrong, 401, ""},
			{"ThenWaitTwoSeconds", 0, "monitor@example.org", wrong, 429, "2"},
			{"StillWaitingOneSecond", time.Second, "monitor@example.org", wrong, 429, "1"},
			{"AfterTwoSecondsATry", time.Second, "monitor@example.org", wrong, 401, ""},
			{"ThenWaitFourSeconds", 0, "monitor@example.org", wrong, 429, "4"},
			{"AfterFourSecondsATry", 4 * time.Second, "monitor@example.org", wrong, 401, ""},
			{"ThenWaitEightSeconds", 0, "monitor@example.org", wrong, 429, "8"},
			{"AfterEightSecondsATry", 8 * time.Second, "monitor@example.org", wrong, 401, ""},
			{"TheWaitIsCapped", 0, "monitor@example.org", wrong, 429, "8"},
			{"OtherAccountsAreNotThrottled", 0, "content@example.org", wrong, 401, ""},
			{"AfterTheWaitTheRightPasswordWorks", 8 * time.Second, "monitor@example.org", testPassword, 200, ""},
			{"SuccessStartsAfresh", 0, "monitor@example.org", wrong, 401, ""},
			{"SuccessStartsAfreshTwice", 0, "monitor@example.org", wrong, 401, ""},
		} {
			t.Run(step.name, func(t *testing.T) {
				h.clock.Advance(step.after)
				r := h.attemptSignIn(addresses[i%len(addresses)], step.email, step.password)
				require.Equal(t, step.status, r.Code, r.Body.String())
				assert.Equal(t, step.retryAfter, r.Header().Get("Retry-After"))
				if step.status == http.StatusTooManyRequests {
					assert.Equal(t, pulse.ERATELIMITED, r.errorCode(t))
				}
			})
		}
	})
}

func TestSignInThrottlesUnknownEmailsAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, func(d *httpapi.Deps) { d.LoginRatePerMinute = 1000; d.LoginFreeFailures = 1 })
		h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		var known, unknown response
		for range 2 {
			known = h.attemptSignIn("192.0.2.1:1", "monitor@example.org", "not the password")
			unknown = h.attemptSignIn("192.0.2.1:1", "nobody@example.org", "not the password")
		}
		require.Equal(t, http.StatusTooManyRequests, known.Code)
		assert.Equal(t, known.Code, unknown.Code)
		assert.Equal(t, known.Header().Get("Retry-After"), unknown.Header().Get("Retry-After"))
		assert.Equal(t, known.Body.String(), unknown.Body.String(), "the answer does not tell whether the account exists")
	})
}

func TestSignInLimitPerAddress(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	for _, tc := range []struct {
		name      string
		spent     []string // addresses that use up the budget of 2
		next      string
		throttled bool
	}{
		{"IPv6SameSlash64SharesABudget", []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:1"}, "[2001:db8:1:2:abcd::1]:1", true},
		{"IPv6OtherSlash64HasItsOwn", []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2::2]:1"}, "[2001:db8:1:3::1]:1", false},
		{"IPv4MappedIsIPv4", []string{"[::ffff:192.0.2.1]:1", "192.0.2.1:2"}, "192.0.2.1:3", true},
		{"IPv4AddressesAreSeparate", []string{"192.0.2.1:1", "192.0.2.1:2"}, "192.0.2.2:1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, db, func(d *httpapi.Deps) { d.LoginRatePerMinute = 2 })
			for i, remote := range tc.spent {
				// A different unknown email each time: the account throttle stays out of it.
				r := h.attemptSignIn(remote, "spent"+string(rune('a'+i))+"@example.org", "guess guess guess")
				require.Equal(t, http.StatusUnauthorized, r.Code, r.Body.String())
			}
			r := h.attemptSignIn(tc.next, "next@example.org", "guess guess guess")
			if tc.throttled {
				assert.Equal(t, http.StatusTooManyRequests, r.Code)
				assert.Equal(t, pulse.ERATELIMITED, r.errorCode(t))
			} else {
				assert.Equal(t, http.StatusUnauthorized, r.Code)
			}
		})
	}
}

// Two replicas behind a load balancer are two servers on one database: the
// failures one of them saw make the other wait.
func TestSignInBackoffIsSharedByReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		threeFree := func(d *httpapi.Deps) { d.LoginRatePerMinute = 1000; d.LoginFreeFailures = 3 }
		first, second := newHarness(t, db, threeFree), newHarness(t, db, threeFree)
		first.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		for range 3 {
			require.Equal(t, http.StatusUnauthorized, first.attemptSignIn("192.0.2.1:1", "monitor@example.org", "not the password").Code)
		}

		r := second.attemptSignIn("198.51.100.7:2", "monitor@example.org", testPassword)
		require.Equal(t, http.StatusTooManyRequests, r.Code, r.Body.String())
		assert.Equal(t, "1", r.Header().Get("Retry-After"))
		assert.Equal(t, pulse.ERATELIMITED, r.errorCode(t))

		second.clock.Advance(time.Second)
		require.Equal(t, http.StatusOK, second.attemptSignIn("198.51.100.7:2", "monitor@example.org", testPassword).Code)
		assert.Equal(t, http.StatusUnauthorized, first.attemptSignIn("192.0.2.1:1", "monitor@example.org", "not the password").Code,
			"the success on one replica cleared the account for both")
	})
}
