package telemetry

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// typicalMinute is 1000 requests of a realistic API mix: fast reads, slower
// writes, a tail of slow calls to providers.
func typicalMinute(seed uint64) []time.Duration {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]time.Duration, 1000)
	for i := range out {
		var median, sigma float64
		switch r := rng.Float64(); {
		case r < 0.70:
			median, sigma = 12, 0.5
		case r < 0.95:
			median, sigma = 80, 0.6
		default:
			median, sigma = 450, 0.7
		}
		out[i] = time.Duration(median * math.Exp(sigma*rng.NormFloat64()) * float64(time.Millisecond))
	}
	return out
}

func TestHistogramEncoding(t *testing.T) {
	cases := map[string]func(h *Histogram){
		"Empty":    func(*Histogram) {},
		"OneValue": func(h *Histogram) { h.Observe(25 * time.Millisecond) },
		"Extremes": func(h *Histogram) { h.Observe(0); h.Observe(48 * time.Hour) },
		"TypicalMinute": func(h *Histogram) {
			for _, d := range typicalMinute(1) {
				h.Observe(d)
			}
		},
		"LargeCounts": func(h *Histogram) {
			h.counts[10] = 15
			h.counts[11] = 16
			h.counts[12] = 1 << 40
			h.counts[numBuckets-1] = 3
			h.total = 15 + 16 + 1<<40 + 3
		},
	}
	for name, fill := range cases {
		t.Run(name+"/RoundTrips", func(t *testing.T) {
			h := NewHistogram()
			fill(h)
			b, err := h.MarshalBinary()
			require.NoError(t, err)

			got, err := unmarshalHistogram(b)
			require.NoError(t, err)
			assert.Equal(t, h, got)

			var into Histogram
			into.Observe(time.Second) // replaced, not merged
			require.NoError(t, into.UnmarshalBinary(b))
			assert.Equal(t, h, &into)
		})
	}

	t.Run("MergeBinaryAdds", func(t *testing.T) {
		h := NewHistogram()
		h.Observe(time.Millisecond)
		require.NoError(t, h.MergeBinary(MustEncode(t, time.Millisecond, time.Second)))
		assert.Equal(t, uint64(3), h.Count())
		assert.InEpsilon(t, 1000.0, h.Quantile(1), RelativeAccuracy)
	})

	t.Run("AppendBinaryAppends", func(t *testing.T) {
		var h Histogram
		h.Observe(time.Millisecond)
		b, err := h.AppendBinary([]byte("row:"))
		require.NoError(t, err)
		assert.Equal(t, "row:", string(b[:4]))
		assert.Equal(t, MustEncode(t, time.Millisecond), b[4:])
	})
}

func TestHistogramEncodingSize(t *testing.T) {
	t.Run("EmptyIsTiny", func(t *testing.T) {
		assert.Less(t, len(MustEncode(t)), 16)
	})
	t.Run("OneValueIsTiny", func(t *testing.T) {
		assert.Less(t, len(MustEncode(t, time.Hour)), 16)
		assert.Less(t, len(MustEncode(t, 20*time.Millisecond)), 16)
	})
	t.Run("TypicalMinuteIsWellUnderOneKB", func(t *testing.T) {
		b := MustEncode(t, typicalMinute(1)...)
		t.Logf("1000 requests: %d bytes", len(b))
		assert.Less(t, len(b), 600)
	})
	t.Run("SevenBusyDaysOfOneInstanceStayUnderFewMB", func(t *testing.T) {
		// Every minute of the retention busy with 1000 requests: the
		// worst case for one instance (quiet minutes are far smaller).
		var total int
		for seed := range uint64(20) {
			total += len(MustEncode(t, typicalMinute(seed)...))
		}
		perMinute := float64(total) / 20
		week := perMinute * 7 * 1440
		t.Logf("%.0f bytes/minute, %.2f MB for 7 days", perMinute, week/1e6)
		assert.Less(t, week, 5e6)
	})
}

func TestHistogramDecodingRejectsGarbage(t *testing.T) {
	uv := func(vs ...uint64) []byte {
		b := []byte{codecVersion}
		for _, v := range vs {
			b = binary.AppendUvarint(b, v)
		}
		return b
	}
	cases := map[string][]byte{
		"Empty":                {},
		"UnknownVersion":       {2},
		"TruncatedToken":       {codecVersion, 0x80},
		"TokenOverflows":       {codecVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
		"IndexOutOfRange":      uv(numBuckets << countBits),
		"IndexOutOfRangeLater": uv(uint64(numBuckets-2)<<countBits, 1<<countBits),
		"HugeGap":              uv(math.MaxUint64 &^ countMask),
		"TruncatedCount":       uv(countMask),
		"CountOverflows":       uv(countMask, math.MaxUint64),
		"TotalOverflows":       uv(countMask, math.MaxUint64-countMask-1, countMask, 5),
		"TrailingGarbageToken": append(MustEncode(t, time.Second), 0x80),
		"TextInsteadOfBinary":  []byte("hello, world"),
		"MoreBucketsThanExist": append([]byte{codecVersion}, make([]byte, numBuckets+1)...), // each 0 token is the next bucket
	}
	for name, data := range cases {
		t.Run(name+"/Rejected", func(t *testing.T) {
			var h Histogram
			h.Observe(time.Millisecond)
			before := h

			err := h.UnmarshalBinary(data)
			require.ErrorIs(t, err, ErrMalformedHistogram)
			assert.Equal(t, before, h, "a failed decode leaves the histogram unchanged")

			assert.ErrorIs(t, h.MergeBinary(data), ErrMalformedHistogram)
			assert.Equal(t, before, h)

			got, err := unmarshalHistogram(data)
			assert.ErrorIs(t, err, ErrMalformedHistogram)
			assert.Nil(t, got)
		})
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{codecVersion})
	f.Add(MustEncode(f, time.Millisecond))
	f.Add(MustEncode(f, 0, time.Hour, 48*time.Hour))
	f.Add(MustEncode(f, typicalMinute(3)[:100]...))
	f.Add([]byte{codecVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := unmarshalHistogram(data)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformedHistogram)
			return
		}
		var sum uint64
		for _, c := range h.counts {
			sum += c
		}
		require.Equal(t, sum, h.Count())
		_ = h.Quantile(0.95)

		// Whatever was accepted re-encodes to the same histogram.
		b, err := h.MarshalBinary()
		require.NoError(t, err)
		again, err := unmarshalHistogram(b)
		require.NoError(t, err)
		require.Equal(t, h, again)
	})
}

// unmarshalHistogram decodes data into a new histogram, as a reader of the
// rollup table does.
func unmarshalHistogram(data []byte) (*Histogram, error) {
	h := NewHistogram()
	if err := h.MergeBinary(data); err != nil {
		return nil, err
	}
	return h, nil
}
