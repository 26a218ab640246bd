package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
)

// scannedActive is the definition of the live count, on the sessions
// themselves: open, and last seen in the window's first minute (the minute
// ActiveWindow ago) or later. It is what the count was before its rollup,
// counted in whole minutes.
func scannedActive(tb testing.TB, db *store.DB, now time.Time) int64 {
	tb.Helper()
	var n int64
	require.NoError(tb, db.Gorm().Raw(`SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL AND last_seen_at >= ?`,
		now.Add(-pulse.ActiveWindow).UTC().Truncate(time.Minute)).Scan(&n).Error)
	return n
}

// negativeMinutes lists the rollup's minutes whose shards sum below zero:
// a session taken out of a minute it was never counted in.
func negativeMinutes(tb testing.TB, db *store.DB) []time.Time {
	tb.Helper()
	var out []time.Time
	require.NoError(tb, db.Gorm().Raw(`SELECT minute FROM seen_minutes GROUP BY minute HAVING SUM(sessions) < 0`).Scan(&out).Error)
	return out
}

func seenMinuteRows(tb testing.TB, db *store.DB, minute time.Time) int64 {
	tb.Helper()
	var n int64
	require.NoError(tb, db.Gorm().Raw(`SELECT COUNT(*) FROM seen_minutes WHERE minute = ?`, minute).Scan(&n).Error)
	return n
}

// tx begins a transaction of the test's own (on SQLite it holds the write
// lock from the start); it is rolled back at cleanup unless committed.
func tx(tb testing.TB, db *store.DB) *gorm.DB {
	tb.Helper()
	tx := db.Gorm().Begin()
	require.NoError(tb, tx.Error)
	tb.Cleanup(func() { tx.Rollback() })
	return tx
}

// waitForALockWait returns once a statement of this database waits for a
// lock (PostgreSQL), or after a moment (SQLite, whose writers wait in the
// driver's busy loop, out of sight).
func waitForALockWait(tb testing.TB, db *store.DB) {
	tb.Helper()
	if db.Gorm().Name() != "postgres" {
		time.Sleep(200 * time.Millisecond)
		return
	}
	require.Eventually(tb, func() bool {
		var n int64
		err := db.Gorm().Raw(`SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%seen_minutes%'`).Scan(&n).Error
		return err == nil && n > 0
	}, 10*time.Second, 10*time.Millisecond)
}

// traffic is what ingestion and the webhooks do to sessions, at random: API
// starts (some of them retries of a room already started), samples, ends
// (some of them a second end), and room events (starts, participants seen,
// ends, redeliveries, the avatar's switch), on the same rooms.
type traffic struct {
	db     *store.DB
	mu     sync.Mutex
	ids    []string // every session, oldest first
	rooms  []string // every room id an API start or an event named
	events []pulse.RoomEvent
	next   int
}

// pick returns a session and a room; "" when there is none yet.
func (tr *traffic) pick(rng *rand.Rand) (id, room string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.rooms) > 0 {
		room = tr.rooms[rng.IntN(len(tr.rooms))]
	}
	if len(tr.ids) == 0 {
		return "", room
	}
	// Mostly the recent sessions, sometimes one idle for hours.
	i := rng.IntN(len(tr.ids))
	if rng.IntN(10) < 7 {
		i = len(tr.ids) - 1 - rng.IntN(min(len(tr.ids), 30))
	}
	return tr.ids[i], room
}

func (tr *traffic) newRoom() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.next++
	room := fmt.Sprintf("RM_%d", tr.next)
	tr.rooms = append(tr.rooms, room)
	return room
}

func (tr *traffic) started(id string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.ids = append(tr.ids, id)
}

func (tr *traffic) event(rng *rand.Rand, room string) pulse.RoomEvent {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.events) > 0 && rng.IntN(20) == 0 {
		return tr.events[rng.IntN(len(tr.events))] // a redelivery
	}
	tr.next++
	kind := []pulse.RoomEventKind{pulse.RoomStarted, pulse.RoomSeen, pulse.RoomSeen, pulse.RoomSeen, pulse.RoomEnded}[rng.IntN(5)]
	e := lk(fmt.Sprintf("ev-%d", tr.next), kind, room)
	e.Avatar = rng.IntN(10) == 0
	tr.events = append(tr.events, e)
	return e
}

