package httpapi

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccountThrottle(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

	t.Run("ParallelGuessesCannotOvertakeTheirFailures", func(t *testing.T) {
		th := newAccountThrottle(3, time.Minute)
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				// None settles before all have asked: like 50 requests
				// all still checking their password.
				if _, wait := th.begin("a@example.org", t0); wait == 0 {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Equal(t, 3, admitted, "the free attempts, no more")
	})

	t.Run("RefundedAttemptIsNotAFailure", func(t *testing.T) {
		th := newAccountThrottle(1, time.Minute)
		a, wait := th.begin("a@example.org", t0)
		require.Zero(t, wait)
		th.refund(a) // the database did not answer
		_, wait = th.begin("a@example.org", t0)
		assert.Zero(t, wait)
	})

	t.Run("QuietAccountStartsAfresh", func(t *testing.T) {
		th := newAccountThrottle(2, time.Minute)
		th.begin("a@example.org", t0)
		th.begin("a@example.org", t0)
		_, wait := th.begin("a@example.org", t0)
		require.Equal(t, time.Second, wait)
		_, wait = th.begin("a@example.org", t0.Add(throttleForget))
		assert.Zero(t, wait)
		_, wait = th.begin("a@example.org", t0.Add(throttleForget))
		assert.Zero(t, wait, "the second failure of a fresh count is free again")
	})

	t.Run("FullTableKeepsThrottlingItsAccounts", func(t *testing.T) {
		th := newAccountThrottle(1, time.Minute)
		for i := range throttleMaxAccounts {
			th.begin(fmt.Sprintf("spray%d@example.org", i), t0)
		}
		_, wait := th.begin("spray0@example.org", t0)
		assert.Equal(t, time.Second, wait, "an account already throttled stays so")
		_, wait = th.begin("new@example.org", t0)
		assert.Zero(t, wait, "a new one goes untracked")
		assert.Len(t, th.accounts, throttleMaxAccounts)

		later := t0.Add(throttleForget)
		_, wait = th.begin("new@example.org", later)
		assert.Zero(t, wait)
		assert.Len(t, th.accounts, 1, "quiet accounts were forgotten to make room")
	})
}
