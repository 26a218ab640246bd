package access

import (
	"context"
	"sync"
	"time"

	"pulse/internal/pulse"
)

// Revocations knows which admin tokens were signed out. The ids of unexpired
// revoked tokens are read whole, at most once per MaxAge: one query per
// replica, however many admins and requests. The table only holds sign-outs
// of the last token lifetime, and expired ids are pruned at each sign-out.
type Revocations struct {
	store pulse.RevokedTokenStore
	now   func() time.Time
	c     *cache[struct{}, map[string]struct{}]

	// local holds the ids this process revoked, so that they are refused here
	// at once rather than at the next read.
	mu    sync.Mutex
	local map[string]time.Time
}

// NewRevocations reads and records revoked tokens in s; now is the clock
// (time.Now when nil).
func NewRevocations(s pulse.RevokedTokenStore, now func() time.Time) *Revocations {
	if now == nil {
		now = time.Now
	}
	r := &Revocations{store: s, now: now, local: map[string]time.Time{}}
	r.c = newCache(now, func(ctx context.Context, _ struct{}) (map[string]struct{}, error) {
		ids, err := s.RevokedTokens(ctx, now())
		if err != nil {
			return nil, err
		}
		set := make(map[string]struct{}, len(ids))
		for _, id := range ids {
			set[id] = struct{}{}
		}
		return set, nil
	}, nil)
	return r
}

// Revoked reports whether the token id was signed out, by this process or,
// up to MaxAge ago, by any. When the store cannot be reached the last list
// read is used however old, with stale set; if none was ever read, the
// EUNAVAILABLE error is returned.
func (r *Revocations) Revoked(ctx context.Context, id string) (revoked, stale bool, err error) {
	r.mu.Lock()
	_, mine := r.local[id]
	r.mu.Unlock()
	if mine {
		return true, false, nil
	}
	set, stale, err := r.c.get(ctx, struct{}{})
	if err != nil {
		return false, false, err
	}
	_, revoked = set[id]
	return revoked, stale, nil
}

// Revoke records that the token id, valid until expiresAt, was signed out,
// and forgets the ids of tokens that have expired since.
func (r *Revocations) Revoke(ctx context.Context, id string, expiresAt time.Time) error {
	if err := r.store.RevokeToken(ctx, id, expiresAt); err != nil {
		return err
	}
	now := r.now()
	r.mu.Lock()
	r.local[id] = expiresAt
	for k, exp := range r.local {
		if !exp.After(now) {
			delete(r.local, k)
		}
	}
	r.mu.Unlock()
	// Pruning is housekeeping: the sign-out is recorded whether it works or not.
	_, _ = r.store.PruneRevokedTokens(ctx, now)
	return nil
}