// op is one request at `at`.
func (tr *traffic) op(ctx context.Context, rng *rand.Rand, at time.Time) error {
	id, room := tr.pick(rng)
	if room == "" || rng.IntN(8) == 0 {
		room = tr.newRoom()
	}
	switch n := rng.IntN(100); {
	case id == "" || n < 15:
		ext, p := "", pulse.ProviderDaily
		if rng.IntN(2) == 0 {
			ext, p = tr.newRoom(), pulse.ProviderLiveKit
		}
		s, _, err := tr.db.CreateSession(ctx, pulse.NewSession{Category: "Mental Health", Provider: p, ExternalID: ext}, at)
		if err == nil {
			tr.started(s.ID)
		}
		return err
	case n < 20: // a room's start, often one already started: the same session, not another
		s, created, err := tr.db.CreateSession(ctx, pulse.NewSession{Category: "Mental Health", Provider: pulse.ProviderLiveKit, ExternalID: room}, at)
		if created {
			tr.started(s.ID)
		}
		return err
	case n < 60:
		err := tr.db.RecordQuality(ctx, id, pulse.Qualities[rng.IntN(len(pulse.Qualities))], at)
		if pulse.ErrorCode(err) == pulse.ECONFLICT { // it has ended
			return nil
		}
		return err
	case n < 70:
		_, err := tr.db.EndSession(ctx, id, at)
		return err
	default:
		r, err := tr.db.ApplyRoomEvent(ctx, tr.event(rng, room), at)
		if err == nil && r.Created {
			tr.started(r.Session.ID)
		}
		return err
	}
}

// round runs workers x each requests at once, at times from at to at+20 s,
// in no particular order.
func (tr *traffic) round(t *testing.T, seed uint64, at time.Time) {
	const workers, each = 4, 4
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for range each {
				errs <- tr.op(context.Background(), rng, at.Add(time.Duration(rng.IntN(20_000))*time.Millisecond))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestSeenRollup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("EqualsTheScanOfOpenSessions", func(t *testing.T) {
			tr := &traffic{db: db}
			rng := rand.New(rand.NewPCG(5, 6))
			at := t0.Add(17 * time.Second) // not on a minute boundary
			for round := range 150 {       // about three hours
				tr.round(t, uint64(round), at)
				if round%10 == 9 { // the lifecycle pass, as the leader runs it
					_, err := db.EndStaleSessions(ctx, at.Add(-pulse.ActiveWindow))
					require.NoError(t, err)
					_, err = db.PruneSeenMinutes(ctx, at.Add(-pulse.SeenRollupKept))
					require.NoError(t, err)
				}
				if round%15 == 14 {
					// Read after the round's last request, and as the window slides on.
					for _, d := range []time.Duration{0, 30 * time.Second, time.Minute, 10 * time.Minute,
						pulse.ActiveWindow - time.Second, pulse.ActiveWindow + time.Minute, 45 * time.Minute} {
						now := at.Add(20*time.Second + d)
						want := scannedActive(t, db, now)
						assert.Equal(t, want, activeAt(t, db, now), "round %d, read at %s", round, now.Format(time.TimeOnly))
						by, err := db.ActiveSessionsByProvider(ctx, now)
						require.NoError(t, err)
						var sum int64
						for _, n := range by {
							sum += n
						}
						assert.Equal(t, want, sum, "by provider, the same window")
					}
				}
				at = at.Add(time.Duration(30+rng.IntN(90)) * time.Second)
			}
			assert.Positive(t, activeAt(t, db, at), "some sessions are live at the end")
			assert.Empty(t, negativeMinutes(t, db))
		})
	})
}

func TestSeenRollupEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("EndingTwiceCountsOnce", func(t *testing.T) {
			at := t0.Add(10 * time.Hour)
			before := activeAt(t, db, at)
			s := mustCreate(t, db, "Admissions", pulse.ProviderLiveKit, "RM_twice", at)
			mustSample(t, db, s.ID, pulse.QualityGood, at.Add(2*time.Minute))
			assert.Equal(t, before+1, activeAt(t, db, at.Add(3*time.Minute)))
			for _, end := range []time.Duration{3 * time.Minute, 4 * time.Minute} {
				_, err := db.EndSession(ctx, s.ID, at.Add(end))
				require.NoError(t, err)
			}
			mustApply(t, db, lk("ev-twice", pulse.RoomEnded, "RM_twice"), at.Add(5*time.Minute)) // and the room's end
			assert.Equal(t, before, activeAt(t, db, at.Add(5*time.Minute)))
			assert.Empty(t, negativeMinutes(t, db))
		})

		t.Run("ConcurrentEndsCountOnce", func(t *testing.T) {
			at := t0.Add(20 * time.Hour)
			before := activeAt(t, db, at)
			s := mustCreate(t, db, "Admissions", pulse.ProviderDaily, "", at)
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					_, err := db.EndSession(ctx, s.ID, at.Add(time.Duration(i)*time.Second))
					assert.NoError(t, err)
				})
			}
			wg.Wait()
			assert.Equal(t, before, activeAt(t, db, at.Add(10*time.Second)))
			assert.Empty(t, negativeMinutes(t, db))
		})

		// An end that waits for another one (another replica's, a room's)
		// to commit reads what it wrote: the first end stands, and the
		// session is taken out of the live count once.
		t.Run("AnEndWaitingForAnotherOneChangesNothing", func(t *testing.T) {
			at := t0.Add(25 * time.Hour)
			before := activeAt(t, db, at)
			s := mustCreate(t, db, "Admissions", pulse.ProviderDaily, "", at)
			first := tx(t, db)
			require.NoError(t, first.Exec(`UPDATE sessions SET ended_at = ? WHERE id = ?`, at.Add(time.Minute), s.ID).Error)
			require.NoError(t, first.Exec(`INSERT INTO seen_minutes (minute, shard, sessions) VALUES (?, 0, -1)
				ON CONFLICT (minute, shard) DO UPDATE SET sessions = seen_minutes.sessions - 1`, at).Error)
			type result struct {
				s   pulse.Session
				err error
			}
			second := make(chan result, 1)
			go func() {
				s, err := db.EndSession(ctx, s.ID, at.Add(2*time.Minute))
				second <- result{s, err}
			}()
			waitForALockWait(t, db)
			require.NoError(t, first.Commit().Error)
			r := <-second
			require.NoError(t, r.err)
			require.NotNil(t, r.s.EndedAt)
			assert.True(t, r.s.EndedAt.Equal(at.Add(time.Minute)), "the first end stands: %s", r.s.EndedAt)
			assert.Equal(t, before, activeAt(t, db, at.Add(2*time.Minute)))
			assert.Empty(t, negativeMinutes(t, db))
		})

		t.Run("ASessionIdlePastTheHorizonLeavesNoGarbage", func(t *testing.T) {
			at := t0.Add(30 * time.Hour)
			sampled := mustCreate(t, db, "Financial Aid", pulse.ProviderDaily, "", at)
			ended := mustCreate(t, db, "Financial Aid", pulse.ProviderDaily, "", at)
			mustCreate(t, db, "Financial Aid", pulse.ProviderLiveKit, "RM_idle", at) // then touched by a room event
			later := at.Add(2 * time.Hour)
			n, err := db.PruneSeenMinutes(ctx, later.Add(-pulse.SeenRollupKept))
			require.NoError(t, err)
			require.Positive(t, n)
			require.Zero(t, seenMinuteRows(t, db, at), "their minute is pruned")

			mustSample(t, db, sampled.ID, pulse.QualityGood, later)
			_, err = db.EndSession(ctx, ended.ID, later)
			require.NoError(t, err)
			mustApply(t, db, lk("ev-idle", pulse.RoomSeen, "RM_idle"), later)
			assert.Zero(t, seenMinuteRows(t, db, at), "nothing taken out of a pruned minute")
			assert.EqualValues(t, 2, activeAt(t, db, later), "the sampled and the touched one, seen again")
			assert.Equal(t, scannedActive(t, db, later), activeAt(t, db, later))
		})

		t.Run("WebhookSessionsCount", func(t *testing.T) {
			at := t0.Add(40 * time.Hour)
			before := activeAt(t, db, at)
			mustApply(t, db, lk("wh-1", pulse.RoomStarted, "RM_wh"), at)
			mustApply(t, db, lk("wh-2", pulse.RoomEnded, "RM_wh_never"), at) // starts it ended: never live
			assert.Equal(t, before+1, activeAt(t, db, at))
			seen := lk("wh-3", pulse.RoomSeen, "RM_wh")
			seen.Avatar = true // the switch to Beyond Presence moves nothing
			mustApply(t, db, seen, at.Add(20*time.Minute))
			assert.Equal(t, before+1, activeAt(t, db, at.Add(pulse.ActiveWindow+10*time.Minute)), "seen 20 minutes in")
			mustApply(t, db, lk("wh-4", pulse.RoomEnded, "RM_wh"), at.Add(25*time.Minute))
			assert.Equal(t, before, activeAt(t, db, at.Add(25*time.Minute)))
			assert.Equal(t, scannedActive(t, db, at.Add(25*time.Minute)), activeAt(t, db, at.Add(25*time.Minute)))
		})

		t.Run("TheStaleSweepEndsOnlyWhatTheWindowLeft", func(t *testing.T) {
			at := t0.Add(50 * time.Hour)
			_, err := db.EndStaleSessions(ctx, at) // the open sessions of the subtests above out of the way
			require.NoError(t, err)
			before := activeAt(t, db, at)
			s := mustCreate(t, db, "Wellness Coaching", pulse.ProviderDaily, "", at.Add(10*time.Second))
			// Thirty minutes and twenty seconds after it was seen, its minute is
			// still the window's first: not stale yet.
			now := at.Add(pulse.ActiveWindow + 30*time.Second)
			n, err := db.EndStaleSessions(ctx, now.Add(-pulse.ActiveWindow))
			require.NoError(t, err)
			assert.Zero(t, n)
			assert.Equal(t, before+1, activeAt(t, db, now))
			// A minute on, its minute has left the window: ended, and not counted.
			now = at.Add(pulse.ActiveWindow + time.Minute)
			n, err = db.EndStaleSessions(ctx, now.Add(-pulse.ActiveWindow))
			require.NoError(t, err)
			assert.EqualValues(t, 1, n)
			ended, err := db.EndSession(ctx, s.ID, now)
			require.NoError(t, err)
			assert.True(t, ended.Abandoned)
			for _, later := range []time.Duration{0, time.Minute, time.Hour} {
				assert.Equal(t, scannedActive(t, db, now.Add(later)), activeAt(t, db, now.Add(later)))
			}
		})
	})
}

