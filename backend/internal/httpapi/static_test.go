package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store/storetest"
)

func TestDashboardAndDocsServing(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<div id=root></div>"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "assets", "app.js"), []byte("console.log(1)"), 0o644))
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) { d.StaticDir = dir })

	t.Run("SPARoutesGetIndex", func(t *testing.T) {
		for _, p := range []string{"/", "/login", "/admin/dashboard"} {
			r := h.do(http.MethodGet, p, "")
			assert.Equal(t, http.StatusOK, r.Code, p)
			assert.Contains(t, r.Body.String(), "id=root", p)
		}
	})
	t.Run("AssetsAreServed", func(t *testing.T) {
		r := h.do(http.MethodGet, "/assets/app.js", "")
		assert.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, "console.log(1)", r.Body.String())
	})
	t.Run("MissingAssetIs404NotIndex", func(t *testing.T) {
		r := h.do(http.MethodGet, "/assets/app-0ld.js", "")
		assert.Equal(t, http.StatusNotFound, r.Code)
		assert.NotContains(t, r.Body.String(), "id=root")
	})
	t.Run("UnknownAPIPathIsAJSON404NotTheSPA", func(t *testing.T) {
		r := h.do(http.MethodGet, "/api/nope", "")
		assert.Equal(t, http.StatusNotFound, r.Code)
		assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
	})
	t.Run("SwaggerUI", func(t *testing.T) {
		r := h.do(http.MethodGet, "/swagger/index.html", "")
		assert.Equal(t, http.StatusOK, r.Code)
		assert.Contains(t, r.Body.String(), "swagger")
		doc := h.do(http.MethodGet, "/swagger/doc.json", "")
		assert.Equal(t, http.StatusOK, doc.Code)
		assert.Contains(t, doc.Body.String(), "/api/admin/metrics/current")
		assert.Contains(t, doc.Body.String(), `"openapi": "3.`, "the OpenAPI 3 document, not the Swagger 2.0 one")
	})
}
