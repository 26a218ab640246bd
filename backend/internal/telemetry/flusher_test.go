package telemetry

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// newTestFlusher fills what cfg leaves zero with the configuration's defaults.
func newTestFlusher(rec *Recorder, store *fakeStore, cfg FlusherConfig) *Flusher {
	d := config.Defaults()
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = d.TelemetryFlush
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return NewFlusher(rec, store, cfg)
}

func TestFlusherFlush(t *testing.T) {
	ctx := context.Background()

	t.Run("WritesEveryMinuteInMemory", func(t *testing.T) {
		clock := testclock.New(t0.Add(90 * time.Second))
		rec, store := newTestRecorder(clock), newFakeStore()
		rec.Record("/api/sessions", "GET", 200, 10*time.Millisecond, t0.Add(time.Second))
		rec.Record("/api/sessions", "GET", 500, 20*time.Millisecond, t0.Add(2*time.Second))
		rec.Record("/api/sessions", "GET", 404, 30*time.Millisecond, t0.Add(61*time.Second))

		require.NoError(t, newTestFlusher(rec, store, FlusherConfig{}).Flush(ctx))

		row, ok := store.row(t0, "a")
		require.True(t, ok)
		assert.Equal(t, pulse.Rollup{Minute: t0, Instance: "a", Requests: 2, Errors: 1, ClientErrors: 0,
			Histogram: MustEncode(t, 10*time.Millisecond, 20*time.Millisecond)}, row)
		row, ok = store.row(t0.Add(time.Minute), "a")
		require.True(t, ok)
		assert.Equal(t, int64(1), row.ClientErrors)
	})

	t.Run("UpsertingAgainReplacesTheMinute", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{})
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		require.NoError(t, f.Flush(ctx))
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0.Add(time.Second))
		require.NoError(t, f.Flush(ctx))

		assert.Equal(t, 1, store.count(), "one row per minute and instance")
		row, _ := store.row(t0, "a")
		assert.Equal(t, int64(2), row.Requests, "cumulative")
	})

	t.Run("UnchangedMinutesAreNotRewritten", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{})
		require.NoError(t, f.Flush(ctx))
		assert.Zero(t, store.upserts, "nothing to write")

		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		require.NoError(t, f.Flush(ctx))
		require.NoError(t, f.Flush(ctx))
		assert.Equal(t, 1, store.upserts)
	})

	t.Run("FailedFlushIsRetried", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{})
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)

		store.setErr(pulse.Errorf(pulse.EUNAVAILABLE, "database down"))
		err := f.Flush(ctx)
		require.Error(t, err)
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))

		store.setErr(nil)
		require.NoError(t, f.Flush(ctx))
		_, ok := store.row(t0, "a")
		assert.True(t, ok)
	})
}

func TestFlusherRun(t *testing.T) {
	t.Run("FlushesEveryInterval", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{FlushInterval: time.Millisecond})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- f.Run(ctx) }()

		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		assert.Eventually(t, func() bool { _, ok := store.row(t0, "a"); return ok }, 5*time.Second, time.Millisecond)
		cancel()
		assert.NoError(t, <-done)
	})

	t.Run("FlushesOnceMoreOnShutdown", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{FlushInterval: time.Hour}) // never ticks
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- f.Run(ctx) }()

		rec.Record("/api/sessions", "GET", 503, time.Millisecond, t0)
		cancel()
		require.NoError(t, <-done)

		row, ok := store.row(t0, "a")
		require.True(t, ok)
		assert.Equal(t, int64(1), row.Errors)
		assert.Equal(t, []bool{true}, store.upsertCtxOK, "the final flush gets a live context")
	})

	t.Run("FinalFlushErrorIsReturned", func(t *testing.T) {
		rec, store := newTestRecorder(testclock.New(t0)), newFakeStore()
		f := newTestFlusher(rec, store, FlusherConfig{FlushInterval: time.Hour})
		rec.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		store.setErr(pulse.Errorf(pulse.EUNAVAILABLE, "database down"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Error(t, f.Run(ctx))
	})
}
