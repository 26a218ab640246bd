package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
)

// cspDirective returns the sources of one directive of a
// Content-Security-Policy, nil when it is absent.
func cspDirective(policy, name string) []string {
	for d := range strings.SplitSeq(policy, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 && fields[0] == name {
			return fields[1:]
		}
	}
	return nil
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<div id=root></div>"), 0o644))
	db, _ := storetest.MustOpenSQLite(t)

	for _, https := range []bool{false, true} {
		name := map[bool]string{false: "HTTP", true: "HTTPS"}[https]
		h := newHarness(t, db, func(d *httpapi.Deps) {
			d.StaticDir = dir
			d.BodyLimit = "1K"
			d.CookieSecure = https
		})
		token := h.mustAdmin(strings.ToLower(name)+"@example.org", pulse.RoleSystemMonitor)
		h.srv.Echo.GET("/api/test-panic", func(echo.Context) error { panic("boom") })

		for _, tc := range []struct {
			name, method, path, body string
			headers                  []string
			status                   int
			swagger                  bool
		}{
			{"JSON200", http.MethodGet, "/api/admin/auth/me", "", []string{"Authorization", "Bearer " + token}, 200, false},
			{"NotFound404", http.MethodGet, "/api/nope", "", nil, 404, false},
			{"WrongMethod405", http.MethodPut, "/api/admin/auth/login", "{}", nil, 405, false},
			{"TooLarge413", http.MethodPost, "/api/sessions", `{"category":"` + strings.Repeat("x", 2048) + `"}`, []string{"X-API-Key", h.apiKey}, 413, false},
			{"Unauthorized401", http.MethodGet, "/api/admin/metrics/current", "", nil, 401, false},
			{"Panic500", http.MethodGet, "/api/test-panic", "", nil, 500, false},
			{"DashboardIndex", http.MethodGet, "/admin/dashboard", "", nil, 200, false},
			{"Probe", http.MethodGet, "/healthz", "", nil, 200, false},
			{"SwaggerUI", http.MethodGet, "/swagger/index.html", "", nil, 200, true},
			{"SwaggerAsset", http.MethodGet, "/swagger/swagger-ui.css", "", nil, 200, true},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				r := h.do(tc.method, tc.path, tc.body, tc.headers...)
				require.Equal(t, tc.status, r.Code, r.Body.String())
				hd := r.Header()

				csp := hd.Get("Content-Security-Policy")
				assert.Equal(t, []string{"'none'"}, cspDirective(csp, "frame-ancestors"), csp)
				assert.Equal(t, []string{"'none'"}, cspDirective(csp, "object-src"), csp)
				assert.NotContains(t, cspDirective(csp, "script-src"), "'unsafe-inline'")
				assert.NotContains(t, cspDirective(csp, "script-src"), "'unsafe-eval'")
				if !tc.swagger {
					assert.Equal(t, []string{"'self'"}, cspDirective(csp, "script-src"), csp)
					assert.Equal(t, []string{"'self'"}, cspDirective(csp, "style-src"), csp)
				}
				assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"))
				assert.Equal(t, "DENY", hd.Get("X-Frame-Options"))
				assert.Equal(t, "no-referrer", hd.Get("Referrer-Policy"))
				assert.Empty(t, hd.Values("X-XSS-Protection"), "deprecated; it can do harm in old browsers")
				if https {
					assert.Equal(t, "max-age=31536000", hd.Get("Strict-Transport-Security"))
				} else {
					assert.Empty(t, hd.Values("Strict-Transport-Security"), "HSTS only when Pulse is reached over HTTPS")
				}
			})
		}
	}
}

// TestSwaggerUIRunsUnderItsCSP reads Swagger UI's page as a browser would
// and checks that its policy admits everything the page uses: each inline
// script by its hash, every script and stylesheet from the same origin, and
// that those files are there.
func TestSwaggerUIRunsUnderItsCSP(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db)
	r := h.do(http.MethodGet, "/swagger/index.html", "")
	require.Equal(t, http.StatusOK, r.Code)
	page := r.Body.String()
	csp := r.Header().Get("Content-Security-Policy")
	scriptSrc := cspDirective(csp, "script-src")

	inline := 0
	for _, m := range regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1) {
		if src := regexp.MustCompile(`src="([^"]+)"`).FindStringSubmatch(m[1]); src != nil {
			assert.True(t, strings.HasPrefix(src[1], "./"), "script %s is same-origin ('self')", src[1])
			asset := h.do(http.MethodGet, "/swagger/"+strings.TrimPrefix(src[1], "./"), "")
			assert.Equal(t, http.StatusOK, asset.Code, src[1])
			continue
		}
		inline++
		sum := sha256.Sum256([]byte(m[2]))
		assert.Contains(t, scriptSrc, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'", "the inline script that starts the UI")
	}
	assert.Positive(t, inline, "Swagger UI starts from an inline script")

	for _, m := range regexp.MustCompile(`<link rel="stylesheet"[^>]*href="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		assert.True(t, strings.HasPrefix(m[1], "./"), "stylesheet %s is same-origin", m[1])
	}
	if strings.Contains(page, "<style") || strings.Contains(page, "style=") {
		assert.Contains(t, cspDirective(csp, "style-src"), "'unsafe-inline'", "the page has an inline style block and style attributes")
	}
	// The stylesheet embeds its icons as data: URLs.
	assert.Contains(t, cspDirective(csp, "img-src"), "data:")
	// "Try it out" calls the API on the same origin.
	assert.Equal(t, []string{"'self'"}, cspDirective(csp, "connect-src"))
}

// TestDashboardFitsTheCSP checks the dashboard's page has nothing inline that
// the policy (script-src and style-src 'self') would block. Vite's build adds
// only external <script src> and <link> tags to it.
func TestDashboardFitsTheCSP(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "..", "frontend", "index.html"))
	if os.IsNotExist(err) {
		t.Skip("no frontend checked out")
	}
	require.NoError(t, err)
	for _, m := range regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(string(page), -1) {
		assert.Contains(t, m[1], "src=", "no inline script")
		assert.Empty(t, strings.TrimSpace(m[2]), "no inline script")
	}
	assert.NotContains(t, string(page), "<style", "no inline style block")
	assert.NotContains(t, string(page), "style=", "no style attribute")
}
