package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/testclock"
)

// signIns drives one store's sign-in throttle for one rule, on a test clock.
type signIns struct {
	t     *testing.T
	db    *store.DB
	rule  pulse.SignInBackoff
	clock *testclock.Clock
}

func newSignIns(t *testing.T, db *store.DB, free int, maxWait time.Duration) *signIns {
	return &signIns{t: t, db: db, rule: pulse.SignInBackoff{Free: free, Max: maxWait},
		clock: testclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))}
}

// begin starts an attempt at email's password now; left unsettled, it is a
// failure.
func (s *signIns) begin(email string) (pulse.SignInAttempt, time.Duration) {
	s.t.Helper()
	a, wait, err := s.db.BeginSignIn(context.Background(), email, s.rule, s.clock.Now())
	require.NoError(s.t, err)
	return a, wait
}

// fail is a failed attempt; it returns the wait it met (0 when it ran).
func (s *signIns) fail(email string) time.Duration {
	s.t.Helper()
	_, wait := s.begin(email)
	return wait
}

func TestSignInThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("FreeFailuresThenDoublingWaitsUpToTheCap", func(t *testing.T) {
			s := newSignIns(t, db, 3, 8*time.Second)
			for i := range 3 {
				require.Zero(t, s.fail("doubling@example.org"), "failure %d is free", i+1)
			}
			for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
				require.Equal(t, want, s.fail("doubling@example.org"))
				s.clock.Advance(want - time.Millisecond)
				require.Equal(t, time.Millisecond, s.fail("doubling@example.org"), "no attempt before the wait is over")
				s.clock.Advance(time.Millisecond)
				require.Zero(t, s.fail("doubling@example.org"), "after the wait, one attempt")
			}
		})

		t.Run("SuccessClears", func(t *testing.T) {
			s := newSignIns(t, db, 2, time.Minute)
			s.fail("success@example.org")
			a, wait := s.begin("success@example.org")
			require.Zero(t, wait)
			require.NoError(t, db.SignInSucceeded(ctx, a))
			assert.Zero(t, s.fail("success@example.org"))
			assert.Zero(t, s.fail("success@example.org"), "the free failures are whole again")
			assert.Equal(t, time.Second, s.fail("success@example.org"))
		})

		t.Run("RefundedAttemptIsNotAFailure", func(t *testing.T) {
			s := newSignIns(t, db, 1, time.Minute)
			a, wait := s.begin("refund@example.org")
			require.Zero(t, wait)
			require.Equal(t, time.Second, s.fail("refund@example.org"), "the attempt in progress counts")
			require.NoError(t, db.RefundSignIn(ctx, a)) // the database did not answer
			assert.Zero(t, s.fail("refund@example.org"), "its wait is taken back with it")
		})

		t.Run("RefundKeepsALaterAttemptsWait", func(t *testing.T) {
			s := newSignIns(t, db, 1, time.Minute)
			first, _ := s.begin("later@example.org") // sets a 1 s wait
			s.clock.Advance(time.Second)
			require.Zero(t, s.fail("later@example.org")) // sets a 2 s wait
			require.NoError(t, db.RefundSignIn(ctx, first))
			assert.Equal(t, 2*time.Second, s.fail("later@example.org"), "the later attempt's wait stands")
			s.clock.Advance(2 * time.Second)
			require.Zero(t, s.fail("later@example.org"))
			assert.Equal(t, 2*time.Second, s.fail("later@example.org"), "one failure fewer: 2 s again, not 4 s")
		})

		t.Run("SettlingNothingDoesNothing", func(t *testing.T) {
			assert.NoError(t, db.SignInSucceeded(ctx, pulse.SignInAttempt{}))
			assert.NoError(t, db.RefundSignIn(ctx, pulse.SignInAttempt{}))
		})

		t.Run("UnknownEmailsAlike", func(t *testing.T) {
			_, err := db.CreateAdmin(ctx, pulse.Admin{Email: "known@example.org", Role: pulse.RoleSystemMonitor, PasswordHash: "x"})
			require.NoError(t, err)
			s := newSignIns(t, db, 2, time.Minute)
			for range 4 {
				assert.Equal(t, s.fail("known@example.org"), s.fail("unknown@example.org"))
			}
		})

		t.Run("OneAccountPerNormalisedEmailNeverInPlain", func(t *testing.T) {
			s := newSignIns(t, db, 1, time.Minute)
			s.fail("Plain@Example.org")
			assert.Equal(t, time.Second, s.fail("  plain@example.org "))
			var accounts []string
			require.NoError(t, db.Gorm().Raw(`SELECT account FROM login_throttle`).Scan(&accounts).Error)
			for _, a := range accounts {
				assert.Regexp(t, `^[0-9a-f]{64}$`, a, "a SHA-256 hex, not an email")
			}
		})

		t.Run("ForgottenAfterAnHourOfQuiet", func(t *testing.T) {
			s := newSignIns(t, db, 2, time.Minute)
			s.fail("quiet@example.org")
			s.fail("quiet@example.org")
			require.Equal(t, time.Second, s.fail("quiet@example.org"))
			s.clock.Advance(pulse.SignInForget - time.Second)
			require.Zero(t, s.fail("quiet@example.org"), "not forgotten yet: the wait was over, this is a failure past the free ones")
			require.Equal(t, 2*time.Second, s.fail("quiet@example.org"))
			s.clock.Advance(pulse.SignInForget)
			assert.Zero(t, s.fail("quiet@example.org"))
			assert.Zero(t, s.fail("quiet@example.org"), "the second failure of a fresh count is free again")
		})
	})
}

// Two replicas are two stores on one database: the attempts they begin in
// parallel all count against the account, none before another has settled.
func TestSignInThrottleParallelAttemptsAllCount(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			first, dsn := e.Open(t)
			second, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 10, MaxIdleConns: 5, Writers: config.Defaults().DBWriters})
			require.NoError(t, err)
			t.Cleanup(func() { _ = second.Close() })

			rule, now := pulse.SignInBackoff{Free: 3, Max: time.Minute}, time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			admitted := 0
			var wg sync.WaitGroup
			for i := range 20 {
				replica := []*store.DB{first, second}[i%2]
				wg.Go(func() {
					_, wait, err := replica.BeginSignIn(context.Background(), "target@example.org", rule, now)
					assert.NoError(t, err)
					if err == nil && wait == 0 {
						mu.Lock()
						admitted++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			assert.Equal(t, 3, admitted, "the free attempts, no more")
		})
	}
}

func TestPruneSignInThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newSignIns(t, db, 1, 2*time.Hour)
		t0 := s.clock.Now()
		prune := func(at time.Time) int64 {
			t.Helper()
			n, err := db.PruneSignInThrottle(ctx, at)
			require.NoError(t, err)
			return n
		}

		s.fail("sprayed@example.org")
		assert.Zero(t, prune(t0.Add(pulse.SignInForget-time.Second)), "nothing is quiet for an hour yet")
		assert.EqualValues(t, 1, prune(t0.Add(pulse.SignInForget)), "the sprayed email is forgotten")

		// Fail after each wait until the wait is longer than an hour.
		var wait time.Duration
		for wait <= pulse.SignInForget {
			s.clock.Advance(wait)
			wait = s.fail("patient@example.org")
		}
		last := s.clock.Now() // of the attempt that set this wait
		assert.Zero(t, prune(last.Add(pulse.SignInForget)), "a record still waiting stays, however quiet")
		assert.EqualValues(t, 1, prune(last.Add(wait)), "and goes once its wait is over")
	})
}
