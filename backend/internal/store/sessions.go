package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"pulse/internal/pulse"
)

var _ pulse.SessionStore = (*DB)(nil)

// sessionRow is the sessions table.
type sessionRow struct {
	ID            string
	CategoryID    int64
	Category      string `gorm:"->"` // read from a join, never written
	Provider      string
	ExternalID    *string
	StartedAt     time.Time
	LastSeenAt    time.Time
	EndedAt       *time.Time
	QualitySum    int
	QualityCount  int
	LastQualityAt *time.Time
	Abandoned     bool
}

func (sessionRow) TableName() string { return "sessions" }

func (r sessionRow) domain() pulse.Session {
	s := pulse.Session{
		ID: r.ID, Category: r.Category, Provider: pulse.Provider(r.Provider),
		StartedAt: r.StartedAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(),
		QualitySum: r.QualitySum, QualityCount: r.QualityCount, Abandoned: r.Abandoned,
	}
	if r.ExternalID != nil {
		s.ExternalID = *r.ExternalID
	}
	if r.EndedAt != nil {
		t := r.EndedAt.UTC()
		s.EndedAt = &t
	}
	return s
}

const selectSession = `SELECT s.id, s.category_id, c.name AS category, s.provider, s.external_id,
	s.started_at, s.last_seen_at, s.ended_at, s.quality_sum, s.quality_count, s.last_quality_at, s.abandoned
	FROM sessions s JOIN categories c ON c.id = s.category_id `

