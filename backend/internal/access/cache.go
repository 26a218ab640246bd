// Package access answers, on every admin and ingestion request, whether a
// credential is still good now: the admin's current role and state, whether a
// token was signed out, whether an API key was revoked. Every answer comes
// from the store and is kept for at most MaxAge in this process, so a change
// made anywhere (another replica, the CLI) takes effect on every replica
// within MaxAge, for about one query per admin, per key and per replica every
// MaxAge instead of one per request.
package access

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"pulse/internal/pulse"
)

// MaxAge is how long an answer from the store is trusted: the longest a
// demotion, a disabled admin, a sign-out or a revoked API key takes to reach
// every replica.
const MaxAge = 5 * time.Second

// loadTimeout bounds one lookup shared by concurrent requests: it runs apart
// from the request that started it, so that request going away does not fail
// the others.
const loadTimeout = 5 * time.Second

// cache keeps, per key, the store's last answer for MaxAge. Concurrent misses
// for the same key share one lookup.
type cache[K comparable, V any] struct {
	now  func() time.Time
	load func(context.Context, K) (V, error)
	// keep tells which errors are answers worth remembering (ENOTFOUND for an
	// admin who is gone), rather than failures to get one.
	keep func(error) bool

	mu      sync.Mutex
	entries map[K]entry[V]
	flight  singleflight.Group
}

type entry[V any] struct {
	v   V
	err error
	at  time.Time
}

func newCache[K comparable, V any](now func() time.Time, load func(context.Context, K) (V, error), keep func(error) bool) *cache[K, V] {
	if now == nil {
		now = time.Now
	}
	if keep == nil {
		keep = func(error) bool { return false }
	}
	return &cache[K, V]{now: now, load: load, keep: keep, entries: map[K]entry[V]{}}
}

// get returns the store's answer for k, at most MaxAge old. When the store is
// unavailable (EUNAVAILABLE) and an earlier answer exists, however old, that
// answer is returned with stale set; without one, the error is.
func (c *cache[K, V]) get(ctx context.Context, k K) (v V, stale bool, err error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < MaxAge {
		return e.v, false, e.err
	}
	v, err = c.shared(ctx, k, now)
	switch {
	case err == nil || c.keep(err):
		return v, false, err
	case ok && pulse.ErrorCode(err) == pulse.EUNAVAILABLE:
		return e.v, true, e.err
	default:
		return v, false, err
	}
}

// shared loads k once for every concurrent caller and keeps the answer
// (taken at now) before the callers see it, so that a caller arriving just
// after the lookup ended finds it rather than starting another.
func (c *cache[K, V]) shared(ctx context.Context, k K, now time.Time) (V, error) {
	ch := c.flight.DoChan(fmt.Sprint(k), func() (any, error) {
		c.mu.Lock()
		e, ok := c.entries[k]
		c.mu.Unlock()
		if ok && now.Sub(e.at) < MaxAge {
			return e.v, e.err
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		v, err := c.load(ctx, k)
		if err == nil || c.keep(err) {
			c.mu.Lock()
			c.entries[k] = entry[V]{v: v, err: err, at: now}
			c.mu.Unlock()
		}
		return v, err
	})
	var zero V
	select {
	case r := <-ch:
		v, _ := r.Val.(V)
		return v, r.Err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return zero, pulse.Wrap(ctx.Err(), pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")
		}
		return zero, ctx.Err()
	}
}
