package access_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/access"
	"pulse/internal/auth"
	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// newClock is the shared settable clock, at a fixed start.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
}

var errDown = pulse.Errorf(pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")

// fakeAdmins is an admin store that counts its lookups and can go down.
type fakeAdmins struct {
	pulse.AdminStore
	mu      sync.Mutex
	admins  map[int64]pulse.Admin
	down    bool
	queries atomic.Int64
	gate    chan struct{} // when set, lookups wait for it
}

func (f *fakeAdmins) AdminByID(_ context.Context, id int64) (pulse.Admin, error) {
	f.queries.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return pulse.Admin{}, errDown
	}
	a, ok := f.admins[id]
	if !ok {
		return pulse.Admin{}, pulse.Errorf(pulse.ENOTFOUND, "no such admin")
	}
	return a, nil
}

func (f *fakeAdmins) set(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func TestAdmins(t *testing.T) {
	ctx := context.Background()
	setup := func() (*fakeAdmins, *testclock.Clock, *access.Admins) {
		f := &fakeAdmins{admins: map[int64]pulse.Admin{1: {ID: 1, Email: "a@example.org", Role: pulse.RoleSuperAdmin}}}
		clk := newClock()
		return f, clk, access.NewAdmins(f, clk.Now)
	}

	t.Run("AnswerKeptForMaxAge", func(t *testing.T) {
		f, clk, admins := setup()
		for range 20 { // a request every MaxAge/10
			a, stale, err := admins.Lookup(ctx, 1)
			require.NoError(t, err)
			assert.False(t, stale)
			assert.Equal(t, pulse.RoleSuperAdmin, a.Role)
			clk.Advance(access.MaxAge / 10)
		}
		assert.EqualValues(t, 2, f.queries.Load(), "one query per MaxAge, not per request")
	})
	t.Run("ChangeSeenOnceMaxAgeHasPassed", func(t *testing.T) {
		f, clk, admins := setup()
		_, _, err := admins.Lookup(ctx, 1)
		require.NoError(t, err)
		f.set(func() { f.admins[1] = pulse.Admin{ID: 1, Role: pulse.RoleContentManager} })

		clk.Advance(access.MaxAge - time.Millisecond)
		a, _, _ := admins.Lookup(ctx, 1)
		assert.Equal(t, pulse.RoleSuperAdmin, a.Role, "still within MaxAge")
		clk.Advance(time.Millisecond)
		a, _, _ = admins.Lookup(ctx, 1)
		assert.Equal(t, pulse.RoleContentManager, a.Role)
	})
	t.Run("DeletedAdminRemembered", func(t *testing.T) {
		f, clk, admins := setup()
		_, _, err := admins.Lookup(ctx, 1)
		require.NoError(t, err)
		f.set(func() { delete(f.admins, 1) })
		clk.Advance(access.MaxAge)
		_, _, err = admins.Lookup(ctx, 1)
		assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		_, _, err = admins.Lookup(ctx, 1)
		assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		assert.EqualValues(t, 2, f.queries.Load(), "a missing admin costs no query per request either")
	})
	t.Run("DatabaseDownUsesTheLastAnswerHoweverOld", func(t *testing.T) {
		f, clk, admins := setup()
		_, _, err := admins.Lookup(ctx, 1)
		require.NoError(t, err)
		f.set(func() { f.down = true })
		clk.Advance(time.Hour)
		a, stale, err := admins.Lookup(ctx, 1)
		require.NoError(t, err)
		assert.True(t, stale)
		assert.Equal(t, pulse.RoleSuperAdmin, a.Role)

		f.set(func() { f.down = false; f.admins[1] = pulse.Admin{ID: 1, Role: pulse.RoleSystemMonitor} })
		a, stale, err = admins.Lookup(ctx, 1)
		require.NoError(t, err)
		assert.False(t, stale, "back to fresh answers once the database is")
		assert.Equal(t, pulse.RoleSystemMonitor, a.Role)
	})
	t.Run("DatabaseDownWithoutAnAnswerIsUnavailable", func(t *testing.T) {
		f, _, admins := setup()
		f.set(func() { f.down = true })
		_, _, err := admins.Lookup(ctx, 1)
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
	})
	t.Run("ConcurrentMissesShareOneQuery", func(t *testing.T) {
		f, _, admins := setup()
		f.gate = make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				a, _, err := admins.Lookup(ctx, 1)
				assert.NoError(t, err)
				assert.Equal(t, pulse.RoleSuperAdmin, a.Role)
			})
		}
		for f.queries.Load() == 0 {
			time.Sleep(time.Millisecond) // until the first lookup is in flight
		}
		time.Sleep(20 * time.Millisecond) // and the others have joined it
		close(f.gate)
		wg.Wait()
		assert.LessOrEqual(t, f.queries.Load(), int64(2), "requests arriving together share the lookup in flight")
	})
	t.Run("CallerGoneDoesNotFailTheOthers", func(t *testing.T) {
		f, _, admins := setup()
		f.gate = make(chan struct{})
		gone, cancel := context.WithCancel(ctx)
		first := make(chan error, 1)
		go func() { _, _, err := admins.Lookup(gone, 1); first <- err }()
		for f.queries.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		second := make(chan error, 1)
		go func() { _, _, err := admins.Lookup(ctx, 1); second <- err }()
		cancel()
		assert.ErrorIs(t, <-first, context.Canceled)
		close(f.gate)
		assert.NoError(t, <-second)
	})
}

