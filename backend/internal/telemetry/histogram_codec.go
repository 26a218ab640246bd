package telemetry

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Binary format (version 1), sparse: only non-empty buckets are written.
//
//	version byte (1)
//	then, for each non-empty bucket in increasing index order, a token
//	uvarint((gap-1)<<4 | n) where gap is the distance from the previous
//	non-empty bucket (the first is measured from -1) and n encodes the
//	count: n < 15 means count n+1; n == 15 means a uvarint (count-16)
//	follows.
//
// Packing the gap and a small count into one token makes the common entry
// (neighbouring bucket, a handful of hits) a single byte: an empty histogram
// is 1 byte, a single value at most 4, a busy minute a few hundred.
const (
	codecVersion = 1
	countBits    = 4
	countMask    = 1<<countBits - 1 // n == countMask escapes to a uvarint
)

// ErrMalformedHistogram is returned (wrapped) for bytes that are not a
// histogram in this package's encoding.
var ErrMalformedHistogram = errors.New("telemetry: malformed histogram")

// MarshalBinary encodes the histogram in the sparse format above.
// It never fails; the error is there for encoding.BinaryMarshaler.
func (h *Histogram) MarshalBinary() ([]byte, error) {
	return h.AppendBinary(nil)
}

// AppendBinary appends the encoding of the histogram to b.
func (h *Histogram) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, codecVersion)
	prev := -1
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		token := uint64(i-prev-1) << countBits
		if c < countMask+1 {
			b = binary.AppendUvarint(b, token|(c-1))
		} else {
			b = binary.AppendUvarint(b, token|countMask)
			b = binary.AppendUvarint(b, c-countMask-1)
		}
		prev = i
	}
	return b, nil
}

// UnmarshalBinary replaces the histogram with the decoded data. On error
// the histogram is left unchanged.
func (h *Histogram) UnmarshalBinary(data []byte) error {
	if err := decodeHistogram(data, nil); err != nil {
		return err
	}
	h.Reset()
	return decodeHistogram(data, h)
}

// MergeBinary adds an encoded histogram to h without building a second
// Histogram. On error h is left unchanged.
func (h *Histogram) MergeBinary(data []byte) error {
	// Validate first so that a bad row never half-merges.
	if err := decodeHistogram(data, nil); err != nil {
		return err
	}
	return decodeHistogram(data, h)
}

// decodeHistogram parses data and, when into is not nil, adds the counts to
// it. Every bound is checked before use, so any input yields an error or a
// valid histogram, never a panic.
func decodeHistogram(data []byte, into *Histogram) error {
	if len(data) == 0 {
		return fmt.Errorf("%w: empty", ErrMalformedHistogram)
	}
	if data[0] != codecVersion {
		return fmt.Errorf("%w: unknown version %d", ErrMalformedHistogram, data[0])
	}
	pos := 1
	prev := -1
	var total uint64
	for pos < len(data) {
		token, n := binary.Uvarint(data[pos:])
		if n <= 0 {
			return fmt.Errorf("%w: bad token at byte %d", ErrMalformedHistogram, pos)
		}
		pos += n
		gap := token >> countBits
		if gap >= numBuckets || prev+1+int(gap) >= numBuckets {
			return fmt.Errorf("%w: bucket index out of range at byte %d", ErrMalformedHistogram, pos)
		}
		idx := prev + 1 + int(gap)
		count := token&countMask + 1
		if token&countMask == countMask {
			extra, n := binary.Uvarint(data[pos:])
			if n <= 0 {
				return fmt.Errorf("%w: bad count at byte %d", ErrMalformedHistogram, pos)
			}
			pos += n
			if extra > math.MaxUint64-countMask-1 {
				return fmt.Errorf("%w: count overflows", ErrMalformedHistogram)
			}
			count = extra + countMask + 1
		}
		if total+count < total {
			return fmt.Errorf("%w: total count overflows", ErrMalformedHistogram)
		}
		total += count
		if into != nil {
			into.counts[idx] += count
		}
		prev = idx
	}
	if into != nil {
		into.total += total
	}
	return nil
}
