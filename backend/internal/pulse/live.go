package pulse

import (
	"context"
	"errors"
	"time"
)

// LiveSources are the services the live figures are read from: the same
// for the dashboard's /current and for the alert evaluator.
type LiveSources struct {
	Sessions interface {
		SessionStats(context.Context, time.Time) (SessionStats, error)
	}
	Telemetry TelemetryService
	Pool      interface{ PoolStats() PoolStats }
	Providers ProviderService
}

// Unreachable reports whether err, from a read bounded by ctx, means the
// database could not be reached: EUNAVAILABLE, or an internal error once
// ctx's deadline has passed (a driver interrupted mid-read reports whatever it
// makes of that).
func Unreachable(ctx context.Context, err error) bool {
	switch ErrorCode(err) {
	case EUNAVAILABLE:
		return true
	case EINTERNAL:
		return errors.Is(ctx.Err(), context.DeadlineExceeded)
	}
	return false
}

// Live is one reading of the live figures. A figure read from the database
// is nil when the database could not be read; DatabaseUp then says so.
type Live struct {
	Sessions   *SessionStats
	Requests   *RequestStats // the last hour
	Pool       PoolStats
	Providers  []ProviderHealth // nil when the provider service failed
	DatabaseUp bool
}

// ReadLive reads every live figure once. The two database reads are
// themselves the database check (no extra ping): one that fails as
// EUNAVAILABLE, or runs out of ctx's deadline, marks the database down and is
// passed to unreachable (may be nil), for the logs; any other error is
// returned.
func ReadLive(ctx context.Context, now time.Time, src LiveSources, unreachable func(error)) (Live, error) {
	l := Live{DatabaseUp: true}
	down := func(err error) bool {
		if !Unreachable(ctx, err) {
			return false
		}
		l.DatabaseUp = false
		if unreachable != nil {
			unreachable(err)
		}
		return true
	}
	if st, err := src.Sessions.SessionStats(ctx, now); err == nil {
		l.Sessions = &st
	} else if !down(err) {
		return l, err
	}
	if rs, err := src.Telemetry.LastHour(ctx, now); err == nil {
		l.Requests = &rs
	} else if !down(err) {
		return l, err
	}
	l.Pool = src.Pool.PoolStats()
	if svcs, err := src.Providers.Providers(ctx); err == nil {
		l.Providers = svcs
	}
	return l, nil
}

// HealthSignals are the verdict's inputs from this reading.
func (l Live) HealthSignals() HealthSignals {
	s := HealthSignals{DatabaseUp: l.DatabaseUp, Providers: l.Providers,
		PoolInUse: l.Pool.InUse, PoolMaxOpen: l.Pool.MaxOpen, PoolWaitsLastMinute: l.Pool.WaitsLastMinute}
	if l.Requests != nil {
		s.Requests = *l.Requests
	}
	return s
}