// Migration 00008 fills the rollup from the open sessions, so that an
// upgrade starts exact: undone and applied again on sessions written before
// it, the live count equals the scan, and sessions then moved or ended are
// taken out of minutes it filled. The fill reads the database's clock, so
// these sessions are on the real one.
func TestSeenRollupMigrationFills(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		live := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-5*time.Minute))
		quiet := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-40*time.Minute))
		mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-3*time.Hour)) // idle for hours
		ended := mustCreate(t, db, "Mental Health", pulse.ProviderDaily, "", now.Add(-10*time.Minute))
		_, err := db.EndSession(ctx, ended.ID, now.Add(-9*time.Minute))
		require.NoError(t, err)

		require.NoError(t, db.MigrateDownTo(ctx, 7))
		require.NoError(t, db.MigrateUpTo(ctx, 8))

		assert.EqualValues(t, 1, activeAt(t, db, now))
		assert.Equal(t, scannedActive(t, db, now), activeAt(t, db, now))
		var rows int64
		require.NoError(t, db.Gorm().Raw(`SELECT COALESCE(SUM(sessions), 0) FROM seen_minutes`).Scan(&rows).Error)
		assert.EqualValues(t, 2, rows, "the open sessions seen in the last hour: live and quiet")

		mustSample(t, db, quiet.ID, pulse.QualityGood, now) // out of its filled minute, into now's
		_, err = db.EndSession(ctx, live.ID, now)
		require.NoError(t, err)
		assert.EqualValues(t, 1, activeAt(t, db, now))
		assert.Equal(t, scannedActive(t, db, now), activeAt(t, db, now))
		assert.Empty(t, negativeMinutes(t, db))
	})
}
