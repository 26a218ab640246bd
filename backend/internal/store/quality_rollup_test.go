package store_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// scanned is what the live figures were computed from before the rollup: a
// scan of the sessions (their running sums, and when each was last sampled).
type scanned struct {
	sum, count int
	last       time.Time
}

// meanOfSessionAverages is the definition of the live average: the mean of
// per-session averages over the sessions whose latest sample is in the
// window (whole minutes: the minute an hour ago and every one since).
func meanOfSessionAverages(sessions map[string]*scanned, now time.Time) (float64, int) {
	since := now.Add(-pulse.QualityWindow).Truncate(time.Minute)
	var total float64
	n := 0
	for _, s := range sessions {
		if s.count > 0 && !s.last.Before(since) {
			total += float64(s.sum) / float64(s.count)
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return total / float64(n), n
}

// classCounts are the sessions by the class of their average, as the daily
// summary must hold them.
func classCounts(sessions map[string]*scanned) map[pulse.Quality]int64 {
	out := map[pulse.Quality]int64{}
	for _, q := range pulse.Qualities {
		out[q] = 0
	}
	for _, s := range sessions {
		if q := pulse.ClassifySum(s.sum, s.count); q != "" {
			out[q]++
		}
	}
	return out
}

func TestQualityRollup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0.Add(17 * time.Second) // not on a minute boundary

		t.Run("EqualsTheScanOfSessions", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			sessions := map[string]*scanned{}
			for range 60 {
				start := now.Add(-3*time.Hour + time.Duration(rng.IntN(170))*time.Minute)
				s := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", start)
				sc := &scanned{}
				sessions[s.ID] = sc
				at := start
				for range rng.IntN(7) { // 0 to 6 samples, some minutes apart, some in the same minute
					at = at.Add(time.Duration(rng.IntN(40*60)) * time.Second)
					if at.After(now) {
						break
					}
					q := pulse.Qualities[rng.IntN(len(pulse.Qualities))]
					mustSample(t, db, s.ID, q, at)
					sc.sum, sc.count, sc.last = sc.sum+q.Score(), sc.count+1, at
				}
			}
			want, n := meanOfSessionAverages(sessions, now)
			require.Positive(t, n)
			st, err := db.SessionStats(ctx, now)
			require.NoError(t, err)
			assert.InDelta(t, want, st.AvgScore, 1e-9, "%d sessions in the window", n)
			assert.Equal(t, pulse.ClassifyScore(want), st.AvgQuality)

			sum, err := db.SessionSummary(ctx, now, pulse.SummaryWindowDays)
			require.NoError(t, err)
			assert.Equal(t, classCounts(sessions), sum.QualityCounts, "the daily summary follows every class change")

			t.Run("WindowSlides", func(t *testing.T) {
				later := now.Add(25 * time.Minute)
				want, _ := meanOfSessionAverages(sessions, later)
				st, err := db.SessionStats(ctx, later)
				require.NoError(t, err)
				assert.InDelta(t, want, st.AvgScore, 1e-9)
			})
		})

		t.Run("ASessionCountsOnceWithItsLatestAverage", func(t *testing.T) {
			at := now.Add(2 * time.Hour) // apart from the sessions above
			s := mustCreate(t, db, "Admissions", pulse.ProviderLiveKit, "", at.Add(-50*time.Minute))
			mustSample(t, db, s.ID, pulse.QualityPoor, at.Add(-50*time.Minute))
			mustSample(t, db, s.ID, pulse.QualityExcellent, at.Add(-5*time.Minute))
			st, err := db.SessionStats(ctx, at)
			require.NoError(t, err)
			assert.InDelta(t, 2.5, st.AvgScore, 1e-9, "(1+4)/2, once")
			assert.Equal(t, pulse.QualityGood, st.AvgQuality, "2.5 is on the cut-off: good")

			st, err = db.SessionStats(ctx, at.Add(56*time.Minute))
			require.NoError(t, err)
			assert.Equal(t, pulse.Quality(""), st.AvgQuality, "its latest sample has left the window")
		})

		t.Run("ASampleAfterALongSilence", func(t *testing.T) {
			at := now.Add(6 * time.Hour)
			s := mustCreate(t, db, "Admissions", pulse.ProviderLiveKit, "", at.Add(-3*time.Hour))
			mustSample(t, db, s.ID, pulse.QualityFair, at.Add(-3*time.Hour))
			mustSample(t, db, s.ID, pulse.QualityGood, at)
			st, err := db.SessionStats(ctx, at)
			require.NoError(t, err)
			assert.InDelta(t, 2.5, st.AvgScore, 1e-9)
		})

		t.Run("PruneKeepsTheWindow", func(t *testing.T) {
			at := now.Add(6 * time.Hour)
			before, err := db.SessionStats(ctx, at)
			require.NoError(t, err)
			n, err := db.PruneQualityMinutes(ctx, at.Add(-pulse.QualityRollupKept))
			require.NoError(t, err)
			assert.Positive(t, n)
			after, err := db.SessionStats(ctx, at)
			require.NoError(t, err)
			assert.Equal(t, before, after)
		})
	})
}

