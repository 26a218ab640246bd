package providers

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

// allProviders starts the three fake APIs and a config for all of them.
func allProviders(t *testing.T) (Config, map[pulse.Provider]*fakeProvider) {
	t.Helper()
	fakes := map[pulse.Provider]*fakeProvider{}
	var cfg Config
	for _, id := range pulse.Providers {
		fakes[id] = newFakeProvider(t, id)
	}
	cfg.DailyAPIURL, cfg.DailyAPIKey = fakes[pulse.ProviderDaily].srv.URL+"/v1", testDailyKey
	cfg.LiveKitURL, cfg.LiveKitAPIKey, cfg.LiveKitAPISecret = fakes[pulse.ProviderLiveKit].srv.URL, testLiveKitKey, testLiveKitSecret
	cfg.BeyAPIURL, cfg.BeyAPIKey = fakes[pulse.ProviderBeyondPresence].srv.URL+"/v1", testBeyKey
	return testTimings(cfg), fakes
}

func TestRun(t *testing.T) {
	t.Run("FirstRoundAtOnce", func(t *testing.T) {
		cfg, _ := allProviders(t)
		store := &memStore{}
		c := newTestChecker(t, cfg, Deps{Store: store}) // the interval is an hour
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { c.Run(ctx); close(done) }()

		require.Eventually(t, func() bool { return len(store.Checks()) == 3 }, 2*time.Second, 5*time.Millisecond)
		for _, h := range c.Current() {
			assert.Equal(t, pulse.StatusOperational, h.Status, h.Provider)
		}

		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			require.FailNow(t, "Run did not stop on cancel")
		}
	})

	t.Run("EveryInterval", func(t *testing.T) {
		cfg, _ := allProviders(t)
		cfg.CheckInterval = 20 * time.Millisecond
		store := &memStore{}
		c := newTestChecker(t, cfg, Deps{Store: store})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go c.Run(ctx)

		require.Eventually(t, func() bool { return len(store.Checks()) >= 9 }, 2*time.Second, 5*time.Millisecond)
	})

	t.Run("ReleasesLeadershipOnStop", func(t *testing.T) {
		cfg, _ := allProviders(t)
		leader := &fakeLeader{ok: true}
		store := &memStore{}
		c := newTestChecker(t, cfg, Deps{Store: store, Leader: leader})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { c.Run(ctx); close(done) }()
		require.Eventually(t, func() bool { return len(store.Checks()) == 3 }, 2*time.Second, 5*time.Millisecond)

		cancel()
		<-done
		_, releases := leader.Counts()
		assert.Equal(t, 1, releases)
		assert.Equal(t, []string{LeaderJob}, leader.jobs)
	})

	t.Run("CancelledCheckIsNotRecorded", func(t *testing.T) {
		f := newFakeProvider(t, pulse.ProviderDaily)
		f.Set(answerHang)
		cfg := testTimings(configFor(pulse.ProviderDaily, f.srv.URL))
		cfg.CheckTimeout = 5 * time.Second
		store := &memStore{}
		c := newTestChecker(t, cfg, Deps{Store: store})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { c.Run(ctx); close(done) }()
		require.Eventually(t, func() bool { return f.hits.Load() == 1 }, 2*time.Second, 5*time.Millisecond)

		cancel()
		<-done
		assert.Empty(t, store.Checks())
		assert.Equal(t, "awaiting first check", healthOf(t, c, pulse.ProviderDaily).Detail)
	})
}

func TestChecksRunConcurrently(t *testing.T) {
	cfg, fakes := allProviders(t)
	cfg.SlowThreshold = 2 * time.Second
	cfg.CheckTimeout = 3 * time.Second
	// Each API answers only once all three have been called: checked one
	// after the other, the first would wait for the others in vain.
	var arrived sync.WaitGroup
	arrived.Add(3)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	for id, f := range fakes {
		var once sync.Once
		f.Set(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" || id != pulse.ProviderLiveKit {
				once.Do(arrived.Done)
			}
			select {
			case <-all:
				f.healthy(w, r, "{}")
			case <-time.After(time.Second):
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
	}
	c := newTestChecker(t, cfg, Deps{})

	c.round(t.Context())

	for _, h := range c.Current() {
		assert.Equal(t, pulse.StatusOperational, h.Status, "%s: %s", h.Provider, h.Detail)
	}
}

func TestLeaderAndFollower(t *testing.T) {
	cfg, fakes := allProviders(t)
	store := &memStore{}
	clk := newClock()
	leader := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: true}, Now: clk.Now})
	follower := newTestChecker(t, cfg, Deps{Store: store, Leader: &fakeLeader{ok: false}, Now: clk.Now})

	leader.round(t.Context())
	follower.round(t.Context())

	for id, f := range fakes {
		// LiveKit: ping and ListRooms; Daily: rooms and presence.
		want := map[pulse.Provider]int64{pulse.ProviderLiveKit: 2, pulse.ProviderDaily: 2}[id]
		assert.Equal(t, max(want, 1), f.hits.Load(), "%s was called by the leader only", id)
	}
	assert.Len(t, store.Checks(), 3, "only the leader stores checks")
	assert.Equal(t, leader.Current(), follower.Current())
	for _, h := range follower.Current() {
		assert.Equal(t, pulse.StatusOperational, h.Status)
		require.NotNil(t, h.Uptime24h)
		assert.Equal(t, 1.0, *h.Uptime24h)
	}
}

