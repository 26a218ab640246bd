package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"
)

// snapshot is the one read path of a metrics route: the answer (its JSON
// body, or its error) is built by one request and shared by every request of
// the next maxAge, on this replica. However many dashboards poll, the
// database sees one set of queries per interval; a request that finds the
// answer too old rebuilds it, and requests arriving during the rebuild wait
// for that same build (single-flight) rather than starting their own.
//
// An error is an answer too: an outage verdict or a 503 is served for at
// most maxAge, like any other, so a database that comes back shows within
// one interval, and a database that is down is not asked again by every
// request meanwhile.
type snapshot struct {
	maxAge  time.Duration
	timeout time.Duration // bounds one build; 0: none
	now     func() time.Time
	build   func(ctx context.Context, now time.Time) ([]byte, error)

	mu   sync.Mutex
	body []byte
	err  error
	at   time.Time
	ok   bool // holds an answer

	flight singleflight.Group
}

func newSnapshot(maxAge, timeout time.Duration, now func() time.Time, build func(context.Context, time.Time) ([]byte, error)) *snapshot {
	return &snapshot{maxAge: maxAge, timeout: timeout, now: now, build: build}
}

// get returns the shared answer, rebuilding it when it is maxAge old. A
// caller whose client goes away while the build runs gets ctx's error; the
// build goes on for the others.
func (s *snapshot) get(ctx context.Context) ([]byte, error) {
	if body, ok, err := s.fresh(); ok {
		return body, err
	}
	ch := s.flight.DoChan("", func() (any, error) {
		// A build that ended between the check above and this flight has
		// already answered.
		if body, ok, err := s.fresh(); ok {
			return body, err
		}
		// Apart from the request that happens to start it: that client
		// leaving must not fail the build everyone else is waiting for.
		bctx, cancel := context.WithoutCancel(ctx), context.CancelFunc(func() {})
		if s.timeout > 0 {
			bctx, cancel = context.WithTimeout(bctx, s.timeout)
		}
		defer cancel()
		at := s.now()
		body, err := s.build(bctx, at)
		s.mu.Lock()
		s.body, s.err, s.at, s.ok = body, err, at, true
		s.mu.Unlock()
		return body, err
	})
	var r singleflight.Result
	select {
	case r = <-ch:
	case <-ctx.Done():
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err() // the client went away
		}
		// The build has its own deadline, no later than the request
		// timeout: waiting for it gives the answer it makes of a hung
		// database ("critical, database unreachable") rather than a bare 503.
		r = <-ch
	}
	body, _ := r.Val.([]byte)
	return body, r.Err
}

// fresh returns the answer held, if it is younger than maxAge.
func (s *snapshot) fresh() (body []byte, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ok {
		return nil, false, nil
	}
	if age := s.now().Sub(s.at); age < 0 || age >= s.maxAge {
		return nil, false, nil
	}
	return s.body, true, s.err
}

// metricsSnapshots are the shared answers of the four metrics routes.
type metricsSnapshots struct {
	current, sessions, errors, externalServices *snapshot
}

func (s *Server) newMetricsSnapshots(currentMaxAge, maxAge time.Duration) metricsSnapshots {
	// The builds run apart from any request, so they carry the dashboard's
	// deadline themselves, never later than a request's own.
	timeout := s.dashboardDBTimeout
	if timeout <= 0 || (s.requestTimeout > 0 && s.requestTimeout < timeout) {
		timeout = s.requestTimeout
	}
	return metricsSnapshots{
		current:          newSnapshot(currentMaxAge, timeout, s.now, s.buildCurrentMetrics),
		sessions:         newSnapshot(maxAge, timeout, s.now, s.buildSessionMetrics),
		errors:           newSnapshot(maxAge, timeout, s.now, s.buildErrorTrend),
		externalServices: newSnapshot(maxAge, timeout, s.now, s.buildExternalServices),
	}
}

// serveSnapshot answers with sn's shared body, or its error.
func serveSnapshot(c echo.Context, sn *snapshot) error {
	body, err := sn.get(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}
