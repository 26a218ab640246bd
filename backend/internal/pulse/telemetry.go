package pulse

import (
	"context"
	"time"
)

// RequestStats summarise the API requests of a window, merged over every
// instance of the service.
type RequestStats struct {
	Requests     int64
	Errors       int64 // 5xx answers
	ClientErrors int64 // 4xx answers
	P95Ms        float64
}

// ErrorRate is Errors/Requests, 0 when there were no requests.
func (s RequestStats) ErrorRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.Requests)
}

// TrendHours is how many clock hours the error-rate trend covers.
const TrendHours = 24

// HourlyStats are the request stats of one clock hour (UTC).
type HourlyStats struct {
	Hour time.Time
	RequestStats
}

// TelemetryService answers questions about measured API traffic.
type TelemetryService interface {
	// LastHour covers the 60 minutes before now, all instances, including
	// what this instance has not flushed yet.
	LastHour(ctx context.Context, now time.Time) (RequestStats, error)
	// Hourly returns `hours` consecutive clock hours ending with the current
	// one, oldest first; hours without traffic are present with zeros.
	Hourly(ctx context.Context, now time.Time, hours int) ([]HourlyStats, error)
}

// Rollup is one instance's traffic of one minute, as stored.
type Rollup struct {
	Minute       time.Time // start of the minute, UTC
	Instance     string
	Requests     int64
	Errors       int64
	ClientErrors int64
	Histogram    []byte // serialized latency histogram (telemetry's encoding)
}

// RollupStore persists minute rollups shared by all instances.
type RollupStore interface {
	// UpsertRollups writes each rollup, replacing the row of the same
	// (minute, instance): rollups are cumulative for their minute.
	UpsertRollups(ctx context.Context, rs []Rollup) error
	// ListRollups returns every rollup with Minute >= since.
	ListRollups(ctx context.Context, since time.Time) ([]Rollup, error)
}
