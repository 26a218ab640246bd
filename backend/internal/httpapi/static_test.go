package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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

// writeBuild lays out a dashboard build as the frontend makes it: index.html
// and hashed assets, each text file with .gz and .br copies beside it.
func writeBuild(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		if filepath.Ext(name) == ".svg" {
			continue // the favicon: too small to compress
		}
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		_, err := w.Write([]byte(content))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		require.NoError(t, os.WriteFile(p+".gz", gz.Bytes(), 0o644))
		// The server sends the stored bytes as they are; a marker stands in for brotli.
		require.NoError(t, os.WriteFile(p+".br", []byte("brotli:"+content), 0o644))
	}
	return dir
}

func gunzip(t *testing.T, body []byte) string {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(body))
	require.NoError(t, err)
	plain, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(plain)
}

func TestDashboardCompressionAndCaching(t *testing.T) {
	const js, html = "console.log('pulse')", "<div id=root></div>"
	dir := writeBuild(t, map[string]string{
		"index.html":           html,
		"assets/index-Ab12.js": js,
		"favicon.svg":          "<svg></svg>",
	})
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) { d.StaticDir = dir })

	const immutable, revalidate = "public, max-age=31536000, immutable", "no-cache"
	tests := []struct {
		name, path, acceptEncoding string
		encoding, cacheControl     string
		contentType                string
		vary                       bool
		body                       string
	}{
		{"GzipWhenAccepted", "/assets/index-Ab12.js", "gzip", "gzip", immutable, "text/javascript", true, js},
		{"BrotliPreferredOverGzip", "/assets/index-Ab12.js", "gzip, deflate, br", "br", immutable, "text/javascript", true, "brotli:" + js},
		{"GzipWhenBrotliRefused", "/assets/index-Ab12.js", "br;q=0, gzip;q=0.5", "gzip", immutable, "text/javascript", true, js},
		{"GzipThroughAWildcard", "/assets/index-Ab12.js", "br;q=0, *", "gzip", immutable, "text/javascript", true, js},
		{"IdentityWithoutAcceptEncoding", "/assets/index-Ab12.js", "", "", immutable, "text/javascript", true, js},
		{"IdentityWhenOnlyOthersAccepted", "/assets/index-Ab12.js", "deflate, gzip;q=0", "", immutable, "text/javascript", true, js},
		{"SPARouteIsIndexRevalidated", "/admin/dashboard", "gzip", "gzip", revalidate, "text/html", true, html},
		{"RootIsIndexRevalidated", "/", "br", "br", revalidate, "text/html", true, "brotli:" + html},
		{"IndexByNameRevalidated", "/index.html", "", "", revalidate, "text/html", true, html},
		{"UncompressedFileHasNoVary", "/favicon.svg", "gzip, br", "", revalidate, "image/svg+xml", false, "<svg></svg>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do(http.MethodGet, tt.path, "", "Accept-Encoding", tt.acceptEncoding)
			require.Equal(t, http.StatusOK, r.Code)
			assert.Equal(t, tt.encoding, r.Header().Get("Content-Encoding"))
			assert.Equal(t, tt.cacheControl, r.Header().Get("Cache-Control"))
			assert.Contains(t, r.Header().Get("Content-Type"), tt.contentType)
			if tt.vary {
				assert.Equal(t, "Accept-Encoding", r.Header().Get("Vary"))
			} else {
				assert.Empty(t, r.Header().Get("Vary"))
			}
			body := r.Body.Bytes()
			if tt.encoding == "gzip" {
				assert.Equal(t, tt.body, gunzip(t, body))
			} else {
				assert.Equal(t, tt.body, string(body))
			}
			assert.Equal(t, strconv.Itoa(len(body)), r.Header().Get("Content-Length"))
		})
	}

	t.Run("MissingAssetIs404AndNotCached", func(t *testing.T) {
		r := h.do(http.MethodGet, "/assets/index-0ld.js", "", "Accept-Encoding", "gzip")
		assert.Equal(t, http.StatusNotFound, r.Code)
		assert.NotContains(t, r.Body.String(), "id=root")
		assert.NotContains(t, r.Header().Get("Cache-Control"), "immutable")
		assert.Empty(t, r.Header().Get("Content-Encoding"))
	})
	t.Run("HeadHasTheHeadersWithoutABody", func(t *testing.T) {
		r := h.do(http.MethodHead, "/assets/index-Ab12.js", "", "Accept-Encoding", "gzip")
		assert.Equal(t, http.StatusOK, r.Code)
		assert.Equal(t, "gzip", r.Header().Get("Content-Encoding"))
		assert.Equal(t, immutable, r.Header().Get("Cache-Control"))
		assert.Empty(t, r.Body.String())
	})
	t.Run("APIAnswersAreNotTouched", func(t *testing.T) {
		r := h.do(http.MethodGet, "/api/nope", "", "Accept-Encoding", "gzip")
		assert.Equal(t, http.StatusNotFound, r.Code)
		assert.Empty(t, r.Header().Get("Content-Encoding"))
		assert.Empty(t, r.Header().Get("Cache-Control"))
	})
}
