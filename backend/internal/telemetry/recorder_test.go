package telemetry

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/testclock"
)

var testRoutes = []Route{
	{Method: "GET", Path: "/api/sessions"},
	{Method: "GET", Path: "/api/sessions/:id"},
	{Method: "POST", Path: "/api/sessions"},
}

func newTestRecorder(clock *testclock.Clock) *Recorder {
	return NewRecorder(RecorderConfig{Instance: "a", Routes: testRoutes, Now: clock.Now, Logger: slog.New(slog.DiscardHandler)})
}

// snapshotAt returns the in-memory minute starting at m.
func snapshotAt(t *testing.T, r *Recorder, m time.Time) (minuteSnapshot, bool) {
	t.Helper()
	for _, s := range r.snapshot() {
		if s.minute.Equal(m) {
			return s, true
		}
	}
	return minuteSnapshot{}, false
}

func TestRecorderMinutes(t *testing.T) {
	t.Run("CountsPerMinute", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		r.Record("/api/sessions", "GET", 200, 10*time.Millisecond, t0.Add(5*time.Second))
		r.Record("/api/sessions", "GET", 503, 20*time.Millisecond, t0.Add(59*time.Second))
		r.Record("/api/sessions", "GET", 404, 30*time.Millisecond, t0.Add(time.Minute))

		snaps := r.snapshot()
		require.Len(t, snaps, 2)
		assert.Equal(t, t0, snaps[0].minute, "oldest first")
		assert.Equal(t, uint64(2), snaps[0].requests)
		assert.Equal(t, uint64(1), snaps[0].errors)
		assert.Equal(t, uint64(0), snaps[0].clientErrors)
		assert.Equal(t, uint64(2), snaps[0].hist.Count())
		assert.Equal(t, t0.Add(time.Minute), snaps[1].minute)
		assert.Equal(t, uint64(1), snaps[1].clientErrors)
	})

	t.Run("SlotIsReusedAfterRingSizeMinutes", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		for i := range ringSize + 2 {
			r.Record("/api/sessions", "GET", 200, time.Millisecond, t0.Add(time.Duration(i)*time.Minute))
		}
		snaps := r.snapshot()
		require.Len(t, snaps, ringSize)
		assert.Equal(t, t0.Add(2*time.Minute), snaps[0].minute, "the two oldest minutes were replaced")
		for _, s := range snaps {
			assert.Equal(t, uint64(1), s.requests, "a reused slot starts from zero")
			assert.Equal(t, uint64(1), s.hist.Count())
		}
	})

	t.Run("RecordForAReusedMinuteIsDropped", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		r.Record("/api/sessions", "GET", 200, time.Millisecond, t0.Add(ringSize*time.Minute))
		r.Record("/api/sessions", "GET", 200, time.Millisecond, t0) // same slot, older minute

		snaps := r.snapshot()
		require.Len(t, snaps, 1)
		assert.Equal(t, t0.Add(ringSize*time.Minute), snaps[0].minute)
		assert.Equal(t, uint64(1), snaps[0].requests)
	})

	t.Run("ConcurrentRecordsAcrossARotationAreAllCounted", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		const workers, perWorker = 8, 2000
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range perWorker {
					// Half in the first minute, half in the next: the
					// second half races on the rotation.
					at := t0.Add(time.Duration(i/(perWorker/2)) * time.Minute)
					r.Record("/api/sessions/:id", "GET", 200+w, time.Duration(i)*time.Microsecond, at)
				}
			})
		}
		wg.Wait()
		snaps := r.snapshot()
		require.Len(t, snaps, 2)
		for _, s := range snaps {
			assert.Equal(t, uint64(workers*perWorker/2), s.requests)
			assert.Equal(t, uint64(workers*perWorker/2), s.hist.Count())
		}
	})
}

