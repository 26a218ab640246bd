package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

// The driver tells the provider stand-ins which rooms are live on each
// provider: exactly the sessions Pulse accepted, by the external id it sent.
func TestDriverReportsLiveRooms(t *testing.T) {
	var mu sync.Mutex
	sent := map[pulse.Provider][]string{}
	n := 0
	pulseAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path != "/api/sessions" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var body struct {
			Provider   string `json:"provider"`
			ExternalID string `json:"external_id"`
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		n++
		if n%4 == 0 { // a failed start is no live room
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		sent[pulse.Provider(body.Provider)] = append(sent[pulse.Provider(body.Provider)], body.ExternalID)
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"session_id":"s%d"}`, n)
	}))
	t.Cleanup(pulseAPI.Close)

	var reported map[pulse.Provider][]string
	d := &Driver{BaseURL: pulseAPI.URL, APIKey: "k", PeakLive: 40, Client: pulseAPI.Client(),
		OnLive: func(r map[pulse.Provider][]string) { reported = r },
		rng:    rand.New(rand.NewPCG(1, 2)), live: map[string]*liveSession{}}
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

	d.step(t.Context(), now)

	require.NotEmpty(t, reported)
	sorted := func(m map[pulse.Provider][]string) map[pulse.Provider][]string {
		for _, v := range m {
			sort.Strings(v)
		}
		return m
	}
	assert.Equal(t, sorted(sent), sorted(reported))

	mu.Lock()
	sent = map[pulse.Provider][]string{}
	mu.Unlock()
	d.step(t.Context(), now.Add(time.Hour)) // every earlier session ends; new ones start
	assert.Equal(t, sorted(sent), sorted(reported), "ended sessions are no longer listed")
}
