package telemetry

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// trafficFixture builds stored rows and in-memory minutes and remembers the
// latencies that must be reported for each window.
type trafficFixture struct {
	t     *testing.T
	rng   *rand.Rand
	rec   *Recorder
	store *fakeStore
}

func newTrafficFixture(t *testing.T, now time.Time) *trafficFixture {
	return &trafficFixture{
		t:     t,
		rng:   rand.New(rand.NewPCG(3, 4)),
		rec:   newTestRecorder(testclock.New(now)),
		store: newFakeStore(),
	}
}

// latencies returns n latencies around medianMs.
func (f *trafficFixture) latencies(n int, medianMs float64) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(medianMs * (0.5 + f.rng.Float64()) * float64(time.Millisecond))
	}
	return out
}

// stored puts a row of n requests (errs of them 5xx) and returns its latencies.
func (f *trafficFixture) stored(instance string, minute time.Time, n, errs int, medianMs float64) []time.Duration {
	ls := f.latencies(n, medianMs)
	f.store.put(pulse.Rollup{Minute: minute, Instance: instance, Requests: int64(n), Errors: int64(errs),
		ClientErrors: 1, Histogram: MustEncode(f.t, ls...)})
	return ls
}

// recorded records n requests of this instance (errs of them 5xx) in memory.
func (f *trafficFixture) recorded(minute time.Time, n, errs int, medianMs float64) []time.Duration {
	ls := f.latencies(n, medianMs)
	for i, d := range ls {
		status := 200
		if i < errs {
			status = 500
		}
		f.rec.Record("/api/sessions", "GET", status, d, minute.Add(time.Second))
	}
	return ls
}

func TestServiceLastHour(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(30*time.Minute + 20*time.Second) // 15:30:20; window is 14:31..15:30
	cur := now.Truncate(time.Minute)

	t.Run("MergesInstancesAndUnflushedMemory", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		var want []time.Duration
		// Instance b, known only from the store.
		want = append(want, f.stored("b", cur.Add(-59*time.Minute), 100, 2, 40)...)
		want = append(want, f.stored("b", cur.Add(-20*time.Minute), 300, 1, 900)...)
		f.stored("b", cur.Add(-60*time.Minute), 1000, 1000, 5000) // just outside
		f.stored("b", cur.Add(time.Minute), 1000, 1000, 5000)     // clock skew: the future
		// This instance: an old flushed minute, a flushed-but-stale copy of
		// a minute still in memory, and a minute not flushed yet.
		want = append(want, f.stored("a", cur.Add(-30*time.Minute), 50, 0, 10)...)
		f.stored("a", cur.Add(-time.Minute), 1000, 1000, 5000) // stale: memory replaces it
		want = append(want, f.recorded(cur.Add(-time.Minute), 200, 3, 20)...)
		want = append(want, f.recorded(cur, 80, 1, 300)...)

		got, err := NewService(f.rec, f.store).LastHour(ctx, now)
		require.NoError(t, err)

		assert.Equal(t, int64(len(want)), got.Requests)
		assert.Equal(t, int64(2+1+0+3+1), got.Errors)
		assert.Equal(t, int64(3), got.ClientErrors, "one per stored row in the window")
		exact := exactQuantileMs(want, 95)
		assert.InEpsilon(t, exact, got.P95Ms, 0.01)
	})

	t.Run("QuietHourIsZero", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		got, err := NewService(f.rec, f.store).LastHour(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, pulse.RequestStats{}, got)
	})

	t.Run("StoreErrorIsReturned", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		f.recorded(cur, 10, 0, 20)
		f.store.setErr(pulse.Errorf(pulse.EUNAVAILABLE, "database down"))

		_, err := NewService(f.rec, f.store).LastHour(ctx, now)
		require.Error(t, err)
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
	})

	t.Run("CorruptRowKeepsItsCountsButNotItsLatencies", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		want := f.stored("b", cur, 10, 0, 100)
		f.store.put(pulse.Rollup{Minute: cur.Add(-time.Minute), Instance: "b", Requests: 5, Histogram: []byte("garbage")})

		got, err := NewService(f.rec, f.store).LastHour(ctx, now)
		require.NoError(t, err)
		assert.Equal(t, int64(15), got.Requests)
		assert.InEpsilon(t, exactQuantileMs(want, 95), got.P95Ms, 0.01)
	})
}

func TestServiceHourly(t *testing.T) {
	ctx := context.Background()
	now := t0.Add(30 * time.Minute) // 15:30; hours 12:00, 13:00, 14:00, 15:00

	t.Run("ReturnsNConsecutiveHoursOldestFirst", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		f.stored("b", t0.Add(-3*time.Hour-time.Minute), 1000, 1000, 5000) // 11:59, before the series
		h12 := append(f.stored("b", t0.Add(-3*time.Hour), 100, 1, 30), f.stored("a", t0.Add(-2*time.Hour-time.Minute), 50, 2, 60)...)
		h14 := f.stored("b", t0.Add(-15*time.Minute), 40, 0, 700)
		h15 := append(f.stored("b", t0.Add(29*time.Minute), 10, 0, 10), f.recorded(t0.Add(30*time.Minute), 30, 3, 200)...)

		got, err := NewService(f.rec, f.store).Hourly(ctx, now, 4)
		require.NoError(t, err)
		require.Len(t, got, 4)
		for i, h := range got {
			assert.Equal(t, t0.Add(time.Duration(i-3)*time.Hour), h.Hour, "hour %d", i)
		}
		assert.Equal(t, int64(150), got[0].Requests)
		assert.Equal(t, int64(3), got[0].Errors)
		assert.Equal(t, int64(2), got[0].ClientErrors)
		assert.InEpsilon(t, exactQuantileMs(h12, 95), got[0].P95Ms, 0.01)

		assert.Equal(t, pulse.RequestStats{}, got[1].RequestStats, "an hour without traffic is zeros")

		assert.Equal(t, int64(40), got[2].Requests)
		assert.InEpsilon(t, exactQuantileMs(h14, 95), got[2].P95Ms, 0.01)

		assert.Equal(t, int64(40), got[3].Requests)
		assert.Equal(t, int64(3), got[3].Errors)
		assert.InEpsilon(t, exactQuantileMs(h15, 95), got[3].P95Ms, 0.01)
	})

	t.Run("OneHourIsTheCurrentHour", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		got, err := NewService(f.rec, f.store).Hourly(ctx, now, 1)
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, t0, got[0].Hour)
	})

	t.Run("HoursAreUTC", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		local := now.In(time.FixedZone("IST", 5*3600+1800)) // a half-hour offset
		got, err := NewService(f.rec, f.store).Hourly(ctx, local, 2)
		require.NoError(t, err)
		assert.Equal(t, []time.Time{t0.Add(-time.Hour), t0}, []time.Time{got[0].Hour, got[1].Hour})
	})

	t.Run("InvalidHoursAreRejected", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		for _, hours := range []int{0, -1, MaxHours + 1} {
			_, err := NewService(f.rec, f.store).Hourly(ctx, now, hours)
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err), "hours=%d", hours)
		}
	})

	t.Run("StoreErrorIsReturned", func(t *testing.T) {
		f := newTrafficFixture(t, now)
		f.store.setErr(pulse.Errorf(pulse.EUNAVAILABLE, "database down"))
		_, err := NewService(f.rec, f.store).Hourly(ctx, now, 24)
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(err))
	})
}
