package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"pulse/internal/pulse"
)

// FlusherConfig configures a Flusher. The durations are taken as given (the
// configuration owns their defaults); Run needs a positive FlushInterval,
// Prune a positive Retention.
type FlusherConfig struct {
	FlushInterval time.Duration // how often minutes are upserted
	Retention     time.Duration // rollups older than this are pruned
	Logger        *slog.Logger  // flush and prune failures; nil is slog.Default()
}

const (
	pruneInterval     = time.Hour       // how often Run prunes
	finalFlushTimeout = 5 * time.Second // budget of the flush on shutdown
)

// Flusher writes the Recorder's minutes to the shared RollupStore and prunes
// old rollups. Time comes from the Recorder's clock.
type Flusher struct {
	rec   *Recorder
	store pulse.RollupStore
	cfg   FlusherConfig

	mu        sync.Mutex       // one flush at a time
	flushed   map[int64]uint64 // Unix minute → fingerprint last upserted
	lastPrune time.Time
}

// NewFlusher returns a Flusher of rec's minutes into store.
func NewFlusher(rec *Recorder, store pulse.RollupStore, cfg FlusherConfig) *Flusher {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Flusher{rec: rec, store: store, cfg: cfg, flushed: make(map[int64]uint64)}
}

// Run flushes every FlushInterval and prunes about every pruneInterval until
// ctx is canceled, then flushes once more with a fresh finalFlushTimeout
// context and returns that last flush's error. Failures while running are
// logged and retried on the next tick (a minute stays in memory for
// ringSize minutes).
func (f *Flusher) Run(ctx context.Context) error {
	t := time.NewTicker(f.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return f.finalFlush(ctx)
		case <-t.C:
			f.tick(ctx)
		}
	}
}

func (f *Flusher) finalFlush(ctx context.Context) error {
	// WithoutCancel keeps ctx's values but not its cancellation: the last
	// minutes must still reach the store on shutdown.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
	defer cancel()
	return f.Flush(ctx)
}

func (f *Flusher) tick(ctx context.Context) {
	if err := f.Flush(ctx); err != nil && ctx.Err() == nil {
		f.cfg.Logger.Error("telemetry: flush rollups", "err", err)
	}
	now := f.rec.now()
	if now.Sub(f.lastPrune) < pruneInterval {
		return
	}
	if n, err := f.Prune(ctx); err != nil {
		if ctx.Err() == nil {
			f.cfg.Logger.Error("telemetry: prune rollups", "err", err)
		}
	} else if n > 0 {
		f.cfg.Logger.Debug("telemetry: pruned rollups", "rows", n)
	}
	// Also after a failure: the next attempt waits a full interval rather
	// than hammering a database that is down.
	f.lastPrune = now
}

// Flush upserts every minute in memory that changed since it was last
// written (in practice the current minute and the one just completed). The
// rows are cumulative, so writing a minute again replaces it.
func (f *Flusher) Flush(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	snaps := f.rec.snapshot()
	var rows []pulse.Rollup
	var prints []uint64
	for _, s := range snaps {
		fp := s.fingerprint()
		if f.flushed[s.minute.Unix()/60] == fp {
			continue
		}
		rows = append(rows, s.rollup(f.rec.instance))
		prints = append(prints, fp)
	}
	if len(rows) > 0 {
		if err := f.store.UpsertRollups(ctx, rows); err != nil {
			return fmt.Errorf("telemetry: upsert rollups: %w", err)
		}
	}
	// Remember what is stored, and forget minutes no longer in memory.
	inMemory := make(map[int64]bool, len(snaps))
	for _, s := range snaps {
		inMemory[s.minute.Unix()/60] = true
	}
	for m := range f.flushed {
		if !inMemory[m] {
			delete(f.flushed, m)
		}
	}
	for i, r := range rows {
		f.flushed[r.Minute.Unix()/60] = prints[i]
	}
	return nil
}

// Prune deletes rollups older than Retention and returns how many.
func (f *Flusher) Prune(ctx context.Context) (int64, error) {
	before := f.rec.now().UTC().Add(-f.cfg.Retention).Truncate(time.Minute)
	n, err := f.store.PruneRollups(ctx, before)
	if err != nil {
		return 0, fmt.Errorf("telemetry: prune rollups: %w", err)
	}
	return n, nil
}
