package access

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// TouchEvery is how often, at most, a key's last use is written per replica:
// "last used" is good to about a minute without a write per request.
const TouchEvery = time.Minute

// APIKeys verifies ingestion keys. Keys are kept by hash for at most MaxAge
// (revoked ones too, so that a revoked key costs no query per request);
// unknown hashes are not kept, so random guesses cannot fill memory.
type APIKeys struct {
	store pulse.APIKeyStore
	now   func() time.Time
	log   *slog.Logger
	c     *cache[string, pulse.APIKey]

	mu      sync.Mutex
	touched map[int64]time.Time // by key id: the last use this process wrote
}

// NewAPIKeys reads keys from s; now is the clock (time.Now when nil), log
// receives failed last-use writes (nil discards).
func NewAPIKeys(s pulse.APIKeyStore, now func() time.Time, log *slog.Logger) *APIKeys {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &APIKeys{store: s, now: now, log: log, c: newCache(now, s.APIKeyByHash, nil), touched: map[int64]time.Time{}}
}

var invalidKey = pulse.Errorf(pulse.EUNAUTHORIZED, "The API key is not valid.")

// Verify returns the active key whose secret this is: EUNAUTHORIZED when it
// is unknown or revoked (the same answer for both). It records the key's use
// when the last one written is TouchEvery old.
func (k *APIKeys) Verify(ctx context.Context, secret string) (pulse.APIKey, error) {
	key, _, err := k.c.get(ctx, auth.HashAPIKey(secret))
	switch {
	case pulse.ErrorCode(err) == pulse.ENOTFOUND:
		return pulse.APIKey{}, invalidKey
	case err != nil:
		return pulse.APIKey{}, err
	case key.Revoked():
		return pulse.APIKey{}, invalidKey
	}
	k.touch(ctx, key)
	return key, nil
}

func (k *APIKeys) touch(ctx context.Context, key pulse.APIKey) {
	now := k.now()
	k.mu.Lock()
	last := key.LastUsedAt
	if t := k.touched[key.ID]; t.After(last) {
		last = t
	}
	due := now.Sub(last) >= TouchEvery
	if due {
		// Marked before the write: a failing database is not asked again on
		// every request.
		k.touched[key.ID] = now
	}
	k.mu.Unlock()
	if !due {
		return
	}
	if err := k.store.TouchAPIKey(ctx, key.ID, now); err != nil {
		k.log.WarnContext(ctx, "could not record an API key's last use", "key_id", key.ID, "err", err)
	}
}
