package pulse_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"pulse/internal/pulse"
)

// The one rule for "the database could not be reached" that /current, the
// other dashboard routes and the alert evaluator share.
func TestUnreachable(t *testing.T) {
	live := context.Background()
	expired, cancel := context.WithDeadline(live, time.Now().Add(-time.Second))
	defer cancel()
	driver := errors.New("conn closed mid-read")

	assert.True(t, pulse.Unreachable(live, pulse.Errorf(pulse.EUNAVAILABLE, "down")), "said unavailable")
	assert.True(t, pulse.Unreachable(expired, driver), "whatever the driver said once the deadline passed")
	assert.False(t, pulse.Unreachable(live, driver), "a failure before any deadline is the statement's own")
	assert.False(t, pulse.Unreachable(expired, pulse.Errorf(pulse.ENOTFOUND, "no such session")), "an answer is an answer")
	assert.False(t, pulse.Unreachable(live, nil))
}