func TestRecorderStatusClasses(t *testing.T) {
	cases := []struct {
		name                        string
		status                      int
		requests, errors, clientErr uint64
		class                       int
	}{
		{"OKIsARequest", 200, 1, 0, 0, class2xx},
		{"CreatedIsARequest", 201, 1, 0, 0, class2xx},
		{"SwitchingProtocolsCountsAs2xx", 101, 1, 0, 0, class2xx},
		{"RedirectIsNotAnError", 302, 1, 0, 0, class3xx},
		{"NotFoundIsAClientError", 404, 1, 0, 1, class4xx},
		{"TooManyRequestsIsAClientError", 429, 1, 0, 1, class4xx},
		{"InternalErrorIsAnError", 500, 1, 1, 0, class5xx},
		{"UnavailableIsAnError", 503, 1, 1, 0, class5xx},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRecorder(testclock.New(t0))
			r.Record("/api/sessions", "GET", tc.status, time.Millisecond, t0)

			s, ok := snapshotAt(t, r, t0)
			require.True(t, ok)
			assert.Equal(t, tc.requests, s.requests)
			assert.Equal(t, tc.errors, s.errors)
			assert.Equal(t, tc.clientErr, s.clientErrors)
			rs := r.routes.Load().lookup("/api/sessions", "GET")
			assert.Equal(t, uint64(1), rs.classes[tc.class].classic[0].Load())
		})
	}

	t.Run("CanceledIsNeitherRequestNorError", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		r.RecordCanceled("/api/sessions", "GET")
		assert.Empty(t, r.snapshot())
		assert.Equal(t, uint64(1), r.routes.Load().lookup("/api/sessions", "GET").canceled.Load())
	})
}

func TestRecorderRoutes(t *testing.T) {
	t.Run("KnownRouteHasItsOwnStats", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		rs := r.routes.Load().lookup("/api/sessions/:id", "GET")
		assert.Equal(t, "/api/sessions/:id", rs.route)
		assert.Equal(t, "GET", rs.method)
	})
	t.Run("UnknownRouteIsUnmatched", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		assert.Equal(t, UnmatchedRoute, r.routes.Load().lookup("/api/nope", "GET").route)
		assert.Equal(t, UnmatchedRoute, r.routes.Load().lookup("/api/sessions/:id", "DELETE").route, "known path, unknown method")
	})
	t.Run("UnknownMethodIsOther", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		rs := r.routes.Load().lookup("/api/sessions", "PROPFIND")
		assert.Equal(t, UnmatchedRoute, rs.route)
		assert.Equal(t, "OTHER", rs.method)
	})
	t.Run("RegisterKeepsCounters", func(t *testing.T) {
		r := newTestRecorder(testclock.New(t0))
		r.Record("/api/sessions", "GET", 200, time.Millisecond, t0)
		r.Record("/api/categories", "GET", 200, time.Millisecond, t0)
		r.Register(Route{Method: "GET", Path: "/api/categories"}, Route{Method: "GET", Path: "/api/sessions"})
		r.Record("/api/categories", "GET", 200, time.Millisecond, t0)

		tab := r.routes.Load()
		assert.Equal(t, uint64(1), tab.lookup("/api/sessions", "GET").classes[class2xx].classic[0].Load())
		assert.Equal(t, uint64(1), tab.lookup("/api/categories", "GET").classes[class2xx].classic[0].Load())
		assert.Equal(t, uint64(1), tab.lookup("/api/nope", "GET").classes[class2xx].classic[0].Load(), "recorded while unknown")
		assert.Len(t, tab.all, len(testRoutes)+1+numMethods, "no duplicate entries")
	})
}

func TestRecorderRecordDoesNotAllocate(t *testing.T) {
	r := newTestRecorder(testclock.New(t0))
	r.Record("/api/sessions/:id", "GET", 200, time.Millisecond, t0) // rotate first
	for _, route := range []string{"/api/sessions/:id", "/api/nope"} {
		allocs := testing.AllocsPerRun(1000, func() {
			r.Record(route, "GET", 200, 12*time.Millisecond, t0.Add(time.Second))
		})
		assert.Zero(t, allocs, route)
	}
}
