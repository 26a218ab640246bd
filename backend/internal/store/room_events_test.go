package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// lk and daily build room events as the webhook adapters do.
func lk(id string, kind pulse.RoomEventKind, room string) pulse.RoomEvent {
	return pulse.RoomEvent{ID: id, Source: pulse.ProviderLiveKit, Kind: kind, RoomID: room, RoomName: "name-" + room, DefaultCategory: "General"}
}

func daily(id string, kind pulse.RoomEventKind, meeting, room string) pulse.RoomEvent {
	return pulse.RoomEvent{ID: id, Source: pulse.ProviderDaily, Kind: kind, RoomID: meeting, RoomName: room, DefaultCategory: "General"}
}

func mustApply(tb testing.TB, db *store.DB, e pulse.RoomEvent, at time.Time) pulse.RoomEventResult {
	tb.Helper()
	r, err := db.ApplyRoomEvent(context.Background(), e, at)
	require.NoError(tb, err)
	return r
}

func activeAt(tb testing.TB, db *store.DB, at time.Time) int64 {
	tb.Helper()
	st, err := db.SessionStats(context.Background(), at)
	require.NoError(tb, err)
	return st.ActiveSessions
}

func TestApplyRoomEvent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("StartSeenEnd", func(t *testing.T) {
			before := activeAt(t, db, t0)
			r := mustApply(t, db, lk("ev-1", pulse.RoomStarted, "RM_1"), t0)
			assert.Equal(t, pulse.OutcomeApplied, r.Outcome)
			assert.True(t, r.Created)
			assert.Equal(t, pulse.ProviderLiveKit, r.Session.Provider)
			assert.Equal(t, "RM_1", r.Session.ExternalID)
			assert.Equal(t, "General", r.Session.Category, "the default category is created on first use")
			assert.Equal(t, before+1, activeAt(t, db, t0))

			r = mustApply(t, db, lk("ev-2", pulse.RoomSeen, "RM_1"), t0.Add(20*time.Minute))
			assert.False(t, r.Created)
			assert.True(t, r.Session.LastSeenAt.Equal(t0.Add(20*time.Minute)))

			r = mustApply(t, db, lk("ev-3", pulse.RoomEnded, "RM_1"), t0.Add(30*time.Minute))
			require.NotNil(t, r.Session.EndedAt)
			assert.True(t, r.Session.EndedAt.Equal(t0.Add(30*time.Minute)))
			assert.Equal(t, before, activeAt(t, db, t0.Add(30*time.Minute)))
		})
		t.Run("RedeliveryHasNoEffect", func(t *testing.T) {
			mustApply(t, db, lk("ev-10", pulse.RoomStarted, "RM_10"), t0)
			seen := lk("ev-11", pulse.RoomSeen, "RM_10")
			mustApply(t, db, seen, t0.Add(10*time.Minute))
			r := mustApply(t, db, seen, t0.Add(25*time.Minute))
			assert.Equal(t, pulse.OutcomeDuplicate, r.Outcome)
			s, err := db.SessionByExternalID(ctx, pulse.ProviderLiveKit, "RM_10")
			require.NoError(t, err)
			assert.True(t, s.LastSeenAt.Equal(t0.Add(10*time.Minute)), "the redelivery did not mark it seen again")
		})
		t.Run("SameIDFromAnotherSourceIsAnotherEvent", func(t *testing.T) {
			mustApply(t, db, lk("shared-id", pulse.RoomStarted, "RM_20"), t0)
			r := mustApply(t, db, daily("shared-id", pulse.RoomStarted, "meeting-20", "room-20"), t0)
			assert.Equal(t, pulse.OutcomeApplied, r.Outcome)
			assert.True(t, r.Created)
		})
		t.Run("EndBeforeStartStaysEnded", func(t *testing.T) {
			before := activeAt(t, db, t0)
			r := mustApply(t, db, lk("ev-31", pulse.RoomEnded, "RM_30"), t0)
			assert.True(t, r.Created, "the end records the session, already ended")
			require.NotNil(t, r.Session.EndedAt)
			r = mustApply(t, db, lk("ev-30", pulse.RoomStarted, "RM_30"), t0.Add(time.Second))
			assert.False(t, r.Created)
			require.NotNil(t, r.Session.EndedAt, "the late start does not reopen it")
			assert.Equal(t, before, activeAt(t, db, t0.Add(time.Second)))
		})
		t.Run("ParticipantBeforeStartStartsItOnce", func(t *testing.T) {
			r := mustApply(t, db, lk("ev-41", pulse.RoomSeen, "RM_40"), t0)
			assert.True(t, r.Created)
			again := mustApply(t, db, lk("ev-40", pulse.RoomStarted, "RM_40"), t0.Add(time.Second))
			assert.False(t, again.Created)
			assert.Equal(t, r.Session.ID, again.Session.ID)
		})
		t.Run("AvatarMakesItBeyondPresence", func(t *testing.T) {
			mustApply(t, db, lk("ev-50", pulse.RoomStarted, "RM_50"), t0)
			join := lk("ev-51", pulse.RoomSeen, "RM_50")
			join.Avatar = true
			r := mustApply(t, db, join, t0.Add(time.Minute))
			assert.Equal(t, pulse.ProviderBeyondPresence, r.Session.Provider)
			r = mustApply(t, db, lk("ev-52", pulse.RoomEnded, "RM_50"), t0.Add(time.Hour))
			assert.Equal(t, pulse.ProviderBeyondPresence, r.Session.Provider, "later events find the session under its new provider")
			require.NotNil(t, r.Session.EndedAt)
			s, err := db.SessionByExternalID(ctx, pulse.ProviderLiveKit, "RM_50")
			require.NoError(t, err)
			assert.Equal(t, r.Session.ID, s.ID, "the LiveKit room sid still finds it")
		})
		t.Run("AvatarFirstStartsABeyondPresenceSession", func(t *testing.T) {
			join := lk("ev-61", pulse.RoomSeen, "RM_60")
			join.Avatar = true
			r := mustApply(t, db, join, t0)
			assert.True(t, r.Created)
			assert.Equal(t, pulse.ProviderBeyondPresence, r.Session.Provider)
			again := mustApply(t, db, lk("ev-60", pulse.RoomStarted, "RM_60"), t0.Add(time.Second))
			assert.Equal(t, r.Session.ID, again.Session.ID)
		})
		t.Run("DailyParticipantFindsTheOpenMeetingByRoomName", func(t *testing.T) {
			started := mustApply(t, db, daily("d-70", pulse.RoomStarted, "meeting-70", "room-70"), t0)
			r := mustApply(t, db, daily("d-71", pulse.RoomSeen, "", "room-70"), t0.Add(5*time.Minute))
			assert.Equal(t, pulse.OutcomeApplied, r.Outcome)
			assert.Equal(t, started.Session.ID, r.Session.ID)
			assert.True(t, r.Session.LastSeenAt.Equal(t0.Add(5*time.Minute)))
		})
		t.Run("DailyParticipantOfAnUnknownRoomWaitsForTheStart", func(t *testing.T) {
			before := activeAt(t, db, t0)
			r := mustApply(t, db, daily("d-81", pulse.RoomSeen, "", "room-80"), t0)
			assert.Equal(t, pulse.OutcomeNoSession, r.Outcome)
			assert.Equal(t, before, activeAt(t, db, t0))
		})
		t.Run("MetadataCategory", func(t *testing.T) {
			e := lk("ev-90", pulse.RoomStarted, "RM_90")
			e.Category = "mental health"
			assert.Equal(t, "Mental Health", mustApply(t, db, e, t0).Session.Category)
		})
		t.Run("UnknownMetadataCategoryFallsBack", func(t *testing.T) {
			e := lk("ev-91", pulse.RoomStarted, "RM_91")
			e.Category = "Astrology"
			assert.Equal(t, "General", mustApply(t, db, e, t0).Session.Category)
		})
		t.Run("Invalid", func(t *testing.T) {
			for name, e := range map[string]pulse.RoomEvent{
				"UnknownSource": {Source: pulse.ProviderBeyondPresence, Kind: pulse.RoomStarted, RoomID: "x"},
				"UnknownKind":   {Source: pulse.ProviderDaily, Kind: "paused", RoomID: "x"},
				"NoRoom":        {Source: pulse.ProviderDaily, Kind: pulse.RoomSeen},
			} {
				t.Run(name, func(t *testing.T) {
					_, err := db.ApplyRoomEvent(ctx, e, t0)
					assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
				})
			}
		})
		t.Run("PruneProcessedEvents", func(t *testing.T) {
			mustApply(t, db, lk("old-1", pulse.RoomStarted, "RM_100"), t0.Add(-48*time.Hour))
			n, err := db.PruneProcessedEvents(ctx, t0.Add(-24*time.Hour))
			require.NoError(t, err)
			assert.EqualValues(t, 1, n)
		})
	})
}

