package httpapi_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/qualityjs"
	"pulse/internal/store/storetest"
)

func TestQualityReporterScript(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	noDashboard := newHarness(t, db)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<div id=root></div>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pulse-quality.js"), []byte("stale copy"), 0o644))
	withDashboard := newHarness(t, db, func(d *httpapi.Deps) { d.StaticDir = dir })

	files := []struct {
		path, marker string
		body         []byte
	}{
		{"/pulse-quality.js", "var PulseQuality=", qualityjs.Script},
		{"/pulse-quality.mjs", "export{", qualityjs.Module},
	}
	for _, f := range files {
		t.Run(f.path, func(t *testing.T) {
			t.Run("ServedWithoutTheDashboard", func(t *testing.T) {
				r := noDashboard.do(http.MethodGet, f.path, "")
				require.Equal(t, http.StatusOK, r.Code)
				assert.Equal(t, "text/javascript; charset=utf-8", r.Header().Get("Content-Type"))
				assert.Equal(t, "public, max-age=300", r.Header().Get("Cache-Control"))
				assert.Equal(t, "*", r.Header().Get("Access-Control-Allow-Origin"), "call pages on other origins load it")
				assert.Equal(t, "cross-origin", r.Header().Get("Cross-Origin-Resource-Policy"))
				assert.Equal(t, "nosniff", r.Header().Get("X-Content-Type-Options"))
				assert.NotEmpty(t, r.Header().Get("ETag"))
				assert.Equal(t, f.body, r.Body.Bytes())
			})
			t.Run("IsTheReporterBuild", func(t *testing.T) {
				body := noDashboard.do(http.MethodGet, f.path, "").Body.String()
				assert.Contains(t, body, f.marker)
				assert.Contains(t, body, "reportLiveKitQuality")
				assert.Contains(t, body, "reportDailyQuality")
				assert.Contains(t, body, "connectionQualityChanged")
				assert.Contains(t, body, "network-quality-change")
			})
			t.Run("EmbeddedCopyWinsOverTheDashboardFolder", func(t *testing.T) {
				r := withDashboard.do(http.MethodGet, f.path, "")
				require.Equal(t, http.StatusOK, r.Code)
				assert.Equal(t, f.body, r.Body.Bytes())
			})
			t.Run("NotModifiedForItsETag", func(t *testing.T) {
				etag := noDashboard.do(http.MethodGet, f.path, "").Header().Get("ETag")
				r := noDashboard.do(http.MethodGet, f.path, "", "If-None-Match", etag)
				assert.Equal(t, http.StatusNotModified, r.Code)
				assert.Empty(t, r.Body.Bytes())
				assert.Equal(t, "*", r.Header().Get("Access-Control-Allow-Origin"))
			})
			t.Run("OtherETagGetsTheScript", func(t *testing.T) {
				r := noDashboard.do(http.MethodGet, f.path, "", "If-None-Match", `"0ld"`)
				assert.Equal(t, http.StatusOK, r.Code)
				assert.Equal(t, f.body, r.Body.Bytes())
			})
		})
	}
	t.Run("ScriptAndModuleDiffer", func(t *testing.T) {
		a := noDashboard.do(http.MethodGet, "/pulse-quality.js", "").Header().Get("ETag")
		b := noDashboard.do(http.MethodGet, "/pulse-quality.mjs", "").Header().Get("ETag")
		assert.NotEqual(t, a, b)
	})
}
