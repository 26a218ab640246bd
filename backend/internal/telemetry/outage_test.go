package telemetry

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/pulse"
	"pulse/internal/testclock"
)

// outage is a Recorder and Flusher on a fake clock and store, logging into
// a buffer, driven as serve drives them: a flush tick every 5 s.
type outage struct {
	t     *testing.T
	clock *testclock.Clock
	rec   *Recorder
	store *fakeStore
	f     *Flusher
	logs  *lockedBuffer
	sent  int64 // requests recorded
	ticks int64
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newOutage(t *testing.T) *outage {
	o := &outage{t: t, clock: testclock.New(t0), store: newFakeStore(), logs: &lockedBuffer{}}
	log := slog.New(slog.NewTextHandler(o.logs, nil))
	o.rec = NewRecorder(RecorderConfig{Instance: "a", Routes: testRoutes, Now: o.clock.Now, Logger: log})
	d := config.Defaults()
	o.f = NewFlusher(o.rec, o.store, FlusherConfig{FlushInterval: d.TelemetryFlush, Logger: log})
	return o
}

// run spends d on the clock in 5 s flush ticks, recording perTick(i)
// requests just before each tick (one 5xx among each tick's requests).
func (o *outage) run(d time.Duration, perTick func(tick int) int) {
	const interval = 5 * time.Second
	for i := range int(d / interval) {
		at := o.clock.Now()
		for j := range perTick(i) {
			status := 200
			if j == 0 {
				status = 503
			}
			o.rec.Record("/api/sessions", "POST", status, time.Duration(j+1)*time.Millisecond, at)
			o.sent++
		}
		o.f.tick(context.Background())
		o.ticks++
		o.clock.Advance(interval)
	}
}

func (o *outage) databaseDown() { o.store.setErr(pulse.Errorf(pulse.EUNAVAILABLE, "database down")) }
func (o *outage) databaseUp()   { o.store.setErr(nil) }

// stored sums the rollups the store holds.
func (o *outage) stored() (requests, errors, observations int64, rows int) {
	o.t.Helper()
	all, err := o.store.ListRollups(context.Background(), time.Time{})
	require.NoError(o.t, err)
	for _, r := range all {
		h := NewHistogram()
		require.NoError(o.t, h.UnmarshalBinary(r.Histogram))
		requests, errors, observations = requests+r.Requests, errors+r.Errors, observations+int64(h.Count())
	}
	return requests, errors, observations, len(all)
}

func TestTelemetryThroughAnOutage(t *testing.T) {
	three := func(int) int { return 3 }

	t.Run("ThirtyMinutesLoseNothing", func(t *testing.T) {
		o := newOutage(t)
		o.run(2*time.Minute, three)
		o.databaseDown()
		o.run(30*time.Minute, func(i int) int { return 1 + i%7 })
		o.databaseUp()
		o.run(10*time.Second, three)

		requests, errors, observations, _ := o.stored()
		assert.Equal(t, o.sent, requests, "every request of the outage reaches the rollups")
		assert.Equal(t, o.ticks, errors, "one 5xx per tick")
		assert.Equal(t, o.sent, observations, "and every latency")
		assert.Zero(t, o.rec.Dropped())
		logs := o.logs.String()
		assert.Equal(t, 1, strings.Count(logs, "telemetry: flush recovered after 360 failures, 31 minutes written"),
			"30 minutes of outage and the one it ended in, said once: %s", logs)
		assert.NotContains(t, logs, "left memory")
	})

	t.Run("LongerThanAnHourCountsTheExcessAsDropped", func(t *testing.T) {
		o := newOutage(t)
		o.databaseDown()
		// 90 minutes, minute m carrying m+1 requests.
		o.run(90*time.Minute, func(i int) int {
			if i%12 == 0 {
				return i/12 + 1
			}
			return 0
		})
		o.databaseUp()
		o.clock.Advance(time.Second) // still in minute 90: nothing new to rotate
		require.NoError(t, o.f.Flush(context.Background()))

		// Minutes 61..89 overwrote minutes 0..28: 1+2+…+29 requests.
		const lost = 29 * 30 / 2
		requests, _, _, rows := o.stored()
		assert.EqualValues(t, lost, o.rec.Dropped())
		assert.Equal(t, o.sent-lost, requests, "the last 61 minutes are all written")
		assert.Equal(t, ringSize, rows)
		require.NoError(t, testutil.CollectAndCompare(NewCollector(o.rec), strings.NewReader(`
# HELP pulse_telemetry_dropped_requests_total API requests counted in memory that will never reach the rollup table: their minute was overwritten before a flush wrote it (a database outage longer than an hour).
# TYPE pulse_telemetry_dropped_requests_total counter
pulse_telemetry_dropped_requests_total 435
`), "pulse_telemetry_dropped_requests_total"))
		logs := o.logs.String()
		assert.Equal(t, 29, strings.Count(logs, "telemetry: a minute left memory before it could be written"))
		assert.Contains(t, logs, "requests=29 dropped_total=435", "the last overwritten minute says how many it lost")
		assert.Contains(t, logs, "61 minutes written")
	})

	t.Run("RequestsAddedAfterAFlushAreTheOnlyLoss", func(t *testing.T) {
		o := newOutage(t)
		for range 3 {
			o.rec.Record("/api/sessions", "POST", 200, time.Millisecond, t0)
		}
		require.NoError(t, o.f.Flush(context.Background()))
		o.databaseDown()
		for range 2 {
			o.rec.Record("/api/sessions", "POST", 200, time.Millisecond, t0.Add(30*time.Second))
		}
		o.rec.Record("/api/sessions", "POST", 200, time.Millisecond, t0.Add(ringSize*time.Minute)) // t0's slot
		assert.EqualValues(t, 2, o.rec.Dropped(), "the 3 flushed requests are in the store")
	})

	t.Run("HoursOfNormalRunningDropNothing", func(t *testing.T) {
		o := newOutage(t)
		o.run(3*time.Hour, three)
		requests, _, _, rows := o.stored()
		assert.Equal(t, o.sent, requests)
		assert.Equal(t, 180, rows)
		assert.Zero(t, o.rec.Dropped(), "a flushed minute's slot is reused without loss")
		assert.NotContains(t, o.logs.String(), "recovered")
	})

	t.Run("FlushedMinutesAreNotCopiedAgain", func(t *testing.T) {
		o := newOutage(t)
		o.run(10*time.Minute, three)
		snaps := o.rec.snapshot()
		assert.Empty(t, snaps, "everything is in the store; the next flush copies nothing")
	})
}

func TestRecorderMemoryBound(t *testing.T) {
	assert.GreaterOrEqual(t, ringSize, 61, "an hour of completed minutes, and the current one")
	var r Recorder
	size := unsafe.Sizeof(r.slots)
	assert.LessOrEqual(t, size, uintptr(1_100_000), "the 1.1 MB stated in ringSize's comment and the README")
	t.Logf("%d slots of %d bytes: %d bytes", ringSize, unsafe.Sizeof(minuteSlot{}), size)
}
