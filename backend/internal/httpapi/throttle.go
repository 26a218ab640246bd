package httpapi

import (
	"sync"
	"time"
)

const (
	// backoffBase is the first wait once an account's free failures are
	// spent; each further failure doubles it.
	backoffBase = time.Second
	// throttleForget is how long after its last failed attempt an account
	// starts afresh.
	throttleForget = time.Hour
	// throttleMaxAccounts bounds the memory a spray of made-up emails can
	// take. When the table is full, accounts already in it stay throttled
	// and new ones go untracked (the per-address limit still applies):
	// evicting instead would let a flood of other emails free the target.
	throttleMaxAccounts = 50_000
)

// accountThrottle slows password guessing against one account, from however
// many addresses it comes: after `free` consecutive failed sign-ins, each
// further attempt must wait 1s, 2s, 4s… up to max. A success clears the
// account. Unknown emails are throttled alike, so the answer does not tell
// whether an account exists. It is per process, like the per-address limit.
type accountThrottle struct {
	free int
	max  time.Duration

	mu        sync.Mutex
	accounts  map[string]*throttled
	lastSweep time.Time
}

type throttled struct {
	failures int       // consecutive, attempts in progress included
	until    time.Time // no attempt before
	last     time.Time // the last attempt
}

// attempt is one reserved sign-in attempt, to be settled by succeeded or
// refund.
type attempt struct {
	email       string
	until, prev time.Time
}

func newAccountThrottle(free int, maxWait time.Duration) *accountThrottle {
	// Waiting starts after a failure at the earliest: 0 free failures
	// would mean the same as 1.
	return &accountThrottle{free: max(free, 1), max: maxWait, accounts: map[string]*throttled{}}
}

// begin reserves an attempt at email's password, or says how long to wait.
// The attempt counts as a failure from the start, so that guesses sent in
// parallel cannot all pass before the first of them has failed.
func (t *accountThrottle) begin(email string, now time.Time) (attempt, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.accounts[email]
	if ok && now.Sub(a.last) >= throttleForget && !now.Before(a.until) {
		*a = throttled{}
	}
	if !ok {
		if len(t.accounts) >= throttleMaxAccounts && !t.sweep(now) {
			return attempt{}, 0
		}
		a = &throttled{}
		t.accounts[email] = a
	}
	if now.Before(a.until) {
		return attempt{}, a.until.Sub(now)
	}
	a.failures++
	a.last = now
	prev := a.until
	if n := a.failures - t.free; n >= 0 {
		a.until = now.Add(t.backoff(n))
	}
	return attempt{email: email, until: a.until, prev: prev}, 0
}

// backoff is the wait after the n-th failure past the free ones (from 0).
func (t *accountThrottle) backoff(n int) time.Duration {
	d := backoffBase
	for ; n > 0 && d < t.max; n-- {
		d *= 2
	}
	return min(d, t.max)
}

// succeeded clears the account: the right password ends the backoff.
func (t *accountThrottle) succeeded(a attempt) {
	if a.email == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, a.email)
}

// refund takes back an attempt that could not be judged (the database did
// not answer): an outage is not a wrong password.
func (t *accountThrottle) refund(a attempt) {
	if a.email == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if acc, ok := t.accounts[a.email]; ok && acc.failures > 0 {
		acc.failures--
		if acc.until.Equal(a.until) {
			acc.until = a.prev
		}
	}
}

// sweep forgets accounts quiet for throttleForget, at most once a minute,
// and tells whether there is room for one more.
func (t *accountThrottle) sweep(now time.Time) bool {
	if now.Sub(t.lastSweep) >= time.Minute {
		t.lastSweep = now
		for email, a := range t.accounts {
			if now.Sub(a.last) >= throttleForget && !now.Before(a.until) {
				delete(t.accounts, email)
			}
		}
	}
	return len(t.accounts) < throttleMaxAccounts
}
