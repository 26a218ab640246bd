package telemetry

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// latencyDistributions are the data sets the accuracy guarantee is checked
// against, from a fixed seed so failures reproduce.
func latencyDistributions() map[string][]time.Duration {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int, f func() float64) []time.Duration { // f returns ms
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(f() * float64(time.Millisecond))
		}
		return out
	}
	logNormal := func(medianMs, sigma float64) func() float64 {
		return func() float64 { return medianMs * math.Exp(sigma*rng.NormFloat64()) }
	}
	return map[string][]time.Duration{
		"Uniform1To1000ms": gen(10000, func() float64 { return 1 + 999*rng.Float64() }),
		"UniformNarrow":    gen(5000, func() float64 { return 40 + rng.Float64() }),
		"LogNormal":        gen(20000, logNormal(35, 0.9)),
		"LogNormalWide":    gen(20000, logNormal(5, 2.5)),
		"Exponential":      gen(10000, func() float64 { return 80 * rng.ExpFloat64() }),
		"Bimodal": gen(10000, func() float64 {
			if rng.Float64() < 0.93 {
				return 8 + 4*rng.Float64() // cache hits
			}
			return 700 + 300*rng.Float64() // misses
		}),
		"BimodalAtP95Edge": gen(1000, func() float64 { // the p95 sits on the jump
			if rng.IntN(100) < 95 {
				return 2
			}
			return 2000
		}),
		"Microseconds":  gen(5000, func() float64 { return 0.001 + 0.5*rng.Float64() }),
		"UpTo5Minutes":  gen(5000, func() float64 { return 1000 * math.Pow(300, rng.Float64()) }),
		"OneValue":      {137 * time.Millisecond},
		"TwoValues":     {3 * time.Millisecond, 900 * time.Millisecond},
		"ThreeValues":   {5 * time.Millisecond, 50 * time.Millisecond, 500 * time.Millisecond},
		"TwentyValues":  gen(20, logNormal(100, 1)),
		"AllEqual":      gen(500, func() float64 { return 42 }),
		"ExactlyFiveMn": {5 * time.Minute, 5 * time.Minute, time.Minute},
	}
}

func TestHistogramQuantile(t *testing.T) {
	for name, latencies := range latencyDistributions() {
		t.Run(name+"/WithinOnePercent", func(t *testing.T) {
			h := NewHistogram()
			for _, d := range latencies {
				h.Observe(d)
			}
			require.Equal(t, uint64(len(latencies)), h.Count())
			for _, p := range []int{1, 50, 90, 95, 99, 100} {
				exact := exactQuantileMs(latencies, p)
				got := h.Quantile(float64(p) / 100)
				relErr := math.Abs(got-exact) / exact
				assert.LessOrEqualf(t, relErr, 0.01, "p%d: got %.6f ms, exact %.6f ms", p, got, exact)
				// The design target, with a hair of float slack.
				assert.LessOrEqualf(t, relErr, RelativeAccuracy+1e-9, "p%d: got %.6f ms, exact %.6f ms", p, got, exact)
			}
		})
	}
}

func TestHistogramMerge(t *testing.T) {
	t.Run("EqualsObservingEverything", func(t *testing.T) {
		latencies := latencyDistributions()["LogNormal"]
		whole, a, b := NewHistogram(), NewHistogram(), NewHistogram()
		for i, d := range latencies {
			whole.Observe(d)
			if i%3 == 0 {
				a.Observe(d)
			} else {
				b.Observe(d)
			}
		}
		a.Merge(b)
		assert.Equal(t, whole, a)
		assert.InDelta(t, exactQuantileMs(latencies, 95), a.Quantile(0.95), exactQuantileMs(latencies, 95)*0.01)
	})
	t.Run("NilAndEmptyAreNoOps", func(t *testing.T) {
		h := NewHistogram()
		h.Observe(time.Second)
		h.Merge(nil)
		h.Merge(NewHistogram())
		assert.Equal(t, uint64(1), h.Count())
	})
}

func TestHistogramRange(t *testing.T) {
	t.Run("EmptyQuantileIsZero", func(t *testing.T) {
		assert.Zero(t, NewHistogram().Quantile(0.95))
	})
	t.Run("BelowMinimumIsReportedAsMinimum", func(t *testing.T) {
		var h Histogram
		h.Observe(0)
		h.Observe(-time.Second)
		h.Observe(100 * time.Nanosecond)
		assert.Equal(t, 0.001, h.Quantile(1))
	})
	t.Run("OneHourIsNotClamped", func(t *testing.T) {
		assert.Less(t, bucketIndex(time.Hour), numBuckets-1)
		var h Histogram
		h.Observe(time.Hour)
		assert.InEpsilon(t, float64(time.Hour/time.Millisecond), h.Quantile(0.5), RelativeAccuracy)
	})
	t.Run("AboveMaximumIsClamped", func(t *testing.T) {
		var h Histogram
		h.Observe(24 * time.Hour)
		assert.Equal(t, numBuckets-1, bucketIndex(24*time.Hour))
		assert.InEpsilon(t, float64(histogramMax/time.Millisecond), h.Quantile(0.5), RelativeAccuracy)
	})
	t.Run("QuantileArgumentIsClamped", func(t *testing.T) {
		var h Histogram
		h.Observe(time.Millisecond)
		h.Observe(time.Second)
		assert.InEpsilon(t, 1.0, h.Quantile(-1), RelativeAccuracy)
		assert.InEpsilon(t, 1.0, h.Quantile(math.NaN()), RelativeAccuracy)
		assert.InEpsilon(t, 1000.0, h.Quantile(2), RelativeAccuracy)
	})
	t.Run("BucketIndexIsMonotonic", func(t *testing.T) {
		prev := 0
		for d := time.Duration(1); d < 10*time.Minute; d = d*1001/1000 + 1 {
			i := bucketIndex(d)
			require.GreaterOrEqual(t, i, prev, "at %v", d)
			prev = i
		}
	})
}

func TestNearestRank(t *testing.T) {
	// Against exact integer arithmetic for every n up to 10000: the float
	// tolerance must never move the rank.
	for n := uint64(1); n <= 10000; n++ {
		for _, p := range []uint64{50, 90, 95, 99} {
			want := (p*n + 99) / 100
			if got := nearestRank(float64(p)/100, n); got != want {
				t.Fatalf("n=%d p=%d: rank %d, want %d", n, p, got, want)
			}
		}
	}
}
