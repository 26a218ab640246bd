package httpapi_test

import (
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

// mustSessionWithToken starts a session and returns its id and quality token.
func (h *harness) mustSessionWithToken(external string) (string, string) {
	h.t.Helper()
	r := h.ingest(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"livekit","external_id":"`+external+`"}`)
	require.Equal(h.t, http.StatusCreated, r.Code, r.Body.String())
	body := r.json(h.t)
	tok, _ := body["quality_token"].(string)
	require.NotEmpty(h.t, tok, "the answer carries a quality token")
	assert.Equal(h.t, "2026-11-27T00:00:00Z", body["quality_token_expires_at"], "12 h by default")
	return body["session_id"].(string), tok
}

func (h *harness) quality(id, token, quality string) response {
	return h.do(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"`+quality+`"}`, "Authorization", "Bearer "+token)
}

func TestQualityToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		id, tok := h.mustSessionWithToken("room-q1")
		other, otherTok := h.mustSessionWithToken("room-q2")

		t.Run("PostsItsOwnSessionsQuality", func(t *testing.T) {
			r := h.quality(id, tok, "good")
			require.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
			r = h.quality(strings.ToUpper(id), tok, "excellent")
			assert.Equal(t, http.StatusNoContent, r.Code, "any spelling of the id is the same session")
		})
		t.Run("NotAnotherSessions", func(t *testing.T) {
			r := h.quality(other, tok, "good")
			require.Equal(t, http.StatusForbidden, r.Code)
			assert.Equal(t, pulse.EFORBIDDEN, r.errorCode(t))
		})
		t.Run("NothingButQuality", func(t *testing.T) {
			for _, c := range []struct{ method, path, body string }{
				{http.MethodPost, "/api/sessions/" + id + "/end", ""},
				{http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`},
				{http.MethodGet, "/api/sessions/by-external/livekit/room-q1", ""},
				{http.MethodGet, "/api/admin/metrics/current", ""},
				{http.MethodGet, "/api/admin/auth/me", ""},
			} {
				r := h.do(c.method, c.path, c.body, "Authorization", "Bearer "+tok)
				assert.Equal(t, http.StatusUnauthorized, r.Code, "%s %s: %s", c.method, c.path, r.Body.String())
			}
		})
		t.Run("AdminTokenIsNoQualityToken", func(t *testing.T) {
			admin := h.mustAdmin("super@example.com", pulse.RoleSuperAdmin)
			assert.Equal(t, http.StatusUnauthorized, h.quality(id, admin, "good").Code)
		})
		t.Run("NoCredentials", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"good"}`)
			require.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
		})
		t.Run("Garbage", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, h.quality(id, "not.a.token", "good").Code)
		})
		t.Run("APIKeyStillWorks", func(t *testing.T) {
			r := h.ingest(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"fair"}`)
			assert.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
		})
		t.Run("LookupIssuesAToken", func(t *testing.T) {
			r := h.ingest(http.MethodGet, "/api/sessions/by-external/livekit/room-q2", "")
			require.Equal(t, http.StatusOK, r.Code, r.Body.String())
			body := r.json(t)
			assert.Equal(t, other, body["session_id"])
			assert.Equal(t, "livekit", body["provider"])
			assert.Equal(t, "room-q2", body["external_id"])
			looked := body["quality_token"].(string)
			assert.Equal(t, http.StatusNoContent, h.quality(other, looked, "poor").Code)
		})
		t.Run("LookupUnknown", func(t *testing.T) {
			assert.Equal(t, http.StatusNotFound, h.ingest(http.MethodGet, "/api/sessions/by-external/livekit/nope", "").Code)
			r := h.ingest(http.MethodGet, "/api/sessions/by-external/zoom/room-q2", "")
			require.Equal(t, http.StatusUnprocessableEntity, r.Code)
			assert.Equal(t, pulse.EINVALID, r.errorCode(t))
		})
		t.Run("StopsAtSessionEnd", func(t *testing.T) {
			require.Equal(t, http.StatusOK, h.ingest(http.MethodPost, "/api/sessions/"+other+"/end", "").Code)
			r := h.quality(other, otherTok, "good")
			require.Equal(t, http.StatusConflict, r.Code, "the session has ended: 409, as with an API key")
			assert.Equal(t, pulse.ECONFLICT, r.errorCode(t))
			lookup := h.ingest(http.MethodGet, "/api/sessions/by-external/livekit/room-q2", "").json(t)
			assert.NotContains(t, lookup, "quality_token", "no token for an ended session")
			assert.NotEmpty(t, lookup["ended_at"])
		})
		t.Run("Expires", func(t *testing.T) {
			h.clock.Advance(12*time.Hour + time.Second)
			r := h.quality(id, tok, "good")
			require.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Equal(t, pulse.EUNAUTHORIZED, r.errorCode(t))
		})
	})
}

func TestQualityCORS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const allowed = "https://call.example.edu"
		h := newHarness(t, db, func(d *httpapi.Deps) { d.QualityOrigins = []string{allowed} })
		id, tok := h.mustSessionWithToken("room-c1")
		preflight := func(origin string) response {
			return h.do(http.MethodOptions, "/api/sessions/"+id+"/quality", "", "Origin", origin,
				"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
		}
		t.Run("PreflightAllowed", func(t *testing.T) {
			r := preflight(allowed)
			require.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
			assert.Equal(t, allowed, r.Header().Get("Access-Control-Allow-Origin"))
			assert.Contains(t, r.Header().Get("Access-Control-Allow-Methods"), "POST")
			assert.Contains(t, strings.ToLower(r.Header().Get("Access-Control-Allow-Headers")), "authorization")
			assert.Empty(t, r.Header().Get("Access-Control-Allow-Credentials"), "no cookies")
			assert.Equal(t, "OPTIONS, POST", r.Header().Get("Allow"), "like every other path's OPTIONS")
		})
		t.Run("PreflightOtherOrigin", func(t *testing.T) {
			r := preflight("https://evil.example.com")
			assert.Equal(t, http.StatusNoContent, r.Code)
			assert.Empty(t, r.Header().Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "OPTIONS, POST", r.Header().Get("Allow"))
		})
		t.Run("PostCarriesTheHeaderEvenOnErrors", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"good"}`, "Origin", allowed, "Authorization", "Bearer "+tok)
			require.Equal(t, http.StatusNoContent, r.Code, r.Body.String())
			assert.Equal(t, allowed, r.Header().Get("Access-Control-Allow-Origin"))
			r = h.do(http.MethodPost, "/api/sessions/"+id+"/quality", `{"quality":"great"}`, "Origin", allowed, "Authorization", "Bearer "+tok)
			require.Equal(t, http.StatusUnprocessableEntity, r.Code)
			assert.Equal(t, allowed, r.Header().Get("Access-Control-Allow-Origin"), "the browser may read why")
		})
		t.Run("OnlyThisRoute", func(t *testing.T) {
			r := h.do(http.MethodPost, "/api/sessions", `{"category":"Mental Health","provider":"daily"}`, "Origin", allowed, "X-API-Key", h.apiKey)
			require.Equal(t, http.StatusCreated, r.Code)
			assert.Empty(t, r.Header().Get("Access-Control-Allow-Origin"))
			r = h.do(http.MethodOptions, "/api/sessions", "", "Origin", allowed, "Access-Control-Request-Method", "POST")
			assert.Empty(t, r.Header().Get("Access-Control-Allow-Origin"))
		})
		t.Run("NoOriginsConfiguredAllowsNone", func(t *testing.T) {
			plain := newHarness(t, db)
			r := plain.do(http.MethodOptions, "/api/sessions/"+id+"/quality", "", "Origin", allowed, "Access-Control-Request-Method", "POST")
			assert.Equal(t, http.StatusNoContent, r.Code)
			assert.Empty(t, r.Header().Get("Access-Control-Allow-Origin"))
		})
	})
}