// fakeRevoked is a revoked-token store that counts its reads.
type fakeRevoked struct {
	mu     sync.Mutex
	ids    map[string]time.Time
	down   bool
	reads  int
	pruned int
}

func (f *fakeRevoked) RevokeToken(_ context.Context, id string, exp time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errDown
	}
	f.ids[id] = exp
	return nil
}

func (f *fakeRevoked) RevokedTokens(_ context.Context, now time.Time) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.down {
		return nil, errDown
	}
	var out []string
	for id, exp := range f.ids {
		if exp.After(now) {
			out = append(out, id)
		}
	}
	return out, nil
}

func (f *fakeRevoked) PruneRevokedTokens(_ context.Context, t time.Time) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n int64
	for id, exp := range f.ids {
		if !exp.After(t) {
			delete(f.ids, id)
			n++
		}
	}
	f.pruned += int(n)
	return n, nil
}

func TestRevocations(t *testing.T) {
	ctx := context.Background()
	setup := func() (*fakeRevoked, *testclock.Clock, *access.Revocations) {
		f := &fakeRevoked{ids: map[string]time.Time{}}
		clk := newClock()
		return f, clk, access.NewRevocations(f, clk.Now)
	}

	t.Run("RevokedHereRefusedAtOnce", func(t *testing.T) {
		_, clk, r := setup()
		revoked, _, err := r.Revoked(ctx, "a")
		require.NoError(t, err)
		require.False(t, revoked)
		require.NoError(t, r.Revoke(ctx, "a", clk.Now().Add(time.Hour)))
		revoked, _, err = r.Revoked(ctx, "a")
		require.NoError(t, err)
		assert.True(t, revoked)
	})
	t.Run("RevokedElsewhereRefusedOnceMaxAgeHasPassed", func(t *testing.T) {
		f, clk, here := setup()
		elsewhere := access.NewRevocations(f, clk.Now)
		revoked, _, _ := here.Revoked(ctx, "a")
		require.False(t, revoked)
		require.NoError(t, elsewhere.Revoke(ctx, "a", clk.Now().Add(time.Hour)))

		clk.Advance(access.MaxAge - time.Millisecond)
		revoked, _, _ = here.Revoked(ctx, "a")
		assert.False(t, revoked, "still within MaxAge")
		clk.Advance(time.Millisecond)
		revoked, _, _ = here.Revoked(ctx, "a")
		assert.True(t, revoked)
	})
	t.Run("OneReadPerMaxAgeWhateverTheTokens", func(t *testing.T) {
		f, clk, r := setup()
		for i := range 50 {
			_, _, err := r.Revoked(ctx, string(rune('a'+i%26)))
			require.NoError(t, err)
			clk.Advance(access.MaxAge / 10)
		}
		assert.Equal(t, 5, f.reads)
	})
	t.Run("DatabaseDownUsesTheLastListHoweverOld", func(t *testing.T) {
		f, clk, r := setup()
		f.ids["a"] = clk.Now().Add(time.Hour)
		_, _, err := r.Revoked(ctx, "a")
		require.NoError(t, err)
		f.down = true
		clk.Advance(10 * time.Minute)
		revoked, stale, err := r.Revoked(ctx, "a")
		require.NoError(t, err)
		assert.True(t, revoked)
		assert.True(t, stale)
	})
	t.Run("DatabaseDownWithoutAListIsUnavailable", func(t *testing.T) {
		f, _, r := setup()
		f.down = true
		_, _, err := r.Revoked(ctx, "a")
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
	})
	t.Run("RevokeFailsWhenItCannotBeRecorded", func(t *testing.T) {
		f, clk, r := setup()
		f.down = true
		err := r.Revoke(ctx, "a", clk.Now().Add(time.Hour))
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
	})
	t.Run("ExpiredIDsPruned", func(t *testing.T) {
		f, clk, r := setup()
		require.NoError(t, r.Revoke(ctx, "old", clk.Now().Add(time.Minute)))
		clk.Advance(2 * time.Minute)
		require.NoError(t, r.Revoke(ctx, "new", clk.Now().Add(time.Hour)))
		assert.Equal(t, 1, f.pruned)
		assert.NotContains(t, f.ids, "old")
		assert.Contains(t, f.ids, "new")
	})
}

