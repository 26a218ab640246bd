package httpapi_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/store/storetest"
)

// TestRequestLog: at the default level (info) a request that succeeds or is
// refused writes no log line (ingestion runs at thousands per second); a
// server error always does; at debug every request does.
func TestRequestLog(t *testing.T) {
	failing := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if c.Request().Header.Get("X-Fail") != "" {
				return errors.New("boom")
			}
			return next(c)
		}
	}
	for _, tc := range []struct {
		name  string
		level slog.Level
		lines map[string]int // substring -> lines expected
	}{
		{"InfoLogsOnlyServerErrors", slog.LevelInfo, map[string]int{"status=201": 0, "status=401": 0, "level=ERROR msg=request": 1}},
		{"DebugLogsEveryRequest", slog.LevelDebug, map[string]int{"level=DEBUG msg=request": 2, "status=201": 1, "status=401": 1, "level=ERROR msg=request": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := storetest.MustOpenSQLite(t)
			logs := &syncBuffer{}
			h := newHarness(t, db, func(d *httpapi.Deps) {
				d.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: tc.level}))
				d.IngestMiddleware = []echo.MiddlewareFunc{failing}
			})
			h.mustSession("Mental Health", "daily")
			require.Equal(t, http.StatusUnauthorized, h.do(http.MethodPost, "/api/sessions", `{}`, "X-API-Key", "wrong").Code)
			body := `{"category":"Mental Health","provider":"daily"}`
			require.Equal(t, http.StatusInternalServerError, h.do(http.MethodPost, "/api/sessions", body, "X-API-Key", h.apiKey, "X-Fail", "1").Code)

			var requestLines []string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, "msg=request") {
					requestLines = append(requestLines, l)
				}
			}
			for sub, want := range tc.lines {
				n := 0
				for _, l := range requestLines {
					if strings.Contains(l, sub) {
						n++
					}
				}
				assert.Equal(t, want, n, "lines with %q in:\n%s", sub, strings.Join(requestLines, "\n"))
			}
		})
	}
}
