package providers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestProviders(t *testing.T) {
	t.Run("Unconfigured", func(t *testing.T) {
		store := &memStore{}
		c := newTestChecker(t, testTimings(Config{}), Deps{Store: store})

		c.round(t.Context())

		services, err := c.Providers(t.Context())
		require.NoError(t, err)
		require.Len(t, services, 3)
		for i, s := range services {
			assert.Equal(t, pulse.Providers[i], s.Provider, "display order")
			assert.Equal(t, pulse.StatusUnconfigured, s.Status)
			assert.Nil(t, s.LatencyMs)
			assert.Nil(t, s.CheckedAt)
			assert.Nil(t, s.Uptime24h)
		}
		assert.Equal(t, "no API key set", services[0].Detail)
		assert.Equal(t, "no server URL set", services[1].Detail)
		assert.Empty(t, store.Checks(), "nothing checked, nothing stored")
	})

	t.Run("AwaitingFirstCheck", func(t *testing.T) {
		cfg, fakes := allProviders(t)
		c := newTestChecker(t, cfg, Deps{})

		services, err := c.Providers(t.Context())

		require.NoError(t, err)
		require.Len(t, services, 3)
		for _, s := range services {
			assert.Equal(t, pulse.StatusDegraded, s.Status)
			assert.Equal(t, "awaiting first check", s.Detail)
			assert.Nil(t, s.CheckedAt)
			assert.Nil(t, s.LatencyMs)
			assert.Nil(t, s.Uptime24h)
		}
		for _, f := range fakes {
			assert.Zero(t, f.hits.Load())
		}
	})

	t.Run("ServedFromCache", func(t *testing.T) {
		cfg, fakes := allProviders(t)
		c := newTestChecker(t, cfg, Deps{})
		c.round(t.Context())
		hits := map[pulse.Provider]int64{}
		for id, f := range fakes {
			hits[id] = f.hits.Load()
		}

		for range 10 {
			_, err := c.Providers(t.Context())
			require.NoError(t, err)
			_ = c.Current()
		}

		for id, f := range fakes {
			assert.Equal(t, hits[id], f.hits.Load(), "%s called on the request path", id)
		}
	})

	t.Run("OnlyConfiguredProvidersChecked", func(t *testing.T) {
		f := newFakeProvider(t, pulse.ProviderLiveKit)
		c := newTestChecker(t, testTimings(Config{LiveKitURL: f.srv.URL}), Deps{})

		c.round(t.Context())

		services := c.Current()
		assert.Equal(t, pulse.StatusUnconfigured, services[0].Status)
		assert.Equal(t, pulse.StatusOperational, services[1].Status)
		assert.Equal(t, pulse.StatusUnconfigured, services[2].Status)
	})

	t.Run("CallersCannotChangeTheCache", func(t *testing.T) {
		cfg, _ := allProviders(t)
		c := newTestChecker(t, cfg, Deps{})
		c.round(t.Context())

		first := c.Current()
		*first[0].LatencyMs = -1
		*first[0].Uptime24h = -1

		again := c.Current()
		assert.Positive(t, *again[0].LatencyMs)
		assert.Equal(t, 1.0, *again[0].Uptime24h)
	})
}

func TestUptime(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderDaily)
	clk := newClock()
	now := clk.Now()
	check := func(status pulse.ProviderStatus, ago time.Duration) pulse.ProviderCheck {
		return pulse.ProviderCheck{Provider: pulse.ProviderDaily, Status: status, CheckedAt: now.Add(-ago)}
	}
	store := &memStore{checks: []pulse.ProviderCheck{
		check(pulse.StatusDown, 25*time.Hour), // outside the window
		check(pulse.StatusOperational, 23*time.Hour),
		check(pulse.StatusOperational, 3*time.Hour),
		check(pulse.StatusDegraded, 2*time.Hour),
		check(pulse.StatusOperational, time.Hour),
	}}
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{Store: store, Now: clk.Now})

	c.round(t.Context())

	h := healthOf(t, c, pulse.ProviderDaily)
	require.NotNil(t, h.Uptime24h)
	assert.InDelta(t, 0.8, *h.Uptime24h, 1e-9, "4 operational of the 5 checks in 24 h")
}

func TestFollowerSeesStaleChecks(t *testing.T) {
	cfg, _ := allProviders(t)
	clk := newClock()
	store := &memStore{}
	leader := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: true}, Now: clk.Now})
	follower := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: false}, Now: clk.Now})
	leader.round(t.Context())

	clk.Advance(10 * time.Hour) // the leader stopped checking (the interval is an hour)
	follower.round(t.Context())

	h := healthOf(t, follower, pulse.ProviderDaily)
	assert.Equal(t, pulse.StatusDegraded, h.Status)
	assert.Regexp(t, `^stale: last check 10h ago \(HTTP 200 in .+ ms\)$`, h.Detail)
}