func TestCategoryPrefixes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderDaily, Prefix: "fin-", Category: "Financial Aid"})
		require.NoError(t, err)
		_, err = db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderDaily, Prefix: "fin-career-", Category: "career counseling"})
		require.NoError(t, err)
		t.Run("LongestPrefixWins", func(t *testing.T) {
			r := mustApply(t, db, daily("p-1", pulse.RoomStarted, "m-1", "fin-career-42"), t0)
			assert.Equal(t, "Career Counseling", r.Session.Category)
			r = mustApply(t, db, daily("p-2", pulse.RoomStarted, "m-2", "fin-7"), t0)
			assert.Equal(t, "Financial Aid", r.Session.Category)
		})
		t.Run("NoMatchTakesTheDefault", func(t *testing.T) {
			r := mustApply(t, db, daily("p-3", pulse.RoomStarted, "m-3", "finance"), t0)
			assert.Equal(t, "General", r.Session.Category)
		})
		t.Run("OtherProvidersRulesDoNotApply", func(t *testing.T) {
			e := lk("p-4", pulse.RoomStarted, "RM_p4")
			e.RoomName = "fin-9"
			assert.Equal(t, "General", mustApply(t, db, e, t0).Session.Category)
		})
		t.Run("MetadataWinsOverPrefix", func(t *testing.T) {
			_, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderLiveKit, Prefix: "adm-", Category: "Admissions"})
			require.NoError(t, err)
			e := lk("p-5", pulse.RoomStarted, "RM_p5")
			e.RoomName, e.Category = "adm-1", "Wellness Coaching"
			assert.Equal(t, "Wellness Coaching", mustApply(t, db, e, t0).Session.Category)
		})
		t.Run("RemapMovesThePrefix", func(t *testing.T) {
			_, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderDaily, Prefix: "fin-", Category: "Admissions"})
			require.NoError(t, err)
			ps, err := db.ListCategoryPrefixes(ctx)
			require.NoError(t, err)
			assert.Contains(t, ps, pulse.CategoryPrefix{Provider: pulse.ProviderDaily, Prefix: "fin-", Category: "Admissions"})
		})
		t.Run("UnknownCategory", func(t *testing.T) {
			_, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderDaily, Prefix: "x-", Category: "Nope"})
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
		})
		t.Run("ProviderWithoutWebhooks", func(t *testing.T) {
			_, err := db.SetCategoryPrefix(ctx, pulse.CategoryPrefix{Provider: pulse.ProviderBeyondPresence, Prefix: "x-", Category: "Admissions"})
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
		})
	})
}

