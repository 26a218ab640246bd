package telemetry

import (
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"pulse/internal/pulse"
)

// ringSize is how many minutes the Recorder keeps in memory: the current one
// and 60 completed ones, so the request counts of a database outage of up to
// an hour are all written once the database answers again. A longer outage
// overwrites unflushed minutes: their requests are counted (Dropped, and
// pulse_telemetry_dropped_requests_total) and logged.
//
// Memory bound: a slot is its numBuckets (2,203) uint64 histogram counters
// plus a few counters and padding, about 17.8 KB, so 61 slots take about
// 1.1 MB per Recorder, allocated once (TestRecorderMemoryBound). The
// histogram keeps its full resolution: 1.1 MB is small beside the Go runtime
// itself, and snapshots copy only the minutes not flushed yet, so a long ring
// costs nothing per flush or per dashboard read while the database is up.
const ringSize = 61

// slotFree marks a slot that holds no minute, or one being reset.
const slotFree = -1

// cacheLinePad keeps the read-mostly minute apart from the counters every
// request writes, so reading it does not bounce between cores.
type cacheLinePad [64]byte

// minuteSlot is one minute of traffic of this instance.
type minuteSlot struct {
	minute  atomic.Int64  // Unix minute held, or slotFree
	flushed atomic.Uint64 // requests of this minute already in the store
	_       cacheLinePad

	requests     atomic.Uint64
	errors       atomic.Uint64 // 5xx
	clientErrors atomic.Uint64 // 4xx
	_            cacheLinePad

	hist [numBuckets]atomic.Uint64
}

// RecorderConfig configures a Recorder.
type RecorderConfig struct {
	// Instance names this process in the shared rollup table. It must be
	// unique among the running instances and should change on restart
	// (e.g. hostname-pid or a random id): a new process re-using the id of
	// a dead one within the same minute would overwrite that minute's row.
	// Empty means "local".
	Instance string
	// Routes are the route templates served; others count as
	// UnmatchedRoute. More can be added with Register before serving.
	Routes []Route
	// Now is the clock; nil means time.Now. Tests inject their own.
	Now func() time.Time
	// Logger reports minutes overwritten before they were flushed; nil
	// means slog.Default().
	Logger *slog.Logger
	// Buckets are the classic bounds (seconds) of the exported latency
	// histogram: LatencyBuckets(p95 thresholds); nil means Prometheus'
	// default buckets.
	Buckets []float64
}

// Recorder counts every API request in memory: per-minute slots for the
// rollups and cumulative per-route counters for Prometheus. Record is safe
// for concurrent use, allocates nothing and takes no lock except when a slot
// moves on to a new minute (once a minute).
type Recorder struct {
	instance string
	now      func() time.Time
	since    func(time.Time) time.Duration
	log      *slog.Logger

	// dropped counts requests recorded but never written: minutes
	// overwritten unflushed, and requests that ended after their minute
	// left memory.
	dropped atomic.Uint64

	routes     atomic.Pointer[routeTable]
	registerMu sync.Mutex // serialises Register's copy-on-write
	created    time.Time  // when the cumulative counters started

	rotateMu sync.Mutex // held only to reset a slot for a new minute
	slots    [ringSize]minuteSlot
}

// NewRecorder returns a Recorder that knows cfg.Routes.
func NewRecorder(cfg RecorderConfig) *Recorder {
	r := &Recorder{instance: cfg.Instance, now: cfg.Now, log: cfg.Logger}
	if r.instance == "" {
		r.instance = "local"
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
		// time.Since reads only the monotonic clock: one clock read fewer
		// per request than a second time.Now.
		r.since = time.Since
	} else {
		r.since = func(t time.Time) time.Duration { return r.now().Sub(t) }
	}
	for i := range r.slots {
		r.slots[i].minute.Store(slotFree)
	}
	r.created = r.now()
	r.routes.Store(newRouteTable(newBucketLayout(cfg.Buckets)).with(cfg.Routes))
	return r
}

// Dropped is how many requests were recorded but will never reach the
// rollups: their minute left memory before a flush wrote them (a database
// outage longer than ringSize-1 minutes), or they ended after it had.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Register adds routes. Counters of routes already known are kept. It is
// safe to call at any time, but routes served before they are registered
// count as UnmatchedRoute meanwhile, so call it before serving.
func (r *Recorder) Register(routes ...Route) {
	r.registerMu.Lock()
	defer r.registerMu.Unlock()
	r.routes.Store(r.routes.Load().with(routes))
}

// Record counts one answered request: its route template (c.Path() in
// Echo), method, HTTP status and latency, in the minute of at (the time the
// response was done, so that only the current minute is still growing).
func (r *Recorder) Record(route, method string, status int, latency time.Duration, at time.Time) {
	if latency < 0 {
		latency = 0
	}
	class := statusClass(status)
	t := r.routes.Load()
	t.lookup(route, method).classes[class].observe(int64(latency), t.layout)

	s := r.slotFor(at)
	if s == nil {
		r.dropped.Add(1)
		return
	}
	// requests moves last: a snapshot that reads it first sees every other
	// counter of those requests, and a minute whose requests have not moved
	// since its last flush has nothing new to write.
	s.hist[bucketIndex(latency)].Add(1)
	switch class {
	case class5xx:
		s.errors.Add(1)
	case class4xx:
		s.clientErrors.Add(1)
	}
	s.requests.Add(1)
}

