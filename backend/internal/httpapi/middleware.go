package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pulse/internal/pulse"
)

// middleware installs the global chain, outermost first. The security
// headers come before routing and before anything can fail, so that every
// answer carries them: 404, 405, 413 and a recovered panic included.
// Telemetry sits outside the logger and Recover so that it sees the status
// the client really got, including a panic that Recover turned into a 500.
func (s *Server) middleware() {
	s.Echo.Pre(s.securityHeaders())
	s.Echo.Use(middleware.RequestID())
	if s.requestTelemetry != nil {
		s.Echo.Use(s.requestTelemetry)
	}
	s.Echo.Use(
		s.requestLogger(),
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.ErrorContext(c.Request().Context(), "panic recovered", "err", err, "stack", string(stack))
				return pulse.Wrap(err, pulse.EINTERNAL, "Internal error.")
			},
		}),
		middleware.BodyLimit(s.bodyLimit),
		s.bodyReadDeadline(),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: s.requestTimeout,
			ErrorHandler: func(err error, c echo.Context) error {
				if errors.Is(err, context.DeadlineExceeded) && pulse.ErrorCode(err) == pulse.EINTERNAL {
					return pulse.Wrap(err, pulse.EUNAVAILABLE, "The request took too long; try again shortly.")
				}
				return err
			},
		}),
	)
	if s.staticDir != "" {
		s.Echo.Use(s.dashboard())
	}
}

func (s *Server) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the status logged is the one the error handler will write
		Skipper:     func(c echo.Context) bool { p := c.Request().URL.Path; return p == "/healthz" || p == "/readyz" },
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			// One line per request is an access log: at debug, so that the
			// default level writes none on the ingestion path (the request
			// counts are in /metrics and the rollups). Server errors are
			// always logged.
			level := slog.LevelDebug
			if v.Status >= 500 {
				level = slog.LevelError
			}
			ctx := c.Request().Context()
			if !s.log.Enabled(ctx, level) {
				return nil
			}
			s.log.LogAttrs(ctx, level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.String("route", c.Path()),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency), slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// appCSP is the Content-Security-Policy of the dashboard and of every API
// answer. The SPA (Vite's build) loads its scripts, styles and icon from its
// own origin and has no inline script or style: React, recharts included,
// sets styles through the CSSOM, which CSP does not govern.
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries. HSTS only when
// the cookie is Secure, i.e. when Pulse is reached over HTTPS: sent over
// plain HTTP it would be ignored, and behind a proxy that also serves
// HTTP it would be wrong.
func (s *Server) securityHeaders() echo.MiddlewareFunc {
	docsCSP := swaggerCSP(s.swaggerInlineScripts())
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			if strings.HasPrefix(c.Request().URL.Path, "/swagger/") {
				h.Set("Content-Security-Policy", docsCSP)
			} else {
				h.Set("Content-Security-Policy", appCSP)
			}
			h.Set(echo.HeaderXContentTypeOptions, "nosniff")
			h.Set(echo.HeaderXFrameOptions, "DENY") // frame-ancestors for browsers that predate it
			h.Set(echo.HeaderReferrerPolicy, "no-referrer")
			if s.cookieSecure {
				h.Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
			}
			return next(c)
		}
	}
}

// swaggerCSP is appCSP loosened for Swagger UI: its page starts the UI from
// an inline script, allowed by its hash rather than by 'unsafe-inline'; its
// inline <style> block and style attributes need 'unsafe-inline' for
// styles, and its stylesheet embeds data: images.
func swaggerCSP(inlineScripts []string) string {
	script := "script-src 'self'"
	for _, js := range inlineScripts {
		sum := sha256.Sum256([]byte(js))
		script += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'self'; " + script + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

var inlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)

// swaggerInlineScripts renders Swagger UI's page once, as routes.go serves
// it, and returns its inline scripts: the CSP follows whatever the page is
// (which documents it loads, say) instead of a hash copied by hand.
func (s *Server) swaggerInlineScripts() []string {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "/swagger/index.html", nil)
	if err != nil {
		return nil
	}
	req.RequestURI = req.URL.Path // as a server sets it; echo-swagger reads it
	w := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	s.Echo.ServeHTTP(w, req)
	if w.status != http.StatusOK {
		s.log.Warn("Swagger UI did not render; its inline scripts are not allowed", "status", w.status)
		return nil
	}
	return inlineScripts(w.body.String())
}

// inlineScripts returns the contents of the <script> elements of an HTML
// page that have no src attribute, as CSP hashes them.
func inlineScripts(html string) []string {
	var scripts []string
	for _, m := range inlineScript.FindAllStringSubmatch(html, -1) {
		if !strings.Contains(strings.ToLower(m[1]), "src=") {
			scripts = append(scripts, m[2])
		}
	}
	return scripts
}

// bufferedResponse is the least http.ResponseWriter: a page rendered in
// memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header         { return w.header }
func (w *bufferedResponse) Write(p []byte) (int, error) { return w.body.Write(p) }
func (w *bufferedResponse) WriteHeader(status int)      { w.status = status }

// bodyReadDeadline gives a request body a read deadline of its own,
// bodyReadTimeout from the moment the headers are in: a client that
// trickles its body gets a 408 instead of holding a handler for as long as
// it likes. (Go's server lifts the connection's read deadline itself once
// the body has been read to its end, so a handler may outlast it.) Where
// there is no connection to set a deadline on (tests' recorders), bodies
// are read as they come.
func (s *Server) bodyReadDeadline() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if s.bodyReadTimeout <= 0 || req.Body == nil || req.Body == http.NoBody {
				return next(c)
			}
			rc := http.NewResponseController(c.Response())
			if err := rc.SetReadDeadline(time.Now().Add(s.bodyReadTimeout)); err != nil {
				return next(c)
			}
			req.Body = &deadlineBody{ReadCloser: req.Body, timeout: s.bodyReadTimeout}
			return next(c)
		}
	}
}

// deadlineBody turns the read deadline's error into the client's: 408.
type deadlineBody struct {
	io.ReadCloser
	timeout time.Duration
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = pulse.Wrap(err, pulse.ETIMEOUT, "The request body did not arrive within %s.", b.timeout)
	}
	return n, err
}
