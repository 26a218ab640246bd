package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"pulse/internal/pulse"
)

// FlusherConfig configures a Flusher. The interval is taken as given (the
// configuration owns its default); Run needs it positive.
type FlusherConfig struct {
	FlushInterval time.Duration // how often minutes are upserted
	Logger        *slog.Logger  // flush failures; nil is slog.Default()
}

// finalFlushTimeout is the budget of the flush on shutdown.
const finalFlushTimeout = 5 * time.Second

// Flusher writes the Recorder's minutes to the shared RollupStore. Time
// comes from the Recorder's clock. A Recorder has one Flusher: what has been
// written is kept in the Recorder's slots. Old rollups are pruned by the
// lifecycle pass (internal/lifecycle), with the rest of the retention rules.
type Flusher struct {
	rec   *Recorder
	store pulse.RollupStore
	cfg   FlusherConfig

	mu           sync.Mutex // one flush at a time
	failures     int        // consecutive failed flushes
	failingSince time.Time  // the first of them, by the Recorder's clock
}

// NewFlusher returns a Flusher of rec's minutes into store.
func NewFlusher(rec *Recorder, store pulse.RollupStore, cfg FlusherConfig) *Flusher {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Flusher{rec: rec, store: store, cfg: cfg}
}

// Run flushes every FlushInterval until ctx is canceled, then flushes once more with a fresh finalFlushTimeout
// context and returns that last flush's error. Failures while running are
// logged and retried on the next tick (a minute stays in memory for
// ringSize minutes, an hour); the first flush that succeeds after failures
// says so, with how many minutes it caught up.
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
}

// Flush upserts every minute in memory that has requests the store does not
// have yet (in practice the current minute and the one just completed; after
// an outage, every minute since it began, up to ringSize). The rows are
// cumulative, so writing a minute again replaces it.
func (f *Flusher) Flush(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	snaps := f.rec.snapshot()
	if len(snaps) == 0 {
		return nil
	}
	rows := make([]pulse.Rollup, len(snaps))
	for i, s := range snaps {
		rows[i] = s.rollup(f.rec.instance)
	}
	if err := f.store.UpsertRollups(ctx, rows); err != nil {
		if f.failures == 0 {
			f.failingSince = f.rec.now()
		}
		f.failures++
		return fmt.Errorf("telemetry: upsert rollups: %w", err)
	}
	for _, s := range snaps {
		f.rec.markFlushed(s)
	}
	if f.failures > 0 {
		f.cfg.Logger.Info(fmt.Sprintf("telemetry: flush recovered after %d failures, %d minutes written", f.failures, len(rows)),
			"failures", f.failures, "minutes", len(rows), "failing_for", f.rec.now().Sub(f.failingSince).Round(time.Second).String())
		f.failures = 0
	}
	return nil
}
