package demo

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// Faults decides which ingestion requests fail on purpose: a low base rate,
// and now and then a burst that pushes the error rate past the degraded
// threshold so the dashboard has something to warn about.
type Faults struct {
	BaseRate   float64       // share of requests failing outside bursts, e.g. 0.004
	BurstRate  float64       // share failing during a burst, e.g. 0.12
	BurstEvery time.Duration // time between burst starts, e.g. 12m
	BurstFor   time.Duration // length of a burst, e.g. 90s
	Now        func() time.Time

	mu    sync.Mutex
	start time.Time
	rng   *rand.Rand
}

// NewFaults returns the demo's default fault pattern; the first burst comes
// after a few minutes, once the dashboard has a calm baseline to compare with.
func NewFaults() *Faults {
	return &Faults{BaseRate: 0.004, BurstRate: 0.12, BurstEvery: 12 * time.Minute, BurstFor: 90 * time.Second,
		Now: time.Now, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

func (f *Faults) inBurst(t time.Time) bool {
	if f.start.IsZero() {
		f.start = t
	}
	since := t.Sub(f.start)
	offset := f.BurstEvery / 3 // first burst a third of a period in
	if since < offset {
		return false
	}
	return (since-offset)%f.BurstEvery < f.BurstFor
}

// Middleware fails the requests Fail picks with a 503, as a database outage
// would. `pulse demo` mounts it on the ingestion routes.
func (f *Faults) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if f.Fail() {
			return pulse.Errorf(pulse.EUNAVAILABLE, "Injected failure (demo mode).")
		}
		return next(c)
	}
}

// Fail reports whether the next request should fail.
func (f *Faults) Fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	rate := f.BaseRate
	if f.inBurst(f.Now()) {
		rate = f.BurstRate
	}
	return f.rng.Float64() < rate
}
