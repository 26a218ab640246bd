package httpapi

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Cache rules for the dashboard's files. Vite names everything under
// /assets/ after a hash of its content, so a name never changes meaning and
// browsers may keep it for good; everything else (index.html, which names the
// current assets, and the favicon) is checked with the server on every use.
const (
	cacheHashedAsset = "public, max-age=31536000, immutable"
	cacheRevalidate  = "no-cache"
)

// encodings the build stores beside each text file (frontend/vite.config.ts),
// in the order they are preferred: brotli is smaller than gzip.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// dashboard serves the built SPA from staticDir for every path the routes
// do not own: hashed assets cached for good, the rest revalidated, and each
// file in the compressed form the browser accepts when the build made one.
func (s *Server) dashboard() echo.MiddlewareFunc {
	roots := routeRoots(s.Echo.Routes())
	static := middleware.StaticWithConfig(middleware.StaticConfig{
		Root:  s.staticDir,
		HTML5: true, // unknown dashboard paths get index.html: the SPA routes them
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		serveStatic := static(next)
		return func(c echo.Context) error {
			if !s.isSPAPath(c.Request().URL.Path, roots) {
				return next(c)
			}
			if served, err := s.serveFile(c); served {
				return err
			}
			c.Response().Header().Set(echo.HeaderCacheControl, cacheRevalidate)
			return serveStatic(c)
		}
	}
}

// serveFile answers GET and HEAD for a file of the build (an SPA route is
// index.html) with its cache rule and, when the browser accepts one the
// build made, its compressed form. It reports false to leave the request
// to Echo's static middleware (other methods, paths that are not clean,
// directories), which serves files as they are.
func (s *Server) serveFile(c echo.Context) (bool, error) {
	req := c.Request()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return false, nil
	}
	p := req.URL.Path
	if req.URL.RawPath != "" || path.Clean(p) != p {
		return false, nil
	}
	name := p
	if !s.isStaticFile(name) && path.Ext(p) == "" {
		name = "/index.html"
	}
	if !s.isStaticFile(name) {
		return false, nil
	}

	h := c.Response().Header()
	if strings.HasPrefix(name, "/assets/") {
		h.Set(echo.HeaderCacheControl, cacheHashedAsset)
	} else {
		h.Set(echo.HeaderCacheControl, cacheRevalidate)
	}
	file := name
	for _, enc := range encodings {
		if !s.isStaticFile(name + enc.ext) {
			continue
		}
		// Some form of this file is compressed: caches must key on the header.
		h.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
		if file == name && accepts(req.Header.Get(echo.HeaderAcceptEncoding), enc.name) {
			file = name + enc.ext
			h.Set(echo.HeaderContentEncoding, enc.name)
		}
	}

	f, err := os.Open(filepath.Join(s.staticDir, filepath.FromSlash(file)))
	if err != nil {
		return true, err
	}
	defer func() { _ = f.Close() }()
	stat, err := f.Stat()
	if err != nil {
		return true, err
	}
	if file != name {
		// ServeContent leaves the length of an encoded body out, which would send it
		// chunked; and ranges of a compressed body are not worth serving.
		h.Set(echo.HeaderContentLength, strconv.FormatInt(stat.Size(), 10))
		req = req.Clone(req.Context())
		req.Header.Del("Range")
	}
	// The type of the file, not of its compressed copy: ServeContent reads it from name.
	http.ServeContent(c.Response(), req, name, stat.ModTime(), f)
	return true, nil
}

// isStaticFile reports whether the URL path p is a regular file under
// staticDir.
func (s *Server) isStaticFile(p string) bool {
	info, err := os.Stat(filepath.Join(s.staticDir, filepath.FromSlash(p)))
	return err == nil && info.Mode().IsRegular()
}

// accepts reports whether an Accept-Encoding header allows coding: named
// with a q-value above zero, or left to a "*" that has one.
func accepts(header, coding string) bool {
	named, star := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(part, ";")
		token = strings.TrimSpace(token)
		q := 1.0
		if k, v, ok := strings.Cut(params, "="); ok && strings.TrimSpace(k) == "q" {
			parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = parsed
		}
		switch {
		case strings.EqualFold(token, coding):
			named = q
		case token == "*":
			star = q
		}
	}
	if named >= 0 {
		return named > 0
	}
	return star > 0
}

// routeRoots are the first path segments of the registered routes ("/api",
// "/swagger", "/healthz", …): the namespaces the API owns, read from
// routes.go rather than listed a second time.
func routeRoots(routes []*echo.Route) []string {
	seen := map[string]bool{}
	var roots []string
	for _, r := range routes {
		root, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		if root == "" || seen[root] {
			continue
		}
		seen[root] = true
		roots = append(roots, "/"+root)
	}
	return roots
}

// isSPAPath is every path the dashboard owns: everything outside the API's
// namespaces. A missing file (an asset name from an older build) is not one:
// it gets a 404 rather than index.html, which a browser would try to run as
// JavaScript.
func (s *Server) isSPAPath(p string, roots []string) bool {
	if path.Ext(p) != "" {
		if _, err := os.Stat(filepath.Join(s.staticDir, filepath.FromSlash(path.Clean("/"+p)))); err != nil {
			return false
		}
	}
	for _, root := range roots {
		if p == root || strings.HasPrefix(p, root+"/") {
			return false
		}
	}
	return true
}
