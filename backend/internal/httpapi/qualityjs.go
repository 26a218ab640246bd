package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"

	"github.com/labstack/echo/v4"

	"pulse/internal/qualityjs"
)

// scriptAsset is an embedded script with its validator, computed once.
type scriptAsset struct {
	body []byte
	etag string
}

func newScriptAsset(body []byte) scriptAsset {
	sum := sha256.Sum256(body)
	return scriptAsset{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

var (
	qualityScript = newScriptAsset(qualityjs.Script)
	qualityModule = newScriptAsset(qualityjs.Module)
)

// qualityReporterScript serves the browser quality reporter as a classic
// script (the global PulseQuality) and qualityReporterModule as an ES module;
// both are embedded, so they are served with or without the dashboard.
func (s *Server) qualityReporterScript(c echo.Context) error { return serveScript(c, qualityScript) }

func (s *Server) qualityReporterModule(c echo.Context) error { return serveScript(c, qualityModule) }

// serveScript answers for a file that call pages on other origins load: any
// origin may read it (an ES module import or a crossorigin script needs CORS;
// a page isolated with COEP needs the resource policy), and caches keep it
// five minutes, so a new release reaches open call pages soon.
func serveScript(c echo.Context, a scriptAsset) error {
	h := c.Response().Header()
	h.Set(echo.HeaderAccessControlAllowOrigin, "*")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set(echo.HeaderCacheControl, "public, max-age=300")
	h.Set("ETag", a.etag)
	if c.Request().Header.Get("If-None-Match") == a.etag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", a.body)
}