func TestLeadership(t *testing.T) {
	t.Run("HeldAcrossRounds", func(t *testing.T) {
		cfg, _ := allProviders(t)
		leader := &fakeLeader{ok: true}
		c := newTestChecker(t, cfg, Deps{Leader: leader})

		c.round(t.Context())
		c.round(t.Context())
		c.round(t.Context())

		tries, releases := leader.Counts()
		assert.Equal(t, 3, tries, "checked every round")
		assert.Zero(t, releases, "a leader keeps its lock (and its connection) from round to round")
	})

	t.Run("ErrorFallsBackToReading", func(t *testing.T) {
		cfg, fakes := allProviders(t)
		store := &memStore{}
		leader := &fakeLeader{ok: true}
		c := newTestChecker(t, cfg, Deps{Store: store, Leader: leader})
		c.round(t.Context())
		hits := fakes[pulse.ProviderDaily].hits.Load()

		leader.Set(false, errors.New("conn closed"))
		c.round(t.Context())

		assert.Equal(t, hits, fakes[pulse.ProviderDaily].hits.Load(), "a follower does not call providers")
		assert.Len(t, store.Checks(), 3)
		_, releases := leader.Counts()
		assert.Equal(t, 1, releases)
		assert.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderDaily).Status, "read back from the store")
	})

	t.Run("FollowerTakesOverWhenFree", func(t *testing.T) {
		cfg, fakes := allProviders(t)
		leader := &fakeLeader{ok: false}
		c := newTestChecker(t, cfg, Deps{Leader: leader})
		c.round(t.Context())
		require.Zero(t, fakes[pulse.ProviderDaily].hits.Load())

		leader.Set(true, nil)
		c.round(t.Context())

		assert.EqualValues(t, 2, fakes[pulse.ProviderDaily].hits.Load(), "rooms and presence")
	})

	t.Run("TakeOverKeepsADownProviderDown", func(t *testing.T) {
		f := newFakeProvider(t, pulse.ProviderDaily)
		f.Set(answerStatus(500))
		clk := newClock()
		store := &memStore{checks: []pulse.ProviderCheck{{
			Provider: pulse.ProviderDaily, Status: pulse.StatusDown, Detail: "HTTP 500 (3 failures in a row)",
			CheckedAt: clk.Now().Add(-30 * time.Second),
		}}}
		c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{Store: store, Leader: &fakeLeader{ok: true}, Now: clk.Now})

		c.round(t.Context())

		h := healthOf(t, c, pulse.ProviderDaily)
		assert.Equal(t, pulse.StatusDown, h.Status)
		assert.Equal(t, "HTTP 500 (4 failures in a row)", h.Detail)
	})

	t.Run("TakeOverIgnoresAnOldDown", func(t *testing.T) {
		f := newFakeProvider(t, pulse.ProviderDaily)
		f.Set(answerStatus(500))
		clk := newClock()
		store := &memStore{checks: []pulse.ProviderCheck{{
			Provider: pulse.ProviderDaily, Status: pulse.StatusDown, CheckedAt: clk.Now().Add(-6 * time.Hour),
		}}}
		c := newTestChecker(t, testTimings(configFor(pulse.ProviderDaily, f.srv.URL)), Deps{Store: store, Now: clk.Now})

		c.round(t.Context())

		assert.Equal(t, pulse.StatusDegraded, healthOf(t, c, pulse.ProviderDaily).Status)
	})
}

func TestFlapping(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderBeyondPresence)
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderBeyondPresence, f.srv.URL)), Deps{})
	failing := false
	var statuses []pulse.ProviderStatus
	for range 5 {
		if failing {
			f.Set(answerStatus(502))
		} else {
			f.Set(nil)
		}
		failing = !failing
		c.round(t.Context())
		statuses = append(statuses, healthOf(t, c, pulse.ProviderBeyondPresence).Status)
	}

	op, deg := pulse.StatusOperational, pulse.StatusDegraded
	assert.Equal(t, []pulse.ProviderStatus{op, deg, op, deg, deg}, statuses)
	assert.Regexp(t, `^flapping: 4 changes in 5 checks \(HTTP 204 in .+ ms\)$`, healthOf(t, c, pulse.ProviderBeyondPresence).Detail)
}

func TestStoreFailure(t *testing.T) {
	cfg, _ := allProviders(t)
	store := &memStore{}
	c := newTestChecker(t, cfg, Deps{Store: store})
	c.round(t.Context())
	require.NotNil(t, healthOf(t, c, pulse.ProviderDaily).Uptime24h)

	store.SetErr(errors.New("database is gone"))
	c.round(t.Context())

	h := healthOf(t, c, pulse.ProviderDaily)
	assert.Equal(t, pulse.StatusOperational, h.Status, "the leader still knows what it measured")
	require.NotNil(t, h.Uptime24h, "the last uptime read is kept")
	assert.Equal(t, 1.0, *h.Uptime24h)
}