// fakeKeys is an API key store that counts lookups and last-use writes.
type fakeKeys struct {
	pulse.APIKeyStore
	mu      sync.Mutex
	keys    map[string]pulse.APIKey // by hash
	lookups int
	touches []time.Time
}

func (f *fakeKeys) APIKeyByHash(_ context.Context, hash string) (pulse.APIKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	k, ok := f.keys[hash]
	if !ok {
		return pulse.APIKey{}, pulse.Errorf(pulse.ENOTFOUND, "unknown API key")
	}
	return k, nil
}

func (f *fakeKeys) TouchAPIKey(_ context.Context, id int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.touches = append(f.touches, at)
	for h, k := range f.keys {
		if k.ID == id {
			k.LastUsedAt = at
			f.keys[h] = k
		}
	}
	return nil
}

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	const secret = "pulse_the-secret"
	setup := func() (*fakeKeys, *testclock.Clock, *access.APIKeys) {
		f := &fakeKeys{keys: map[string]pulse.APIKey{auth.HashAPIKey(secret): {ID: 1, Name: "gateway"}}}
		clk := newClock()
		return f, clk, access.NewAPIKeys(f, clk.Now, nil)
	}

	t.Run("OK", func(t *testing.T) {
		_, _, keys := setup()
		k, err := keys.Verify(ctx, secret)
		require.NoError(t, err)
		assert.Equal(t, "gateway", k.Name)
	})
	t.Run("UnknownKeyUnauthorizedAndNotKept", func(t *testing.T) {
		f, _, keys := setup()
		for range 3 {
			_, err := keys.Verify(ctx, "pulse_guess")
			assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		}
		assert.Equal(t, 3, f.lookups, "guesses are not remembered, so they cannot fill memory")
	})
	t.Run("RevokedKeyRefusedOnceMaxAgeHasPassed", func(t *testing.T) {
		f, clk, keys := setup()
		_, err := keys.Verify(ctx, secret)
		require.NoError(t, err)
		f.mu.Lock()
		k := f.keys[auth.HashAPIKey(secret)]
		k.RevokedAt = clk.Now()
		f.keys[auth.HashAPIKey(secret)] = k
		f.mu.Unlock()

		clk.Advance(access.MaxAge - time.Millisecond)
		_, err = keys.Verify(ctx, secret)
		assert.NoError(t, err, "still within MaxAge")
		clk.Advance(time.Millisecond)
		_, err = keys.Verify(ctx, secret)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		_, err = keys.Verify(ctx, secret)
		assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		assert.Equal(t, 2, f.lookups, "a revoked key costs no query per request")
	})
	t.Run("LastUseWrittenAboutOnceAMinute", func(t *testing.T) {
		f, clk, keys := setup()
		start := clk.Now()
		for range 150 { // a request a second for 150 s
			_, err := keys.Verify(ctx, secret)
			require.NoError(t, err)
			clk.Advance(time.Second)
		}
		assert.Equal(t, []time.Time{start, start.Add(time.Minute), start.Add(2 * time.Minute)}, f.touches)
	})
	t.Run("LastUseWrittenByAnotherReplicaCounts", func(t *testing.T) {
		f, clk, here := setup()
		elsewhere := access.NewAPIKeys(f, clk.Now, nil)
		_, err := elsewhere.Verify(ctx, secret)
		require.NoError(t, err)
		clk.Advance(10 * time.Second)
		_, err = here.Verify(ctx, secret)
		require.NoError(t, err)
		assert.Len(t, f.touches, 1, "the other replica wrote it 10 s ago")
	})
}