// CreateSession implements pulse.SessionStore.
func (db *DB) CreateSession(ctx context.Context, n pulse.NewSession, now time.Time) (pulse.Session, bool, error) {
	if err := n.Validate(); err != nil {
		return pulse.Session{}, false, err
	}
	now = utc(now)
	var (
		out     pulse.Session
		created bool
	)
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		cat, err := categoryByName(tx, n.Category)
		if err != nil {
			return err
		}
		row := sessionRow{ID: uuid.NewString(), CategoryID: cat.ID, Category: cat.Name, Provider: string(n.Provider), StartedAt: now, LastSeenAt: now}
		var res *gorm.DB
		if n.ExternalID != "" {
			row.ExternalID = &n.ExternalID
			// A retry of the same room must not count a second session.
			res = tx.Exec(`INSERT INTO sessions (id, category_id, provider, external_id, started_at, last_seen_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider, external_id) DO NOTHING`,
				row.ID, row.CategoryID, row.Provider, row.ExternalID, row.StartedAt, row.LastSeenAt)
		} else {
			res = tx.Exec(`INSERT INTO sessions (id, category_id, provider, started_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
				row.ID, row.CategoryID, row.Provider, row.StartedAt, row.LastSeenAt)
		}
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var existing sessionRow
			if err := tx.Raw(selectSession+`WHERE s.provider = ? AND s.external_id = ?`, n.Provider, n.ExternalID).Scan(&existing).Error; err != nil {
				return err
			}
			out = existing.domain()
			return nil
		}
		created = true
		out = row.domain()
		return bumpDaily(tx, now, cat.ID, 1, "", "")
	})
	return out, created, translate(err)
}

// RecordQuality implements pulse.SessionStore. The running sum and count on
// the session row keep its average cheap; the daily summary follows the
// session's class as each sample moves it.
func (db *DB) RecordQuality(ctx context.Context, id string, q pulse.Quality, now time.Time) error {
	id, ok := normalizeID(id)
	if !ok {
		return sessionNotFound(id)
	}
	if _, err := pulse.ParseQuality(string(q)); err != nil {
		return err
	}
	score := q.Score()
	now = utc(now)
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var r struct {
			QualitySum, QualityCount int
			StartedAt                time.Time
			CategoryID               int64
		}
		res := tx.Raw(`UPDATE sessions SET quality_sum = quality_sum + ?, quality_count = quality_count + 1,
			last_seen_at = ?, last_quality_at = ? WHERE id = ? AND ended_at IS NULL
			RETURNING quality_sum, quality_count, started_at, category_id`, score, now, now, id).Scan(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return missingOrEnded(tx, id)
		}
		before := pulse.ClassifySum(r.QualitySum-score, r.QualityCount-1)
		after := pulse.ClassifySum(r.QualitySum, r.QualityCount)
		if before == after {
			return nil
		}
		return bumpDaily(tx, r.StartedAt, r.CategoryID, 0, before, after)
	})
	return translate(err)
}

func missingOrEnded(tx *gorm.DB, id string) error {
	var n int64
	if err := tx.Raw(`SELECT COUNT(*) FROM sessions WHERE id = ?`, id).Scan(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return sessionNotFound(id)
	}
	return pulse.Errorf(pulse.ECONFLICT, "session %s has ended; it takes no more quality samples", id)
}

func sessionNotFound(id string) error {
	return pulse.Errorf(pulse.ENOTFOUND, "no session with id %.64q", id)
}

// normalizeID accepts any spelling of a UUID (upper case, urn:uuid:, braces)
// and returns the canonical one, so both engines find the same session.
func normalizeID(id string) (string, bool) {
	u, err := uuid.Parse(id)
	if err != nil {
		return id, false
	}
	return u.String(), true
}

// EndSession implements pulse.SessionStore; the first end wins.
func (db *DB) EndSession(ctx context.Context, id string, now time.Time) (pulse.Session, error) {
	id, ok := normalizeID(id)
	if !ok {
		return pulse.Session{}, sessionNotFound(id)
	}
	if err := db.with(ctx).Exec(`UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, utc(now), id).Error; err != nil {
		return pulse.Session{}, translate(err)
	}
	var row sessionRow
	res := db.with(ctx).Raw(selectSession+`WHERE s.id = ?`, id).Scan(&row)
	if res.Error != nil {
		return pulse.Session{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return pulse.Session{}, sessionNotFound(id)
	}
	return row.domain(), nil
}

// SessionStats implements pulse.SessionStore. The counts read partial
// indexes, so their cost follows the live (or abandoned) sessions, not the
// history.
func (db *DB) SessionStats(ctx context.Context, now time.Time) (pulse.SessionStats, error) {
	var st pulse.SessionStats
	err := db.with(ctx).Raw(`SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL AND last_seen_at >= ?`,
		utc(now.Add(-pulse.ActiveWindow))).Scan(&st.ActiveSessions).Error
	if err != nil {
		return st, translate(err)
	}
	var q struct {
		Sampled int64
		Avg     *float64
	}
	err = db.with(ctx).Raw(`SELECT COUNT(*) AS sampled, AVG(CAST(quality_sum AS DOUBLE PRECISION) / quality_count) AS avg
		FROM sessions WHERE last_quality_at >= ? AND quality_count > 0`, utc(now.Add(-pulse.QualityWindow))).Scan(&q).Error
	if err != nil {
		return st, translate(err)
	}
	if q.Sampled > 0 && q.Avg != nil {
		st.AvgScore = *q.Avg
		st.AvgQuality = pulse.ClassifyScore(*q.Avg)
	}
	err = db.with(ctx).Raw(`SELECT COUNT(*) FROM sessions WHERE abandoned AND ended_at >= ?`,
		utc(now.Add(-pulse.AbandonedWindow))).Scan(&st.AbandonedLast24h).Error
	if err != nil {
		return st, translate(err)
	}
	return st, nil
}

// ActiveSessionsByProvider implements pulse.SessionStore: the live count of
// SessionStats, by provider, on the same partial index of open sessions.
func (db *DB) ActiveSessionsByProvider(ctx context.Context, now time.Time) (map[pulse.Provider]int64, error) {
	var rows []struct {
		Provider string
		N        int64
	}
	err := db.with(ctx).Raw(`SELECT provider, COUNT(*) AS n FROM sessions
		WHERE ended_at IS NULL AND last_seen_at >= ? GROUP BY provider`,
		utc(now.Add(-pulse.ActiveWindow))).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[pulse.Provider]int64, len(rows))
	for _, r := range rows {
		out[pulse.Provider(r.Provider)] = r.N
	}
	return out, nil
}

// SessionSummary implements pulse.SessionStore from the daily summary: at most
// windowDays x categories rows, however many sessions there were.
func (db *DB) SessionSummary(ctx context.Context, now time.Time, windowDays int) (pulse.SessionSummary, error) {
	from := dayOf(now).AddDate(0, 0, -(windowDays - 1))
	var rows []struct {
		Name                                  string
		Sessions, Excellent, Good, Fair, Poor int64
	}
	err := db.with(ctx).Raw(`SELECT c.name,
			COALESCE(SUM(d.sessions), 0) AS sessions, COALESCE(SUM(d.excellent), 0) AS excellent,
			COALESCE(SUM(d.good), 0) AS good, COALESCE(SUM(d.fair), 0) AS fair, COALESCE(SUM(d.poor), 0) AS poor
		FROM categories c LEFT JOIN session_daily d ON d.category_id = c.id AND d.day >= ?
		GROUP BY c.id, c.name ORDER BY c.name`, from).Scan(&rows).Error
	if err != nil {
		return pulse.SessionSummary{}, translate(err)
	}
	sum := pulse.SessionSummary{WindowDays: windowDays, ByCategory: map[string]int64{}, QualityCounts: map[pulse.Quality]int64{}}
	for _, r := range rows {
		sum.ByCategory[r.Name] = r.Sessions
		sum.Total += r.Sessions
		sum.QualityCounts[pulse.QualityExcellent] += r.Excellent
		sum.QualityCounts[pulse.QualityGood] += r.Good
		sum.QualityCounts[pulse.QualityFair] += r.Fair
		sum.QualityCounts[pulse.QualityPoor] += r.Poor
	}
	return sum, nil
}

// bumpDaily adds to the summary row of the session's start day: new sessions,
// and a move of one session from one quality class to another ("" = none).
func bumpDaily(tx *gorm.DB, started time.Time, categoryID int64, sessions int, from, to pulse.Quality) error {
	delta := map[pulse.Quality]int{}
	if from != "" {
		delta[from]--
	}
	if to != "" {
		delta[to]++
	}
	return tx.Exec(`INSERT INTO session_daily (day, category_id, sessions, excellent, good, fair, poor)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (day, category_id) DO UPDATE SET
			sessions = session_daily.sessions + excluded.sessions,
			excellent = session_daily.excellent + excluded.excellent,
			good = session_daily.good + excluded.good,
			fair = session_daily.fair + excluded.fair,
			poor = session_daily.poor + excluded.poor`,
		dayOf(started), categoryID, sessions,
		delta[pulse.QualityExcellent], delta[pulse.QualityGood], delta[pulse.QualityFair], delta[pulse.QualityPoor]).Error
}

func categoryByName(tx *gorm.DB, name string) (pulse.Category, error) {
	var c pulse.Category
	res := tx.Raw(`SELECT id, name FROM categories WHERE lower(name) = lower(?)`, strings.TrimSpace(name)).Scan(&c)
	if res.Error != nil {
		return c, res.Error
	}
	if res.RowsAffected == 0 {
		var names []string
		if err := tx.Raw(`SELECT name FROM categories ORDER BY name`).Scan(&names).Error; err != nil {
			return c, err
		}
		return c, pulse.Errorf(pulse.EINVALID, "unknown category %.64q; allowed: %s", name, strings.Join(names, ", "))
	}
	return c, nil
}
