package pulse

import "time"

// SignInForget is how long after its last attempt, once no wait is pending,
// an account's failed sign-ins are forgotten.
const SignInForget = time.Hour

// SignInBackoff is the per-account sign-in rule, the one place it is written:
// after Free consecutive failed sign-ins for one email, from any address,
// each further attempt must wait 1s, 2s, 4s… up to Max. The store applies it
// under a row lock, so that every replica counts against the same account.
type SignInBackoff struct {
	Free int
	Max  time.Duration
}

// SignInFailures is one account's record of failed sign-ins, as every
// replica shares it.
type SignInFailures struct {
	Failures int       // consecutive, attempts in progress included
	Until    time.Time // no attempt before (zero: none pending)
	Last     time.Time // the last attempt
}

// Forgotten tells whether the record no longer counts at now: quiet for
// SignInForget and not waiting.
func (f SignInFailures) Forgotten(now time.Time) bool {
	return now.Sub(f.Last) >= SignInForget && !now.Before(f.Until)
}

// SignInAttempt is one reserved attempt at an account's password, to be
// settled by the store's SignInSucceeded or RefundSignIn. The zero attempt
// reserved nothing; settling it does nothing.
type SignInAttempt struct {
	// Account is the store's key for the email (never the email itself).
	Account     string
	Until, Prev time.Time // the wait this attempt set, and the one before it
}

// Begin reserves an attempt at now (the store names its Account), or says
// how long to wait and changes nothing. The attempt counts as a failure from
// the start, so that guesses sent in parallel cannot all pass before the
// first has failed.
func (b SignInBackoff) Begin(f SignInFailures, now time.Time) (SignInFailures, SignInAttempt, time.Duration) {
	if f.Forgotten(now) {
		f = SignInFailures{}
	}
	if now.Before(f.Until) {
		return f, SignInAttempt{}, f.Until.Sub(now)
	}
	prev := f.Until
	f.Failures++
	f.Last = now
	// Waiting starts after a failure at the earliest: 0 free failures would
	// mean the same as 1.
	if n := f.Failures - max(b.Free, 1); n >= 0 {
		f.Until = now.Add(b.wait(n))
	}
	return f, SignInAttempt{Until: f.Until, Prev: prev}, 0
}

// wait is the wait after the n-th failure past the free ones (from 0).
func (b SignInBackoff) wait(n int) time.Duration { return Doubling(time.Second, b.Max, n) }

// Doubling is first doubled n times, capped at most: the waits of a retry or
// a backoff that grows until it reaches its cap.
func Doubling(first, most time.Duration, n int) time.Duration {
	d := first
	for ; n > 0 && d < most; n-- {
		d *= 2
	}
	return min(d, most)
}

// Refund takes back attempt a, which could not be judged (the database did
// not answer): an outage is not a wrong password. The wait before it comes
// back only if no later attempt changed the one a set.
func (f SignInFailures) Refund(a SignInAttempt) SignInFailures {
	if f.Failures == 0 {
		return f
	}
	f.Failures--
	if f.Until.Equal(a.Until) {
		f.Until = a.Prev
	}
	return f
}