// Samples of the same sessions racing each other, their times out of order
// as they would be from several replicas: every session still counts once,
// with its final average, and the daily summary holds every session in one
// class.
func TestQualityRollupConcurrentSamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0.Add(30 * time.Minute)
		ids := make([]string, 6)
		for i := range ids {
			ids[i] = mustCreate(t, db, "Wellness Coaching", pulse.ProviderDaily, "", now.Add(-20*time.Minute)).ID
		}
		const workers, each = 8, 30
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 9))
				for i := range each {
					// Up to 3 minutes apart, whatever the order of commits.
					at := now.Add(-time.Duration(rng.IntN(180)) * time.Second)
					q := pulse.Qualities[(w+i)%len(pulse.Qualities)]
					errs <- db.RecordQuality(ctx, ids[(w*7+i)%len(ids)], q, at)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		sessions := map[string]*scanned{}
		for _, id := range ids {
			s, err := db.EndSession(ctx, id, now)
			require.NoError(t, err)
			sessions[id] = &scanned{sum: s.QualitySum, count: s.QualityCount, last: now}
		}
		want, n := meanOfSessionAverages(sessions, now)
		require.Equal(t, len(ids), n)
		st, err := db.SessionStats(ctx, now)
		require.NoError(t, err)
		assert.InDelta(t, want, st.AvgScore, 1e-9)

		sum, err := db.SessionSummary(ctx, now, pulse.SummaryWindowDays)
		require.NoError(t, err)
		assert.Equal(t, classCounts(sessions), sum.QualityCounts)
	})
}

// A sample moves a session's last-seen time only when that time is a minute
// old (pulse.SeenResolution): most samples write no indexed column. The live
// count is in whole minutes: a session counts while the minute it was last
// seen in is the window's first or a later one.
func TestLastSeenToTheMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		minute := t0.Add(3 * time.Hour)
		start := minute.Add(45 * time.Second)
		s := mustCreate(t, db, "Career Counseling", pulse.ProviderDaily, "", start)
		// In the next minute, but not a minute after the start: not written.
		mustSample(t, db, s.ID, pulse.QualityGood, start.Add(30*time.Second))
		active := func(at time.Time) int64 {
			st, err := db.SessionStats(ctx, at)
			require.NoError(t, err)
			return st.ActiveSessions
		}
		assert.EqualValues(t, 1, active(minute.Add(pulse.ActiveWindow+59*time.Second)), "its minute is the window's first")
		assert.EqualValues(t, 0, active(minute.Add(pulse.ActiveWindow+time.Minute)), "seen at its start, to the minute")

		mustSample(t, db, s.ID, pulse.QualityGood, start.Add(2*time.Minute)) // a minute later: written
		assert.EqualValues(t, 1, active(start.Add(2*time.Minute+pulse.ActiveWindow)))
		ended, err := db.EndSession(ctx, s.ID, start.Add(3*time.Minute))
		require.NoError(t, err)
		assert.True(t, ended.LastSeenAt.Equal(start.Add(2*time.Minute)))
		assert.Equal(t, 2, ended.QualityCount, "every sample counts, last-seen written or not")
	})
}
