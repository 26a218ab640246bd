package telemetry

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"pulse/internal/pulse"
)

type rollupKey struct {
	minute   int64
	instance string
}

// fakeStore is an in-memory pulse.RollupStore that records its calls.
type fakeStore struct {
	mu          sync.Mutex
	rows        map[rollupKey]pulse.Rollup
	upserts     int // calls to UpsertRollups
	upsertCtxOK []bool
	err         error // returned by every method when set
}

func newFakeStore() *fakeStore { return &fakeStore{rows: make(map[rollupKey]pulse.Rollup)} }

func (s *fakeStore) UpsertRollups(ctx context.Context, rs []pulse.Rollup) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.upsertCtxOK = append(s.upsertCtxOK, ctx.Err() == nil)
	if s.err != nil {
		return s.err
	}
	s.upserts++
	for _, r := range rs {
		r.Histogram = append([]byte(nil), r.Histogram...)
		s.rows[rollupKey{r.Minute.Unix(), r.Instance}] = r
	}
	return nil
}

func (s *fakeStore) ListRollups(_ context.Context, since time.Time) ([]pulse.Rollup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	var out []pulse.Rollup
	for _, r := range s.rows {
		if !r.Minute.Before(since) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Minute.Before(out[j].Minute) })
	return out, nil
}

func (s *fakeStore) put(r pulse.Rollup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[rollupKey{r.Minute.Unix(), r.Instance}] = r
}

func (s *fakeStore) row(minute time.Time, instance string) (pulse.Rollup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rows[rollupKey{minute.Unix(), instance}]
	return r, ok
}

func (s *fakeStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rows)
}

func (s *fakeStore) setErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// MustEncode returns the encoding of a histogram of the given latencies.
func MustEncode(tb testing.TB, latencies ...time.Duration) []byte {
	tb.Helper()
	h := NewHistogram()
	for _, d := range latencies {
		h.Observe(d)
	}
	b, err := h.MarshalBinary()
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return b
}

// exactQuantileMs is the nearest-rank quantile (the ⌈p·n/100⌉-th smallest,
// in integer arithmetic) of latencies, in milliseconds.
func exactQuantileMs(latencies []time.Duration, percent int) float64 {
	sorted := append([]time.Duration(nil), latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	n := len(sorted)
	rank := (percent*n + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return float64(sorted[rank-1]) / float64(time.Millisecond)
}

// t0 is a fixed minute start used across tests.
var t0 = time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
