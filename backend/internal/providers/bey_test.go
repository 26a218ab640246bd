package providers

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestBeyRequest(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderBeyondPresence)
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderBeyondPresence, f.srv.URL)), Deps{})

	c.round(t.Context())

	reqs, _ := f.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/auth/verify", reqs[0].URL.Path)
	assert.Equal(t, testBeyKey, reqs[0].Header.Get("x-api-key"))
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderBeyondPresence).Status)
}

func TestBeyAnswers(t *testing.T) {
	tests := []struct {
		name       string
		code       int
		body       string
		wantStatus pulse.ProviderStatus
		wantDetail string
	}{
		{"NoContent", http.StatusNoContent, "", pulse.StatusOperational, ""},
		{"JSONObject", http.StatusOK, `{"valid":true}`, pulse.StatusOperational, ""},
		{"JSONString", http.StatusOK, `"ok"`, pulse.StatusOperational, ""},
		{"HTML", http.StatusOK, `<html>Sign in to the Wi-Fi</html>`, pulse.StatusDegraded, "answer not understood (HTTP 200)"},
		{"InvalidKey", http.StatusUnauthorized, `{"detail":"Missing or Invalid API Key"}`, pulse.StatusDegraded, "credentials rejected (HTTP 401)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeProvider(t, pulse.ProviderBeyondPresence)
			f.Set(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.code)
				_, _ = io.WriteString(w, tt.body)
			})
			c := newTestChecker(t, testTimings(configFor(pulse.ProviderBeyondPresence, f.srv.URL)), Deps{})

			c.round(t.Context())

			h := healthOf(t, c, pulse.ProviderBeyondPresence)
			assert.Equal(t, tt.wantStatus, h.Status)
			if tt.wantDetail != "" {
				assert.Equal(t, tt.wantDetail, h.Detail)
			}
		})
	}
}
