package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

func TestCreateSessionAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, func(d *httpapi.Deps) { d.BodyLimit = "1K" })
		t.Run("Created", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`)
			require.Equal(t, http.StatusCreated, r.Code, r.Body.String())
			body := r.json(t)
			assert.Len(t, body["session_id"], 36)
			assert.Equal(t, "2026-11-26T12:00:00Z", body["started_at"])
		})
		t.Run("DuplicateExternalIDIsOK", func(t *testing.T) {
			first := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"livekit","external_id":"room-9"}`)
			again := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"livekit","external_id":"room-9"}`)
			require.Equal(t, http.StatusCreated, first.Code)
			require.Equal(t, http.StatusOK, again.Code)
			assert.Equal(t, first.json(t)["session_id"], again.json(t)["session_id"])
		})
		for name, tc := range map[string]struct {
			body   string
			status int
			code   string
		}{
			"UnknownCategory":  {`{"category":"Astrology","provider":"daily"}`, 422, pulse.EINVALID},
			"UnknownProvider":  {`{"category":"Mental Health","provider":"zoom"}`, 422, pulse.EINVALID},
			"MissingCategory":  {`{"provider":"daily"}`, 422, pulse.EINVALID},
			"MalformedJSON":    {`{"category":`, 400, pulse.EMALFORMED},
			"NotAnObject":      {`"daily"`, 400, pulse.EMALFORMED},
			"WrongType":        {`{"category":7,"provider":"daily"}`, 400, pulse.EMALFORMED},
			"EmptyBody":        {``, 400, pulse.EMALFORMED},
			"BodyOverTheLimit": {`{"category":"` + strings.Repeat("x", 2048) + `","provider":"daily"}`, 413, pulse.ETOOLARGE},
		} {
			t.Run(name, func(t *testing.T) {
				r := h.ingest(http.MethodPost, "/api/sessions", tc.body)
				require.Equal(t, tc.status, r.Code, r.Body.String())
				assert.Equal(t, tc.code, r.errorCode(t))
			})
		}
		t.Run("UnknownProviderNamesAllowed", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"zoom"}`)
			assert.Contains(t, r.Body.String(), "daily, livekit, beyond_presence")
		})
		t.Run("NoAPIKey", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`)
			assert.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
		})
		t.Run("UnknownAPIKey", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`, "X-API-Key", "pulse_nope")
			assert.Equal(t, http.StatusUnauthorized, r.Code)
		})
	})
}

func TestQualityAndEndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		id := h.mustSession("Career Counseling", "beyond_presence")

		t.Run("SampleAccepted", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"good"}`)
			assert.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
		})
		t.Run("UnknownQuality", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"superb"}`)
			assert.Equal(t, http.StatusUnprocessableEntity, r.Code)
			assert.Contains(t, r.Body.String(), "excellent, good, fair, poor")
		})
		t.Run("UnknownSession", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/3d8f2a51-0000-4000-8000-000000000000/quality", `{"quality":"good"}`)
			assert.Equal(t, http.StatusNotFound, r.Code)
			assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
		})
		t.Run("EndIsIdempotent", func(t *testing.T) {
			first := h.ingest(http.MethodPost, "/api/sessions/"+id+"/end", "")
			h.clock.Advance(time.Minute)
			second := h.ingest(http.MethodPost, "/api/sessions/"+id+"/end", "")
			require.Equal(t, http.StatusOK, first.Code, first.Body.String())
			require.Equal(t, http.StatusOK, second.Code)
			assert.Equal(t, first.json(t)["ended_at"], second.json(t)["ended_at"])
		})
		t.Run("SampleOnEndedSessionConflicts", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"good"}`)
			assert.Equal(t, http.StatusConflict, r.Code)
			assert.Equal(t, pulse.ECONFLICT, r.errorCode(t))
		})
		t.Run("EndUnknownSession", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/nope/end", "")
			assert.Equal(t, http.StatusNotFound, r.Code)
		})
	})
}

func TestErrorsKeepTheirShape(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		h.srv.Echo.GET("/api/boom", func(c echo.Context) error { panic("boom") })
		t.Run("PanicIs500", func(t *testing.T) {
			r := h.do(http.MethodGet, "/api/boom", "")
			assert.Equal(t, http.StatusInternalServerError, r.Code)
			assert.Equal(t, pulse.EINTERNAL, r.errorCode(t))
			assert.NotContains(t, r.Body.String(), "boom", "internals are logged, never sent")
		})
		t.Run("UnknownRouteIs404", func(t *testing.T) {
			r := h.do(http.MethodGet, "/api/nowhere", "")
			assert.Equal(t, http.StatusNotFound, r.Code)
			assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
		})
		t.Run("ProcessStaysUp", func(t *testing.T) {
			assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/healthz", "").Code)
		})
	})
}
