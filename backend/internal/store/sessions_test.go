package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func mustCreate(tb testing.TB, db *store.DB, cat string, p pulse.Provider, ext string, at time.Time) pulse.Session {
	tb.Helper()
	s, created, err := db.CreateSession(context.Background(), pulse.NewSession{Category: cat, Provider: p, ExternalID: ext}, at)
	require.NoError(tb, err)
	require.True(tb, created)
	return s
}

func mustSample(tb testing.TB, db *store.DB, id string, q pulse.Quality, at time.Time) {
	tb.Helper()
	require.NoError(tb, db.RecordQuality(context.Background(), id, q, at))
}

func TestCreateSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			s, created, err := db.CreateSession(ctx, pulse.NewSession{Category: "Mental Health", Provider: pulse.ProviderDaily}, t0)
			require.NoError(t, err)
			assert.True(t, created)
			assert.Len(t, s.ID, 36)
			assert.Equal(t, "Mental Health", s.Category)
			assert.True(t, s.StartedAt.Equal(t0))
		})
		t.Run("CategoryIsCaseInsensitive", func(t *testing.T) {
			s, _, err := db.CreateSession(ctx, pulse.NewSession{Category: "mental health", Provider: pulse.ProviderLiveKit}, t0)
			require.NoError(t, err)
			assert.Equal(t, "Mental Health", s.Category)
		})
		t.Run("DuplicateExternalIDReturnsExisting", func(t *testing.T) {
			first := mustCreate(t, db, "Financial Aid", pulse.ProviderLiveKit, "room-1", t0)
			again, created, err := db.CreateSession(ctx, pulse.NewSession{Category: "Financial Aid", Provider: pulse.ProviderLiveKit, ExternalID: "room-1"}, t0.Add(time.Minute))
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, first.ID, again.ID)
			assert.True(t, again.StartedAt.Equal(t0), "the first start time is kept")
		})
		t.Run("SameExternalIDOnAnotherProviderIsAnotherSession", func(t *testing.T) {
			a := mustCreate(t, db, "Financial Aid", pulse.ProviderDaily, "room-2", t0)
			b := mustCreate(t, db, "Financial Aid", pulse.ProviderBeyondPresence, "room-2", t0)
			assert.NotEqual(t, a.ID, b.ID)
		})
		t.Run("UnknownCategory", func(t *testing.T) {
			_, _, err := db.CreateSession(ctx, pulse.NewSession{Category: "Astrology", Provider: pulse.ProviderDaily}, t0)
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
			assert.Contains(t, pulse.ErrorMessage(err), "Mental Health", "the message names what is allowed")
		})
		t.Run("UnknownProvider", func(t *testing.T) {
			_, _, err := db.CreateSession(ctx, pulse.NewSession{Category: "Mental Health", Provider: "zoom"}, t0)
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
			assert.Contains(t, pulse.ErrorMessage(err), "beyond_presence")
		})
	})
}

func TestRecordQualityAndEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := mustCreate(t, db, "Career Counseling", pulse.ProviderDaily, "", t0)

		t.Run("UnknownSession", func(t *testing.T) {
			err := db.RecordQuality(ctx, "6f1f7f7e-0000-4000-8000-000000000000", pulse.QualityGood, t0)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
		t.Run("MalformedIDIsNotFound", func(t *testing.T) {
			err := db.RecordQuality(ctx, "not-a-uuid", pulse.QualityGood, t0)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
		t.Run("EndTwiceKeepsFirstEnd", func(t *testing.T) {
			mustSample(t, db, s.ID, pulse.QualityGood, t0.Add(time.Minute))
			first, err := db.EndSession(ctx, s.ID, t0.Add(2*time.Minute))
			require.NoError(t, err)
			require.NotNil(t, first.EndedAt)
			second, err := db.EndSession(ctx, s.ID, t0.Add(5*time.Minute))
			require.NoError(t, err)
			assert.True(t, first.EndedAt.Equal(*second.EndedAt))
			assert.Equal(t, 1, second.QualityCount)
		})
		t.Run("SampleOnEndedSessionConflicts", func(t *testing.T) {
			err := db.RecordQuality(ctx, s.ID, pulse.QualityGood, t0.Add(3*time.Minute))
			assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err))
		})
		t.Run("EndUnknownSession", func(t *testing.T) {
			_, err := db.EndSession(ctx, "6f1f7f7e-0000-4000-8000-000000000000", t0)
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
	})
}

func TestSessionStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0

		t.Run("Empty", func(t *testing.T) {
			st, err := db.SessionStats(ctx, now)
			require.NoError(t, err)
			assert.Zero(t, st.ActiveSessions)
			assert.Equal(t, pulse.Quality(""), st.AvgQuality)
		})

		// Started exactly at the window's edge: still active.
		edge := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-30*time.Minute))
		// Started a second before the window: no longer active...
		stale := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-30*time.Minute-time.Second))
		// ...unless a quality sample saw it inside the window.
		revived := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-2*time.Hour))
		mustSample(t, db, revived.ID, pulse.QualityPoor, now.Add(-10*time.Minute))
		ended := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-time.Minute))
		_, err := db.EndSession(ctx, ended.ID, now)
		require.NoError(t, err)
		_ = edge
		_ = stale

		t.Run("ActiveWindowEdges", func(t *testing.T) {
			st, err := db.SessionStats(ctx, now)
			require.NoError(t, err)
			assert.EqualValues(t, 2, st.ActiveSessions, "edge and revived; not stale, not ended")
		})

		t.Run("AverageOfSessionAverages", func(t *testing.T) {
			// revived averages 1 (poor); add a session averaging (4+4+3)/3=3.67 and one sampled too long ago.
			a := mustCreate(t, db, "Academic Advising", pulse.ProviderLiveKit, "", now.Add(-20*time.Minute))
			mustSample(t, db, a.ID, pulse.QualityExcellent, now.Add(-5*time.Minute))
			mustSample(t, db, a.ID, pulse.QualityExcellent, now.Add(-4*time.Minute))
			mustSample(t, db, a.ID, pulse.QualityGood, now.Add(-3*time.Minute))
			old := mustCreate(t, db, "Academic Advising", pulse.ProviderLiveKit, "", now.Add(-3*time.Hour))
			mustSample(t, db, old.ID, pulse.QualityExcellent, now.Add(-61*time.Minute))

			st, err := db.SessionStats(ctx, now)
			require.NoError(t, err)
			assert.InDelta(t, (1.0+11.0/3)/2, st.AvgScore, 1e-9)
			assert.Equal(t, pulse.QualityFair, st.AvgQuality, "2.33 is fair")
		})
	})
}

func TestActiveSessionsByProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0

		t.Run("Empty", func(t *testing.T) {
			by, err := db.ActiveSessionsByProvider(ctx, now)
			require.NoError(t, err)
			assert.Empty(t, by)
		})

		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "d1", now.Add(-time.Minute))
		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "d2", now.Add(-30*time.Minute))
		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "stale", now.Add(-31*time.Minute))
		mustCreate(t, db, "Mental Health", pulse.ProviderLiveKit, "l1", now.Add(-5*time.Minute))
		ended := mustCreate(t, db, "Mental Health", pulse.ProviderLiveKit, "l2", now.Add(-5*time.Minute))
		_, err := db.EndSession(ctx, ended.ID, now)
		require.NoError(t, err)

		t.Run("CountsLiveSessionsLikeSessionStats", func(t *testing.T) {
			by, err := db.ActiveSessionsByProvider(ctx, now)
			require.NoError(t, err)
			assert.Equal(t, map[pulse.Provider]int64{pulse.ProviderDaily: 2, pulse.ProviderLiveKit: 1}, by)
			st, err := db.SessionStats(ctx, now)
			require.NoError(t, err)
			assert.Equal(t, st.ActiveSessions, by[pulse.ProviderDaily]+by[pulse.ProviderLiveKit])
		})
	})
}

func TestSessionSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0

		t.Run("EmptyListsEveryCategory", func(t *testing.T) {
			sum, err := db.SessionSummary(ctx, now, 30)
			require.NoError(t, err)
			assert.Zero(t, sum.Total)
			assert.Len(t, sum.ByCategory, 6)
			assert.Contains(t, sum.ByCategory, "Financial Aid")
			for _, v := range sum.QualityPercentages() {
				assert.Zero(t, v)
			}
		})

		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now)
		// The first day of the 30-day window counts; the day before does not.
		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", time.Date(2026, 10, 28, 0, 0, 0, 0, time.UTC))
		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", time.Date(2026, 10, 27, 23, 59, 59, 0, time.UTC))
		moving := mustCreate(t, db, "Career Counseling", pulse.ProviderLiveKit, "", now)
		poor := mustCreate(t, db, "Career Counseling", pulse.ProviderLiveKit, "", now)
		mustSample(t, db, poor.ID, pulse.QualityPoor, now)

		// excellent (4) then poor (1): avg 2.5 -> good. The summary must follow the move.
		mustSample(t, db, moving.ID, pulse.QualityExcellent, now)
		mustSample(t, db, moving.ID, pulse.QualityPoor, now)

		t.Run("CountsAndQualityDistribution", func(t *testing.T) {
			sum, err := db.SessionSummary(ctx, now, 30)
			require.NoError(t, err)
			assert.EqualValues(t, 4, sum.Total)
			assert.EqualValues(t, 2, sum.ByCategory["Mental Health"])
			assert.EqualValues(t, 2, sum.ByCategory["Career Counseling"])
			assert.EqualValues(t, 0, sum.ByCategory["Admissions"])
			assert.Equal(t, map[pulse.Quality]float64{
				pulse.QualityExcellent: 0, pulse.QualityGood: 50, pulse.QualityFair: 0, pulse.QualityPoor: 50,
			}, sum.QualityPercentages())
		})

		t.Run("NewCategoryAppearsWithZero", func(t *testing.T) {
			_, err := db.CreateCategory(ctx, "Peer Support")
			require.NoError(t, err)
			sum, err := db.SessionSummary(ctx, now, 30)
			require.NoError(t, err)
			v, ok := sum.ByCategory["Peer Support"]
			assert.True(t, ok)
			assert.Zero(t, v)
		})
	})
}

func TestCategories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, err := db.CreateCategory(context.Background(), "mental health")
		assert.Equal(t, pulse.ECONFLICT, pulse.ErrorCode(err), "names are unique regardless of case")
	})
}