func TestSessionByExternalID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := mustCreate(t, db, "Admissions", pulse.ProviderDaily, "meet-1", t0)
		t.Run("OK", func(t *testing.T) {
			got, err := db.SessionByExternalID(ctx, pulse.ProviderDaily, "meet-1")
			require.NoError(t, err)
			assert.Equal(t, s.ID, got.ID)
		})
		t.Run("OtherProvider", func(t *testing.T) {
			_, err := db.SessionByExternalID(ctx, pulse.ProviderLiveKit, "meet-1")
			assert.Equal(t, pulse.ENOTFOUND, pulse.ErrorCode(err))
		})
		t.Run("UnknownProvider", func(t *testing.T) {
			_, err := db.SessionByExternalID(ctx, "zoom", "meet-1")
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
		})
	})
}

// BenchmarkApplyRoomEvent measures one room's life (start, two participant
// events, end: four events, four transactions) on SQLite.
func BenchmarkApplyRoomEvent(b *testing.B) {
	db, _ := storetest.MustOpenSQLite(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		room := "RM_bench_" + strconv.Itoa(i)
		for j, kind := range []pulse.RoomEventKind{pulse.RoomStarted, pulse.RoomSeen, pulse.RoomSeen, pulse.RoomEnded} {
			e := lk(room+"-"+strconv.Itoa(j), kind, room)
			if _, err := db.ApplyRoomEvent(ctx, e, t0.Add(time.Duration(i)*time.Second)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
