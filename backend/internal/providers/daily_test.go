package providers

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestDailyRequest(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderDaily)
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{})

	c.round(t.Context())

	reqs, _ := f.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/rooms", reqs[0].URL.Path)
	assert.Equal(t, "1", reqs[0].URL.Query().Get("limit"))
	assert.Equal(t, "Bearer "+testDailyKey, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderDaily).Status)
}

func TestDailyAnswers(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantStatus pulse.ProviderStatus
	}{
		{"RoomList", `{"total_count":1,"data":[{"id":"r1"}]}`, pulse.StatusOperational},
		{"EmptyRoomList", `{"total_count":0,"data":[]}`, pulse.StatusOperational},
		{"ObjectWithoutData", `{"info":"maintenance"}`, pulse.StatusDegraded},
		{"Array", `[]`, pulse.StatusDegraded},
		{"HTML", `<html>Welcome</html>`, pulse.StatusDegraded},
		{"Empty", ``, pulse.StatusDegraded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeProvider(t, pulse.ProviderDaily)
			f.Set(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, tt.body) })
			c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{})

			c.round(t.Context())

			h := healthOf(t, c, pulse.ProviderDaily)
			assert.Equal(t, tt.wantStatus, h.Status)
			if tt.wantStatus == pulse.StatusDegraded {
				assert.Equal(t, "answer not understood (HTTP 200)", h.Detail)
			}
		})
	}
}
