package providers

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

// TestProbeRequests: each provider is asked the way its API documents, with
// its credentials where that API expects them and nowhere else. (LiveKit,
// which signs a token, has tests of its own.)
func TestProbeRequests(t *testing.T) {
	type request struct {
		path, query string
		headers     map[string]string // "" means absent
	}
	dailyAuth := map[string]string{"Authorization": "Bearer " + testDailyKey, "x-api-key": ""}
	tests := []struct {
		provider pulse.Provider
		requests []request
	}{
		// Listing one room proves the key; the presence gives the live count.
		{pulse.ProviderDaily, []request{{"/v1/rooms", "limit=1", dailyAuth}, {"/v1/presence", "", dailyAuth}}},
		{pulse.ProviderBeyondPresence, []request{{"/v1/auth/verify", "", map[string]string{"x-api-key": testBeyKey, "Authorization": ""}}}},
	}
	for _, tt := range tests {
		t.Run(tt.provider.Name(), func(t *testing.T) {
			f := newFakeProvider(t, tt.provider)
			c := newTestChecker(t, testTimings(configFor(tt.provider, f.srv.URL)), Deps{})

			c.round(t.Context())

			reqs, _ := f.Requests()
			require.Len(t, reqs, len(tt.requests))
			for i, want := range tt.requests {
				assert.Equal(t, http.MethodGet, reqs[i].Method)
				assert.Equal(t, want.path, reqs[i].URL.Path)
				assert.Equal(t, want.query, reqs[i].URL.RawQuery)
				for name, value := range want.headers {
					assert.Equal(t, value, reqs[i].Header.Get(name), name)
				}
			}
			assert.Equal(t, pulse.StatusOperational, healthOf(t, c, tt.provider).Status)
		})
	}
}

// TestProbeAnswers: what each provider's answer body means. A 2xx that is not
// the API's answer (a captive portal, a maintenance page) is not "up".
func TestProbeAnswers(t *testing.T) {
	const notUnderstood = "answer not understood (HTTP 200)"
	tests := []struct {
		provider   pulse.Provider
		name       string
		code       int
		body       string
		wantStatus pulse.ProviderStatus
		wantDetail string // "" when any detail will do
	}{
		{pulse.ProviderDaily, "RoomList", http.StatusOK, `{"total_count":1,"data":[{"id":"r1"}]}`, pulse.StatusOperational, ""},
		{pulse.ProviderDaily, "EmptyRoomList", http.StatusOK, `{"total_count":0,"data":[]}`, pulse.StatusOperational, ""},
		{pulse.ProviderDaily, "ObjectWithoutData", http.StatusOK, `{"info":"maintenance"}`, pulse.StatusDegraded, notUnderstood},
		{pulse.ProviderDaily, "Array", http.StatusOK, `[]`, pulse.StatusDegraded, notUnderstood},
		{pulse.ProviderDaily, "HTML", http.StatusOK, `<html>Welcome</html>`, pulse.StatusDegraded, notUnderstood},
		{pulse.ProviderDaily, "Empty", http.StatusOK, ``, pulse.StatusDegraded, notUnderstood},
		{pulse.ProviderBeyondPresence, "NoContent", http.StatusNoContent, "", pulse.StatusOperational, ""},
		{pulse.ProviderBeyondPresence, "JSONObject", http.StatusOK, `{"valid":true}`, pulse.StatusOperational, ""},
		{pulse.ProviderBeyondPresence, "JSONString", http.StatusOK, `"ok"`, pulse.StatusOperational, ""},
		{pulse.ProviderBeyondPresence, "HTML", http.StatusOK, `<html>Sign in to the Wi-Fi</html>`, pulse.StatusDegraded, notUnderstood},
		{pulse.ProviderBeyondPresence, "InvalidKey", http.StatusUnauthorized, `{"detail":"Missing or Invalid API Key"}`, pulse.StatusDegraded, "credentials rejected (HTTP 401)"},
	}
	for _, tt := range tests {
		t.Run(tt.provider.Name()+"/"+tt.name, func(t *testing.T) {
			f := newFakeProvider(t, tt.provider)
			f.Set(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.code)
				_, _ = io.WriteString(w, tt.body)
			})
			c := newTestChecker(t, testTimings(configFor(tt.provider, f.srv.URL)), Deps{})

			c.round(t.Context())

			h := healthOf(t, c, tt.provider)
			assert.Equal(t, tt.wantStatus, h.Status)
			if tt.wantDetail != "" {
				assert.Equal(t, tt.wantDetail, h.Detail)
			}
		})
	}
}