// RecordCanceled counts a request the client abandoned before the response
// was written. It is neither a request nor an error in the rollups (its
// latency says nothing about the service and counting it would dilute the
// error rate); Prometheus shows it as status_class="canceled".
func (r *Recorder) RecordCanceled(route, method string) {
	r.routes.Load().lookup(route, method).canceled.Add(1)
}

// slotFor returns the slot of the minute of at, moving a slot on to that
// minute if needed. It returns nil for a minute so old its slot has been
// reused (a request that finished more than ringSize minutes late).
//
// Accepted race: a Record that has checked its slot's minute and is then
// stalled until the slot is reused ringSize minutes later adds its counts to
// the new minute. Guarding against it would cost a lock per request.
func (r *Recorder) slotFor(at time.Time) *minuteSlot {
	sec := at.Unix()
	if sec < 0 { // before 1970: only a broken clock; keeps the index positive
		return nil
	}
	m := sec / 60
	s := &r.slots[m%ringSize]
	if s.minute.Load() == m {
		return s
	}
	return r.rotate(s, m)
}

func (r *Recorder) rotate(s *minuteSlot, m int64) *minuteSlot {
	r.rotateMu.Lock()
	cur := s.minute.Load()
	switch {
	case cur == m: // another request rotated it meanwhile
		r.rotateMu.Unlock()
		return s
	case cur > m:
		r.rotateMu.Unlock()
		return nil
	}
	var lost uint64
	if req, done := s.requests.Load(), s.flushed.Load(); cur != slotFree && req > done {
		lost = req - done
	}
	// Free the slot first so a concurrent snapshot sees the reset, not a
	// half-cleared old minute.
	s.minute.Store(slotFree)
	s.requests.Store(0)
	s.flushed.Store(0)
	s.errors.Store(0)
	s.clientErrors.Store(0)
	for i := range s.hist {
		s.hist[i].Store(0)
	}
	s.minute.Store(m)
	r.rotateMu.Unlock()

	if lost > 0 {
		r.dropped.Add(lost)
		r.log.Error("telemetry: a minute left memory before it could be written; its requests are lost",
			"minute", time.Unix(cur*60, 0).UTC(), "requests", lost, "dropped_total", r.dropped.Load())
	}
	return s
}

// markFlushed records that the store holds s's minute as of s: until more
// requests arrive in that minute, snapshots skip it and its slot may be
// reused without loss.
func (r *Recorder) markFlushed(s minuteSnapshot) {
	m := s.minute.Unix() / 60
	slot := &r.slots[m%ringSize]
	r.rotateMu.Lock()
	defer r.rotateMu.Unlock()
	if slot.minute.Load() == m && s.requests > slot.flushed.Load() {
		slot.flushed.Store(s.requests)
	}
}

// minuteSnapshot is a consistent-enough copy of one minute slot.
type minuteSnapshot struct {
	minute       time.Time // UTC
	requests     uint64
	errors       uint64
	clientErrors uint64
	hist         *Histogram
}

// rollup is the snapshot as the row the flusher writes.
func (s minuteSnapshot) rollup(instance string) pulse.Rollup {
	b, _ := s.hist.MarshalBinary() // never fails
	return pulse.Rollup{
		Minute:       s.minute,
		Instance:     instance,
		Requests:     int64(s.requests),
		Errors:       int64(s.errors),
		ClientErrors: int64(s.clientErrors),
		Histogram:    b,
	}
}

// snapshot copies the minutes in memory that hold requests the store does
// not have yet, oldest first. A minute already flushed and unchanged since is
// left out: the store's row of it is as good, and copying its histogram is
// the expensive part.
func (r *Recorder) snapshot() []minuteSnapshot {
	var out []minuteSnapshot
	for i := range r.slots {
		s := &r.slots[i]
		m := s.minute.Load()
		if m == slotFree {
			continue
		}
		// requests first: Record moves it last, so every counter read
		// below already holds these requests.
		requests := s.requests.Load()
		if requests == 0 || requests == s.flushed.Load() {
			continue
		}
		snap := minuteSnapshot{
			minute:       time.Unix(m*60, 0).UTC(),
			requests:     requests,
			errors:       s.errors.Load(),
			clientErrors: s.clientErrors.Load(),
			hist:         NewHistogram(),
		}
		for j := range s.hist {
			if c := s.hist[j].Load(); c != 0 {
				snap.hist.counts[j] = c
				snap.hist.total += c
			}
		}
		// Seqlock-style check: a slot rotated while being copied is dropped;
		// its old minute is gone and its new one has barely started.
		if s.minute.Load() != m {
			continue
		}
		out = append(out, snap)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].minute.Before(out[j].minute) })
	return out
}
