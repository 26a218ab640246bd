package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"pulse/internal/pulse"
)

// The platform's shape: which categories and providers sessions use.
var (
	categoryWeights = []weighted[string]{
		{"Mental Health", 34}, {"Academic Advising", 24}, {"Career Counseling", 16},
		{"Financial Aid", 12}, {"Admissions", 8}, {"Wellness Coaching", 6},
	}
	providerWeights = []weighted[pulse.Provider]{
		{pulse.ProviderDaily, 55}, {pulse.ProviderLiveKit, 30}, {pulse.ProviderBeyondPresence, 15},
	}
)

type weighted[T any] struct {
	v T
	w float64
}

func pick[T any](rng *rand.Rand, items []weighted[T]) T {
	var total float64
	for _, it := range items {
		total += it.w
	}
	x := rng.Float64() * total
	for _, it := range items {
		if x < it.w {
			return it.v
		}
		x -= it.w
	}
	return items[len(items)-1].v
}

// qualityAt draws a connection quality sample whose distribution drifts
// slowly with time (network conditions change over the day) and is worse on
// an already poor connection (sessionBias < 0).
func qualityAt(rng *rand.Rand, t time.Time, sessionBias float64) pulse.Quality {
	hours := float64(t.Unix()) / 3600
	drift := 0.35*math.Sin(hours*2*math.Pi/9) + 0.2*math.Sin(hours*2*math.Pi/2.3)
	return pulse.ClassifyScore(3.1 + drift + sessionBias + rng.NormFloat64()*0.7)
}

// dayLoad is the relative traffic at t: quiet at night (UTC), busy in the
// afternoon, lighter on weekends.
func dayLoad(t time.Time) float64 {
	h := float64(t.Hour()) + float64(t.Minute())/60
	load := 0.25 + 0.75*math.Max(0, math.Sin((h-6)/16*math.Pi))
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		load *= 0.55
	}
	return load
}

// latency draws a request latency: log-normal around a route's typical
// cost, with a slow tail.
func latency(rng *rand.Rand, typical time.Duration, slowFactor float64) time.Duration {
	d := float64(typical) * math.Exp(rng.NormFloat64()*0.45) * slowFactor
	if rng.Float64() < 0.01 {
		d *= 4 + rng.Float64()*6
	}
	return time.Duration(d)
}
