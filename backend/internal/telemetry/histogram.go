package telemetry

import (
	"math"
	"time"
)

// The latency histogram is a DDSketch-style logarithmic sketch: bucket i
// holds the values in (min·γ^(i-1), min·γ^i] and reports the one value that
// is within RelativeAccuracy of every value in that range. A quantile read
// from it is therefore within RelativeAccuracy of the exact (nearest-rank)
// quantile of the same observations, whatever their distribution, and two
// histograms merge by adding counts.
const (
	// RelativeAccuracy is the bound on the relative error of a quantile.
	RelativeAccuracy = 0.005

	// HistogramMin is the smallest latency told apart; anything at or below
	// it (including 0) is counted in bucket 0 and reported as HistogramMin.
	HistogramMin = time.Microsecond

	// numBuckets makes the top bucket reach just above one hour
	// (1µs·γ^2202 ≈ 3.6e9µs), comfortably above any request timeout.
	numBuckets = 2203
)

var (
	// gamma = (1+a)/(1-a): the ratio between consecutive bucket bounds.
	gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy)
	// invLnGamma turns a natural logarithm into a bucket index.
	invLnGamma = 1 / math.Log(gamma)

	// histogramMax (≈61 min) is the largest latency measured within
	// RelativeAccuracy; larger ones are counted in the top bucket (clamped).
	histogramMax = time.Duration(float64(HistogramMin) * math.Pow(gamma, numBuckets-1))
)

// bucketIndex maps a latency to its bucket, clamping outside
// [HistogramMin, histogramMax].
func bucketIndex(d time.Duration) int {
	if d <= HistogramMin {
		return 0
	}
	i := int(math.Ceil(math.Log(float64(d)/float64(HistogramMin)) * invLnGamma))
	if i >= numBuckets {
		return numBuckets - 1
	}
	return i
}

// bucketValueMs is the value reported for bucket i, in milliseconds: the
// point of (min·γ^(i-1), min·γ^i] whose relative distance to both ends is a.
func bucketValueMs(i int) float64 {
	minMs := float64(HistogramMin) / float64(time.Millisecond)
	if i == 0 {
		return minMs
	}
	return minMs * 2 * math.Pow(gamma, float64(i)) / (gamma + 1)
}

// Histogram is a mergeable latency histogram with bounded relative error
// (see RelativeAccuracy). The zero value is an empty histogram ready to use.
// It is not safe for concurrent use; the Recorder keeps its own atomic
// counterpart on the hot path and snapshots it into a Histogram.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

// Observe counts one latency.
func (h *Histogram) Observe(d time.Duration) {
	h.counts[bucketIndex(d)]++
	h.total++
}

// Merge adds the observations of other to h.
func (h *Histogram) Merge(other *Histogram) {
	if other == nil || other.total == 0 {
		return
	}
	for i, c := range other.counts {
		h.counts[i] += c
	}
	h.total += other.total
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 { return h.total }

// Reset empties the histogram.
func (h *Histogram) Reset() { *h = Histogram{} }

// Quantile returns the q-quantile (0 ≤ q ≤ 1) of the observations in
// milliseconds, using the nearest-rank definition (the ⌈q·n⌉-th smallest
// value), within RelativeAccuracy for values between HistogramMin and about
// one hour (larger values are clamped). It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) float64 {
	if h.total == 0 {
		return 0
	}
	rank := nearestRank(q, h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return bucketValueMs(i)
		}
	}
	return bucketValueMs(numBuckets - 1) // unreachable while total == Σcounts
}

// nearestRank is ⌈q·n⌉ clamped to [1, n]. The small tolerance absorbs the
// float rounding of q·n (0.95·n may land just above an integer) so that the
// rank matches the exact rational one.
func nearestRank(q float64, n uint64) uint64 {
	switch {
	case q <= 0 || math.IsNaN(q):
		return 1
	case q >= 1:
		return n
	}
	rank := uint64(math.Ceil(q*float64(n) - 1e-7))
	if rank < 1 {
		return 1
	}
	if rank > n {
		return n
	}
	return rank
}
