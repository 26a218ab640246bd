package httpapi_test

import (
	"context"
	"net/http"
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

// hangingSessions is a database that stopped answering: every call waits for
// its context to end, the way a partitioned connection does.
type hangingSessions struct{ pulse.SessionStore }

func (hangingSessions) SessionSummary(ctx context.Context, _ time.Time, _ int) (pulse.SessionSummary, error) {
	<-ctx.Done()
	return pulse.SessionSummary{}, pulse.Wrap(ctx.Err(), pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")
}

func (hangingSessions) SessionStats(ctx context.Context, _ time.Time) (pulse.SessionStats, error) {
	<-ctx.Done()
	return pulse.SessionStats{}, pulse.Wrap(ctx.Err(), pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")
}

func TestHangingDatabaseAnswersInTime(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHarness(t, db, func(d *httpapi.Deps) {
		d.Sessions = hangingSessions{db}
		d.RequestTimeout = 150 * time.Millisecond
	})
	token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)

	start := time.Now()
	r := h.admin("/api/admin/metrics/sessions", token)
	assert.Equal(t, http.StatusServiceUnavailable, r.Code)
	assert.Equal(t, pulse.EUNAVAILABLE, r.errorCode(t))
	assert.Less(t, time.Since(start), 5*time.Second)

	m := h.admin("/api/admin/metrics/current", token).json(t)
	assert.Nil(t, m["active_sessions_count"])
	assert.Equal(t, "critical", m["system_health"])
}

func TestMalformedInputIsTheClientsError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		id := h.mustSession("Mental Health", "daily")
		for name, tc := range map[string]struct {
			method, path, body string
			status             int
			code               string
		}{
			"TrailingData":     {http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"} trailing`, 400, pulse.EMALFORMED},
			"ArrayBody":        {http.MethodPost, "/api/sessions", `[]`, 400, pulse.EMALFORMED},
			"NULInCategory":    {http.MethodPost, "/api/sessions", `{"category":"Mental\u0000Health","provider":"daily"}`, 422, pulse.EINVALID},
			"NULInExternalID":  {http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily","external_id":"a\u0000b"}`, 422, pulse.EINVALID},
			"URNSessionID":     {http.MethodPost, "/api/sessions/urn:uuid:" + id + "/quality", `{"quality":"good"}`, 204, ""},
			"UpperCaseID":      {http.MethodPost, "/api/sessions/" + strings.ToUpper(id) + "/quality", `{"quality":"fair"}`, 204, ""},
			"WrongMethod":      {http.MethodPut, "/api/admin/auth/login", `{}`, 405, pulse.EMETHOD},
			"LongCategoryEcho": {http.MethodPost, "/api/sessions", `{"category":"` + strings.Repeat("z", 5000) + `","provider":"daily"}`, 422, pulse.EINVALID},
		} {
			t.Run(name, func(t *testing.T) {
				r := h.ingest(tc.method, tc.path, tc.body)
				require.Equal(t, tc.status, r.Code, r.Body.String())
				if tc.code != "" {
					assert.Equal(t, tc.code, r.errorCode(t))
					assert.NotContains(t, r.Body.String(), "httpapi.", "no Go type names")
					assert.Less(t, r.Body.Len(), 1000, "values are not echoed back whole")
				}
			})
		}
	})
}

// A wrong method is a 405 naming the allowed methods on every route, grouped
// or not, signed in or not: routing answers before any guard.
func TestWrongMethodIs405WithAllow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		token := h.mustAdmin("monitor@example.org", pulse.RoleSystemMonitor)
		for name, tc := range map[string]struct {
			method, path string
			headers      []string
			allow        string
		}{
			"IngestionGroupWithKey":        {http.MethodGet, "/api/sessions", []string{"X-API-Key", h.apiKey}, "OPTIONS, POST"},
			"IngestionGroupWithoutKey":     {http.MethodGet, "/api/sessions", nil, "OPTIONS, POST"},
			"IngestionParamRoute":          {http.MethodGet, "/api/sessions/5b0c3c1e-8a0b-4c58-9e36-0d1f2f7c8b11/end", []string{"X-API-Key", h.apiKey}, "OPTIONS, POST"},
			"MetricsGroupSignedIn":         {http.MethodDelete, "/api/admin/metrics/current", []string{"Authorization", "Bearer " + token}, "OPTIONS, GET"},
			"MetricsGroupSignedOut":        {http.MethodDelete, "/api/admin/metrics/current", nil, "OPTIONS, GET"},
			"Login":                        {http.MethodPut, "/api/admin/auth/login", nil, "OPTIONS, POST"},
			"Probe":                        {http.MethodPost, "/healthz", nil, "OPTIONS, GET"},
			"MetricsGroupUnknownPathIs404": {http.MethodGet, "/api/admin/metrics/nowhere", []string{"Authorization", "Bearer " + token}, ""},
		} {
			t.Run(name, func(t *testing.T) {
				r := h.do(tc.method, tc.path, "", tc.headers...)
				if tc.allow == "" {
					assert.Equal(t, http.StatusNotFound, r.Code, r.Body.String())
					assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
					return
				}
				assert.Equal(t, http.StatusMethodNotAllowed, r.Code, r.Body.String())
				assert.Equal(t, pulse.EMETHOD, r.errorCode(t))
				assert.Equal(t, tc.allow, r.Header().Get("Allow"))
			})
		}
	})
}
