package httpapi

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// dashboard serves the built SPA from staticDir for every path the routes
// do not own.
func (s *Server) dashboard() echo.MiddlewareFunc {
	roots := routeRoots(s.Echo.Routes())
	return middleware.StaticWithConfig(middleware.StaticConfig{
		Root:    s.staticDir,
		HTML5:   true, // unknown dashboard paths get index.html: the SPA routes them
		Skipper: func(c echo.Context) bool { return !s.isSPAPath(c.Request().URL.Path, roots) },
	})
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
