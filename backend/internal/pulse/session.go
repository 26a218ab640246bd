package pulse

import (
	"context"
	"strings"
	"time"
)

// Session is one live counseling session. It holds no identity of the student
// or counselor: only what the aggregates need.
type Session struct {
	ID           string
	Category     string
	Provider     Provider
	ExternalID   string // the provider's room id; "" when not given
	StartedAt    time.Time
	LastSeenAt   time.Time // start or latest quality sample, to the SeenResolution
	EndedAt      *time.Time
	QualitySum   int // running sum of sample scores (4..1)
	QualityCount int
	// Abandoned: nobody ended it; the stale sweep did, at LastSeenAt.
	Abandoned bool
}

// NewSession is what an integrator asks to create.
type NewSession struct {
	Category   string
	Provider   Provider
	ExternalID string
}

// Validate checks the request against the fixed provider list; the category is
// checked by the store, which owns the category table.
func (n NewSession) Validate() error {
	if strings.TrimSpace(n.Category) == "" {
		return Errorf(EINVALID, "category is required")
	}
	if !n.Provider.Valid() {
		return Errorf(EINVALID, "unknown provider %.32q; allowed: %s", n.Provider, joinProviders())
	}
	if len(n.ExternalID) > 200 {
		return Errorf(EINVALID, "external_id is longer than 200 characters")
	}
	if strings.ContainsRune(n.Category, 0) || strings.ContainsRune(n.ExternalID, 0) {
		return Errorf(EINVALID, "category and external_id may not contain NUL characters")
	}
	return nil
}

// SessionStore is the session store as the HTTP layer needs it.
type SessionStore interface {
	// CreateSession starts a session. When the (provider, external id) pair is
	// already known it returns that session and created=false.
	CreateSession(ctx context.Context, n NewSession, now time.Time) (s Session, created bool, err error)
	// RecordQuality adds one sample and marks the session seen at now.
	// ENOTFOUND for an unknown id, ECONFLICT for an ended session.
	RecordQuality(ctx context.Context, id string, q Quality, now time.Time) error
	// EndSession ends a session; ending twice keeps the first ended_at.
	EndSession(ctx context.Context, id string, now time.Time) (Session, error)
	// SessionByExternalID finds the session of a provider's room; a LiveKit
	// room sid also finds the Beyond Presence session the room became.
	// ENOTFOUND when there is none.
	SessionByExternalID(ctx context.Context, p Provider, externalID string) (Session, error)
	// SessionStats are the live figures for the current-metrics view.
	SessionStats(ctx context.Context, now time.Time) (SessionStats, error)
	// SessionSummary aggregates the last windowDays calendar days (UTC).
	SessionSummary(ctx context.Context, now time.Time, windowDays int) (SessionSummary, error)
	// ActiveSessionsByProvider counts the live sessions (as SessionStats
	// does) of each provider; a provider without any is absent.
	ActiveSessionsByProvider(ctx context.Context, now time.Time) (map[Provider]int64, error)
}

// ActiveWindow is how recently a session must have been seen to count as
// live, in whole minutes: a session counts while the minute it was last seen
// in is the minute ActiveWindow ago or a later one, so up to 59 s longer
// than ActiveWindow after that time. The live count reads a per-minute
// rollup of last-seen times, and its minutes are what it can tell apart.
const ActiveWindow = 30 * time.Minute

// SeenResolution is how precisely a session's last-seen time follows its
// samples: a sample moves it only when it is at least this old.
const SeenResolution = time.Minute

// QualityWindow is how recent a sample must be for the live average.
const QualityWindow = time.Hour

// QualityRollupKept is how long the per-minute quality rollup is kept: the
// window it serves and as much again, for replicas whose clocks disagree.
const QualityRollupKept = 2 * QualityWindow

// SeenRollupKept is how long the per-minute rollup of last-seen times is
// kept: the window it serves and as much again. Writers take a session out
// of its previous minute only when that minute is this recent, so a minute
// pruned and then decremented again (a row of -1 until the next prune) is
// older than every reader's window unless the pruner's clock is more than
// ActiveWindow ahead of the reader's.
const SeenRollupKept = 2 * ActiveWindow

// AbandonedWindow is how far back the live view counts abandoned sessions
// (by their end, which is their last-seen time).
const AbandonedWindow = 24 * time.Hour

// SummaryWindowDays is the window of the sessions view.
const SummaryWindowDays = 30

// SessionStats are the live session figures.
type SessionStats struct {
	ActiveSessions int64
	// AvgQuality is the class of the mean of per-session averages over the
	// sessions sampled within QualityWindow; "" when there are none.
	AvgQuality Quality
	// AvgScore is that mean on the 4..1 scale (0 when there are none).
	AvgScore float64
	// AbandonedLast24h counts sessions the stale sweep ended within
	// AbandonedWindow.
	AbandonedLast24h int64
}

// SessionSummary is the aggregate over a window of days.
type SessionSummary struct {
	WindowDays int
	Total      int64
	ByCategory map[string]int64 // every category, zero included
	// QualityCounts counts sessions (with at least one sample) by the class of
	// their average quality.
	QualityCounts map[Quality]int64
}

// QualityPercentages turns the counts into percentages with one decimal; all
// zero when no session has a sample.
func (s SessionSummary) QualityPercentages() map[Quality]float64 {
	var total int64
	for _, q := range Qualities {
		total += s.QualityCounts[q]
	}
	out := make(map[Quality]float64, len(Qualities))
	for _, q := range Qualities {
		if total == 0 {
			out[q] = 0
			continue
		}
		out[q] = round1(float64(s.QualityCounts[q]) * 100 / float64(total))
	}
	return out
}
