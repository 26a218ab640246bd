package telemetry

import (
	"context"
	"fmt"
	"time"

	"pulse/internal/pulse"
)

// MaxHours is the longest series Hourly answers (31 days), far beyond the
// default retention; it bounds the work a single call can ask for.
const MaxHours = 31 * 24

// Service answers pulse.TelemetryService from the shared rollups of every
// instance, with this instance's in-memory minutes layered on top.
//
// When the store fails, both methods return its error (wrapped, so
// pulse.ErrorCode still sees the store's code): a partial answer from memory
// alone would silently hide every other instance's traffic, and the caller
// already treats the database as down.
type Service struct {
	rec   *Recorder
	store pulse.RollupStore
}

var _ pulse.TelemetryService = (*Service)(nil)

// NewService returns the TelemetryService over rec and store.
func NewService(rec *Recorder, store pulse.RollupStore) *Service {
	return &Service{rec: rec, store: store}
}

// LastHour covers the 60 minutes ending with the current (partial) one.
func (s *Service) LastHour(ctx context.Context, now time.Time) (pulse.RequestStats, error) {
	cur := now.UTC().Truncate(time.Minute)
	since := cur.Add(-59 * time.Minute)
	var acc window
	err := s.accumulate(ctx, since, cur.Add(time.Minute), func(time.Time) *window { return &acc })
	if err != nil {
		return pulse.RequestStats{}, err
	}
	return acc.stats(NewHistogram()), nil
}

// Hourly returns `hours` UTC clock hours ending with the current one, oldest
// first, zeros for hours without traffic. hours must be in [1, MaxHours].
func (s *Service) Hourly(ctx context.Context, now time.Time, hours int) ([]pulse.HourlyStats, error) {
	if hours < 1 || hours > MaxHours {
		return nil, pulse.Errorf(pulse.EINVALID, "hours must be between 1 and %d", MaxHours)
	}
	cur := now.UTC().Truncate(time.Hour)
	first := cur.Add(-time.Duration(hours-1) * time.Hour)
	accs := make([]window, hours)
	err := s.accumulate(ctx, first, cur.Add(time.Hour), func(minute time.Time) *window {
		return &accs[int(minute.Sub(first)/time.Hour)]
	})
	if err != nil {
		return nil, err
	}
	out := make([]pulse.HourlyStats, hours)
	scratch := NewHistogram() // one 18 KB histogram reused for every hour
	for i := range accs {
		out[i] = pulse.HourlyStats{Hour: first.Add(time.Duration(i) * time.Hour), RequestStats: accs[i].stats(scratch)}
	}
	return out, nil
}

// window gathers the minutes of one reported period. Histograms are kept as
// sources and merged only when the stats are computed, so a long series
// needs one histogram at a time rather than one per hour.
type window struct {
	requests, errors, clientErrors int64
	memory                         []*Histogram
	encoded                        [][]byte
}

func (w *window) stats(scratch *Histogram) pulse.RequestStats {
	scratch.Reset()
	for _, h := range w.memory {
		scratch.Merge(h)
	}
	for _, b := range w.encoded {
		// A corrupt row loses its latencies, not the whole answer: one bad
		// row must not blank the dashboard for the retention period.
		_ = scratch.MergeBinary(b)
	}
	return pulse.RequestStats{
		Requests:     w.requests,
		Errors:       w.errors,
		ClientErrors: w.clientErrors,
		P95Ms:        scratch.Quantile(0.95),
	}
}

// accumulate adds every minute in [since, until) of every instance to the
// window bucket(minute) returns. This instance's minutes still in memory
// replace its stored rows of the same minute: memory is cumulative and
// newer, and holds the minutes not flushed yet.
func (s *Service) accumulate(ctx context.Context, since, until time.Time, bucket func(minute time.Time) *window) error {
	inWindow := func(m time.Time) bool { return !m.Before(since) && m.Before(until) }

	// Memory first: a minute that leaves memory after this snapshot has
	// been flushed before, so the store read below still has it.
	snaps := s.rec.snapshot()
	inMemory := make(map[int64]bool, len(snaps))
	for _, snap := range snaps {
		if !inWindow(snap.minute) {
			continue
		}
		inMemory[snap.minute.Unix()] = true
		w := bucket(snap.minute)
		w.requests += int64(snap.requests)
		w.errors += int64(snap.errors)
		w.clientErrors += int64(snap.clientErrors)
		w.memory = append(w.memory, snap.hist)
	}

	rows, err := s.store.ListRollups(ctx, since)
	if err != nil {
		return fmt.Errorf("telemetry: list rollups: %w", err)
	}
	for _, r := range rows {
		minute := r.Minute.UTC().Truncate(time.Minute)
		if !inWindow(minute) || (r.Instance == s.rec.instance && inMemory[minute.Unix()]) {
			continue
		}
		w := bucket(minute)
		w.requests += r.Requests
		w.errors += r.Errors
		w.clientErrors += r.ClientErrors
		if len(r.Histogram) > 0 {
			w.encoded = append(w.encoded, r.Histogram)
		}
	}
	return nil
}
