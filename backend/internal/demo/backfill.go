package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"pulse/internal/pulse"
	"pulse/internal/telemetry"
)

// BackfillInstance is the instance name the replayed telemetry is stored
// under. Being fixed, a second backfill overwrites the first instead of
// doubling it.
const BackfillInstance = "demo-backfill"

// Progress reports a long step: done of total units.
type Progress func(done, total int)

// requestKind is one kind of request the replay is made of: its typical
// latency and its status when it succeeds.
type requestKind struct {
	typical time.Duration
	ok      int
}

// demoTraffic weighs the kinds of request. The replay fills the minute
// rollups only, which carry no route, so the kinds are not tied to route
// templates.
var demoTraffic = []weighted[requestKind]{
	{requestKind{9 * time.Millisecond, http.StatusCreated}, 22},   // a session starts
	{requestKind{5 * time.Millisecond, http.StatusNoContent}, 55}, // a quality sample
	{requestKind{6 * time.Millisecond, http.StatusOK}, 18},        // a session ends
	{requestKind{14 * time.Millisecond, http.StatusOK}, 5},        // a dashboard read
}

// BackfillTelemetry replays `hours` of past API requests, up to the start of
// the current minute, through a telemetry.Recorder and Flusher into store:
// the same code that measures live traffic. Two hours carry incidents (one
// past the degraded threshold, one past critical) so the trend chart shows
// what an alert looks like.
func BackfillTelemetry(ctx context.Context, store pulse.RollupStore, now time.Time, hours int, progress Progress) (requests int, err error) {
	end := now.UTC().Truncate(time.Minute)
	start := end.Add(-time.Duration(hours) * time.Hour)
	clock := start
	rec := telemetry.NewRecorder(telemetry.RecorderConfig{Instance: BackfillInstance, Now: func() time.Time { return clock }})
	flusher := telemetry.NewFlusher(rec, store, telemetry.FlusherConfig{})
	rng := rand.New(rand.NewPCG(uint64(start.Unix()), 7))
	degradedHour, criticalHour := end.Add(-17*time.Hour).Truncate(time.Hour), end.Add(-6*time.Hour).Truncate(time.Hour)

	total := int(end.Sub(start) / time.Minute)
	for i := 0; i < total; i++ {
		minute := start.Add(time.Duration(i) * time.Minute)
		errRate, slow := 0.003, 1.0
		switch minute.Truncate(time.Hour) {
		case degradedHour:
			errRate, slow = 0.032, 1.6
		case criticalHour:
			errRate, slow = 0.075, 2.4
		}
		n := int(60 * dayLoad(minute) * (0.8 + 0.4*rng.Float64()))
		for range n {
			r := pick(rng, demoTraffic)
			status := r.ok
			switch x := rng.Float64(); {
			case x < errRate:
				status = http.StatusServiceUnavailable
			case x < errRate+0.012:
				status = http.StatusUnprocessableEntity
			}
			at := minute.Add(time.Duration(rng.Int64N(int64(time.Minute))))
			rec.Record("", "", status, latency(rng, r.typical, slow), at)
		}
		requests += n
		// The recorder keeps a few minutes in memory; flush before they rotate out.
		if i%4 == 3 || i == total-1 {
			clock = minute
			if err := flusher.Flush(ctx); err != nil {
				return requests, fmt.Errorf("backfill telemetry: %w", err)
			}
			if progress != nil {
				progress(i+1, total)
			}
		}
	}
	return requests, nil
}

// BackfillSessions replays `days` past days of sessions (not today's: the
// live driver makes those) through the store with past timestamps: start,
// a few quality samples, end.
func BackfillSessions(ctx context.Context, sessions pulse.SessionStore, now time.Time, days, perDay int, progress Progress) (int, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	rng := rand.New(rand.NewPCG(uint64(today.Unix()), 11))
	total, created := days*perDay, 0
	for d := days; d >= 1; d-- {
		day := today.AddDate(0, 0, -d)
		n := int(float64(perDay) * (0.6 + 0.4*dayLoad(day.Add(14*time.Hour))/1.0) * (0.85 + 0.3*rng.Float64()))
		for range n {
			start := busyMoment(rng, day)
			s, _, err := sessions.CreateSession(ctx, pulse.NewSession{
				Category: pick(rng, categoryWeights), Provider: pick(rng, providerWeights),
			}, start)
			if err != nil {
				return created, fmt.Errorf("backfill sessions: %w", err)
			}
			bias := rng.NormFloat64() * 0.4
			t := start
			for range 1 + rng.IntN(4) {
				t = t.Add(time.Duration(3+rng.IntN(8)) * time.Minute)
				if err := sessions.RecordQuality(ctx, s.ID, qualityAt(rng, t, bias), t); err != nil {
					return created, fmt.Errorf("backfill sessions: %w", err)
				}
			}
			if _, err := sessions.EndSession(ctx, s.ID, t.Add(time.Duration(5+rng.IntN(20))*time.Minute)); err != nil {
				return created, fmt.Errorf("backfill sessions: %w", err)
			}
			created++
		}
		if progress != nil {
			progress(min((days-d+1)*perDay, total), total)
		}
	}
	return created, nil
}

// busyMoment draws a start time within day, more often when the platform is busy.
func busyMoment(rng *rand.Rand, day time.Time) time.Time {
	for {
		t := day.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		if rng.Float64() < dayLoad(t) {
			return t
		}
	}
}
