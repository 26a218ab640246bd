package telemetry

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The exported request-duration histogram has two faces, in one series:
//
//   - classic buckets (le="…"), for every scraper: placed by LatencyBuckets
//     around the p95 thresholds, so that histogram_quantile(0.95, …) lands
//     within a few percent of the true p95 where alerts are decided, and the
//     thresholds themselves are bucket bounds (the share of requests under
//     500 ms is exact, not interpolated);
//   - a native histogram (schema 3: 8 buckets per doubling, each ±4.5 %
//     wide) for scrapers that negotiate protobuf, from 1 µs to 128 s.

// LatencyBuckets is the classic bucket layout, in seconds, for the p95
// thresholds degradedMs and criticalMs: a bound every quarter-doubling
// (×1.19) from degraded/8 to critical×4, every half-doubling (×1.41) outside
// that band from about 1 ms to 32 s, both thresholds exactly, the others rounded
// to three significant digits. With the default thresholds (500 and 1000
// ms): 42 bounds, 62.5 ms to 4 s dense.
func LatencyBuckets(degradedMs, criticalMs float64) []float64 {
	d, c := degradedMs/1000, criticalMs/1000
	if !(d > 0) || !(c >= d) || math.IsInf(c, 0) {
		return slices.Clone(prometheus.DefBuckets)
	}
	lo, hi := d/8*(1-1e-9), c*4*(1+1e-9)
	bounds := []float64{d, c}
	for k := -200; k <= 200; k++ {
		v := d * math.Pow(2, float64(k)/4)
		if k == 0 || v < 0.001*(1-1e-9) || v > 32*(1+1e-9) {
			continue
		}
		if (v < lo || v > hi) && k%2 != 0 {
			continue
		}
		bounds = append(bounds, roundSignificant(v, 3))
	}
	sort.Float64s(bounds)
	return slices.CompactFunc(bounds, func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*b })
}

func roundSignificant(v float64, digits int) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return r
}

// bucketLayout is the classic bounds as the hot path compares them.
type bucketLayout struct {
	bounds   []float64 // seconds, increasing
	boundsNs []int64
}

// newBucketLayout keeps the positive, finite bounds of b, sorted and without
// duplicates; none at all means Prometheus' default buckets.
func newBucketLayout(b []float64) *bucketLayout {
	var bounds []float64
	for _, v := range b {
		if v > 0 && !math.IsInf(v, 0) {
			bounds = append(bounds, v)
		}
	}
	if len(bounds) == 0 {
		bounds = slices.Clone(prometheus.DefBuckets)
	}
	sort.Float64s(bounds)
	bounds = slices.Compact(bounds)
	l := &bucketLayout{bounds: bounds, boundsNs: make([]int64, len(bounds))}
	for i, s := range bounds {
		l.boundsNs[i] = int64(s * float64(time.Second))
	}
	return l
}

// index is the classic bucket of a latency: the first bound at or above it,
// len(bounds) for +Inf.
func (l *bucketLayout) index(ns int64) int {
	i, j := 0, len(l.boundsNs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if l.boundsNs[h] < ns {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// The native histogram: bucket k holds the latencies in
// (2^((k-1)/8), 2^(k/8)] seconds; at or below 2^-20 s (about 1 µs) is the
// zero bucket; above 2^7 s is counted in the top bucket.
const (
	nativeSchema  = 3
	nativeMinKey  = -20<<nativeSchema + 1
	nativeMaxKey  = 7 << nativeSchema
	nativeBuckets = nativeMaxKey - nativeMinKey + 1
)

var (
	nativeZeroThreshold = math.Ldexp(1, -20)
	nativeZeroNs        = int64(nativeZeroThreshold * float64(time.Second))
	// nativeFracBounds are 2^(j/8 - 1), j = 0..7: where the mantissa of a
	// value (math.Frexp: [0.5, 1)) moves to the next bucket.
	nativeFracBounds = func() (b [1 << nativeSchema]float64) {
		for j := range b {
			b[j] = math.Exp2(float64(j)/(1<<nativeSchema) - 1)
		}
		return b
	}()
)

// nativeIndex is the slot of a latency above the zero threshold.
func nativeIndex(ns int64) int {
	frac, exp := math.Frexp(float64(ns) / float64(time.Second))
	j := 0
	for j < len(nativeFracBounds) && nativeFracBounds[j] < frac {
		j++
	}
	key := j + (exp-1)<<nativeSchema
	return min(max(key, nativeMinKey), nativeMaxKey) - nativeMinKey
}

// latencyCounters are one route × method × class's histogram, both faces.
type latencyCounters struct {
	classic    []atomic.Uint64 // per bucket (not cumulative); the last is +Inf
	native     [nativeBuckets]atomic.Uint64
	nativeZero atomic.Uint64
	sumNs      atomic.Uint64
}

func newLatencyCounters(l *bucketLayout) latencyCounters {
	return latencyCounters{classic: make([]atomic.Uint64, len(l.bounds)+1)}
}

// observe counts one latency: native first, then classic. The collector
// reads them in the other order, so the native total it reads is never
// below the classic one, and it is the count (see histogramMetric).
func (h *latencyCounters) observe(ns int64, l *bucketLayout) {
	if ns <= nativeZeroNs {
		h.nativeZero.Add(1)
	} else {
		h.native[nativeIndex(ns)].Add(1)
	}
	h.classic[l.index(ns)].Add(1)
	h.sumNs.Add(uint64(ns))
}

// histogramMetric reads h as one const metric carrying both faces, and the
// number of observations (0: nothing recorded, no metric). Classic buckets
// are read first: an observation in flight may be in the native count and
// not yet in its classic bucket; it then shows in the classic +Inf bucket
// (the count) for this one scrape, and every series stays a valid,
// monotonic histogram.
func (h *latencyCounters) histogramMetric(desc *prometheus.Desc, l *bucketLayout, created time.Time, labels ...string) (prometheus.Metric, uint64) {
	cumulative := make(map[float64]uint64, len(l.bounds))
	var classic uint64
	for i := range h.classic {
		classic += h.classic[i].Load()
		if i < len(l.bounds) {
			cumulative[l.bounds[i]] = classic
		}
	}
	zero := h.nativeZero.Load()
	count := zero
	positive := make(map[int]int64)
	for i := range h.native {
		if n := h.native[i].Load(); n > 0 {
			positive[i+nativeMinKey] = int64(n)
			count += n
		}
	}
	sum := time.Duration(h.sumNs.Load()).Seconds()
	return dualHistogram{
		classic: prometheus.MustNewConstHistogramWithCreatedTimestamp(desc, count, sum, cumulative, created, labels...),
		native: prometheus.MustNewConstNativeHistogram(desc, count, sum, positive, nil, zero,
			nativeSchema, nativeZeroThreshold, created, labels...),
	}, count
}

// dualHistogram is one histogram series with classic buckets and native
// ones: the text format shows the classic buckets, protobuf carries both.
type dualHistogram struct {
	classic, native prometheus.Metric
}

func (m dualHistogram) Desc() *prometheus.Desc { return m.classic.Desc() }

func (m dualHistogram) Write(out *dto.Metric) error {
	if err := m.native.Write(out); err != nil {
		return err
	}
	var c dto.Metric
	if err := m.classic.Write(&c); err != nil {
		return err
	}
	out.Histogram.Bucket = c.Histogram.Bucket
	return nil
}
