package store

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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

// CreateSession implements pulse.SessionStore. On PostgreSQL it is one
// statement (category lookup, insert and the daily summary's bump); SQLite
// runs the same steps in a transaction.
func (db *DB) CreateSession(ctx context.Context, n pulse.NewSession, now time.Time) (pulse.Session, bool, error) {
	if err := n.Validate(); err != nil {
		return pulse.Session{}, false, err
	}
	now = utc(now)
	row := sessionRow{ID: uuid.NewString(), Provider: string(n.Provider), StartedAt: now, LastSeenAt: now}
	if n.ExternalID != "" {
		row.ExternalID = &n.ExternalID
	}
	var (
		out     pulse.Session
		created bool
		err     error
	)
	if db.postgres {
		out, created, err = db.createSessionPostgres(ctx, n, row)
	} else {
		out, created, err = db.createSessionTx(ctx, n, row)
	}
	return out, created, translate(err)
}

// createSessionSQL is CreateSession on PostgreSQL in one statement. A retry
// of the same room (same provider and external id) must not count a second
// session: DO NOTHING, and the summaries (the day's sessions, the live count
// at the start minute) are bumped only for a row inserted. $7 is the
// group-commit writer's shard of the summary rows. The hot
// ingestion statements bypass GORM: its statement building costs more CPU
// than the rest of the request.
const createSessionSQL = `WITH c AS (
		SELECT id, name FROM categories WHERE lower(name) = lower($1)
	), ins AS (
		INSERT INTO sessions (id, category_id, provider, external_id, started_at, last_seen_at)
		SELECT $2, c.id, $3, $4, $5, $5 FROM c
		ON CONFLICT (provider, external_id) DO NOTHING
		RETURNING category_id
	), daily AS (
		INSERT INTO session_daily (day, category_id, shard, sessions) SELECT $6, category_id, CAST($7 AS SMALLINT), 1 FROM ins
		ON CONFLICT (day, category_id, shard) DO UPDATE SET sessions = session_daily.sessions + 1
	), seen AS (
		INSERT INTO seen_minutes (minute, shard, sessions)
		SELECT date_trunc('minute', CAST($5 AS TIMESTAMPTZ)), CAST($7 AS SMALLINT), 1 FROM ins
		ON CONFLICT (minute, shard) DO UPDATE SET sessions = seen_minutes.sessions + 1
	)
	SELECT c.id, c.name, EXISTS (SELECT 1 FROM ins) FROM c`

func (db *DB) createSessionPostgres(ctx context.Context, n pulse.NewSession, row sessionRow) (pulse.Session, bool, error) {
	var created bool
	// A start without an external id conflicts with nobody: its own id orders it.
	key := "n\x00" + row.ID
	if row.ExternalID != nil {
		key = "c\x00" + row.Provider + "\x00" + *row.ExternalID
	}
	err := db.writes.do(ctx, &writeOp{
		key: key, sql: createSessionSQL, sharded: true,
		args: []any{strings.TrimSpace(n.Category), row.ID, row.Provider, row.ExternalID, row.StartedAt, dayOf(row.StartedAt)},
		scan: func(r pgx.Row) error { return r.Scan(&row.CategoryID, &row.Category, &created) },
	})
	switch {
	case noRows(err):
		return pulse.Session{}, false, unknownCategory(db.with(ctx), n.Category)
	case err != nil:
		return pulse.Session{}, false, err
	case !created:
		s, err := db.sessionByExternalID(db.with(ctx), n.Provider, n.ExternalID)
		return s, false, err
	}
	return row.domain(), true, nil
}

func (db *DB) createSessionTx(ctx context.Context, n pulse.NewSession, row sessionRow) (pulse.Session, bool, error) {
	var (
		out     pulse.Session
		created bool
	)
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		cat, err := categoryByName(tx, n.Category)
		if err != nil {
			return err
		}
		row.CategoryID, row.Category = cat.ID, cat.Name
		// A retry of the same room must not count a second session.
		res := tx.Exec(`INSERT INTO sessions (id, category_id, provider, external_id, started_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider, external_id) DO NOTHING`,
			row.ID, row.CategoryID, row.Provider, row.ExternalID, row.StartedAt, row.LastSeenAt)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			out, err = db.sessionByExternalID(tx, n.Provider, n.ExternalID)
			return err
		}
		created = true
		out = row.domain()
		return countStarted(tx, row.StartedAt, cat.ID)
	})
	return out, created, err
}

func (db *DB) sessionByExternalID(tx *gorm.DB, p pulse.Provider, externalID string) (pulse.Session, error) {
	var existing sessionRow
	if err := tx.Raw(selectSession+`WHERE s.provider = ? AND s.external_id = ?`, p, externalID).Scan(&existing).Error; err != nil {
		return pulse.Session{}, err
	}
	return existing.domain(), nil
}

// RecordQuality implements pulse.SessionStore. The running sum and count on
// the session row keep its average cheap; the daily summary follows the
// session's class as each sample moves it; the per-minute quality rollup
// moves the session from the minute of its previous sample to this one, and
// the last-seen rollup from the minute it was last seen in to this one when
// the sample moves its last-seen time (see SessionStats). On PostgreSQL that
// is one statement; SQLite runs the same steps in a transaction.
func (db *DB) RecordQuality(ctx context.Context, id string, q pulse.Quality, now time.Time) error {
	id, ok := normalizeID(id)
	if !ok {
		return sessionNotFound(id)
	}
	if _, err := pulse.ParseQuality(string(q)); err != nil {
		return err
	}
	sample := qualitySample{id: id, score: q.Score(), now: utc(now)}
	var err error
	if db.postgres {
		err = db.recordQualityPostgres(ctx, sample)
	} else {
		err = db.recordQualityTx(ctx, sample)
	}
	return translate(err)
}

type qualitySample struct {
	id    string
	score int
	now   time.Time
}

// seenBefore is how old last_seen_at must be for a sample to move it:
// SeenResolution. A session sampled every few seconds is written
// last_seen_at about once a minute, and no indexed column changes in
// between, so PostgreSQL updates its row in place (a HOT update: no index
// entries, less WAL).
func (q qualitySample) seenBefore() time.Time { return q.now.Add(-pulse.SeenResolution) }

// minute is the rollup minute the sample counts in.
func (q qualitySample) minute() time.Time { return q.now.Truncate(time.Minute) }

// keepSince is the oldest minute a sample still takes its session out of:
// older rows are past every reader's window (and may be pruned already).
func (q qualitySample) keepSince() time.Time { return q.now.Add(-pulse.QualityRollupKept) }

// seenKeepSince is the oldest minute a statement at now still takes a
// session out of in the last-seen rollup: older minutes are past every
// reader's window and may be pruned already (a decrement would leave a row
// of -1 there until the next prune).
func seenKeepSince(now time.Time) time.Time { return now.Add(-pulse.SeenRollupKept) }

// scoreNanos is a session's average score (sum / count, 4..1) in billionths,
// rounded half up: the integer the rollup adds and later subtracts, exactly.
// scoreNanosSQL computes the same on the database.
func scoreNanos(sum, count int) int64 {
	return (int64(sum)*1e9 + int64(count)/2) / int64(count)
}

func scoreNanosSQL(sum, count string) string {
	sum, count = "("+sum+")", "("+count+")"
	return "((CAST(" + sum + " AS BIGINT) * 1000000000 + " + count + " / 2) / " + count + ")"
}

// classSQL classes a running (sum, count) on the database by
// pulse.ClassCutoffs, as pulse.ClassifySum does (empty when count is 0; the
// same IEEE division, so a mean on a cut-off lands on it).
func classSQL(sum, count string) string {
	sum, count = "("+sum+")", "("+count+")"
	var b strings.Builder
	b.WriteString("CASE WHEN " + count + " <= 0 THEN ''")
	for _, c := range pulse.ClassCutoffs() {
		b.WriteString(" WHEN CAST(" + sum + " AS DOUBLE PRECISION) / " + count + " >= " +
			strconv.FormatFloat(c.Min, 'g', -1, 64) + " THEN '" + string(c.Class) + "'")
	}
	b.WriteString(" ELSE '" + string(pulse.QualityPoor) + "' END")
	return b.String()
}

// dailyDeltaSQL is the change of each class column of session_daily when a
// session moves from class before to class after (SQL expressions).
func dailyDeltaSQL(before, after string) string {
	cols := make([]string, 0, len(pulse.Qualities))
	for _, q := range pulse.Qualities {
		cols = append(cols, "(CASE WHEN "+after+" = '"+string(q)+"' THEN 1 ELSE 0 END) - (CASE WHEN "+before+" = '"+string(q)+"' THEN 1 ELSE 0 END)")
	}
	return strings.Join(cols, ", ")
}

// recordQualitySQL is RecordQuality on PostgreSQL in one statement. The
// UPDATE's SET reads the row as it was (last_quality_at and last_seen_at
// before this sample), under the row lock, so concurrent samples of one
// session each see the one before. Each rollup's rows are written in
// (minute, shard) order, the previous minute first: writers never wait for
// each other in a cycle.
var recordQualitySQL = strings.NewReplacer("@id", "$1", "@score", "$2", "@now", "$3", "@minute", "$4", "@keep_since", "$5",
	"@seen_before", "$6", "@seen_keep_since", "$7", "@shard", "CAST($8 AS SMALLINT)").Replace(`WITH s AS (
		UPDATE sessions SET quality_sum = quality_sum + @score, quality_count = quality_count + 1,
			prev_seen_at = last_seen_at,
			last_seen_at = CASE WHEN last_seen_at < @seen_before THEN @now ELSE last_seen_at END,
			prev_quality_at = last_quality_at, last_quality_at = @now
		WHERE id = @id AND ended_at IS NULL
		RETURNING started_at, category_id, quality_sum, quality_count, prev_quality_at, prev_seen_at
	), c AS (
		SELECT started_at, category_id, prev_quality_at, quality_sum, quality_count,
			` + classSQL("quality_sum - @score", "quality_count - 1") + ` AS before,
			` + classSQL("quality_sum", "quality_count") + ` AS after
		FROM s
	), daily AS (
		INSERT INTO session_daily (day, category_id, shard, sessions, excellent, good, fair, poor)
		SELECT (started_at AT TIME ZONE 'UTC')::date, category_id, @shard, 0, ` + dailyDeltaSQL("before", "after") + `
		FROM c WHERE before <> after
		ON CONFLICT (day, category_id, shard) DO UPDATE SET
			excellent = session_daily.excellent + excluded.excellent,
			good = session_daily.good + excluded.good,
			fair = session_daily.fair + excluded.fair,
			poor = session_daily.poor + excluded.poor
	), moves AS (
		SELECT date_trunc('minute', prev_quality_at) AS minute, -1 AS sessions,
			-` + scoreNanosSQL("quality_sum - @score", "quality_count - 1") + ` AS score_nanos
		FROM c WHERE prev_quality_at >= @keep_since
		UNION ALL
		SELECT GREATEST(CAST(@minute AS TIMESTAMPTZ), date_trunc('minute', prev_quality_at)), 1,
			` + scoreNanosSQL("quality_sum", "quality_count") + `
		FROM c
	), minutes AS (
		INSERT INTO quality_minutes (minute, shard, sessions, score_nanos)
		SELECT minute, @shard, SUM(sessions), SUM(score_nanos) FROM moves GROUP BY minute ORDER BY minute
		ON CONFLICT (minute, shard) DO UPDATE SET
			sessions = quality_minutes.sessions + excluded.sessions,
			score_nanos = quality_minutes.score_nanos + excluded.score_nanos
	), seen_moves AS (
		SELECT date_trunc('minute', prev_seen_at) AS minute, -1 AS sessions
		FROM s WHERE prev_seen_at < @seen_before AND date_trunc('minute', prev_seen_at) >= @seen_keep_since
		UNION ALL
		SELECT CAST(@minute AS TIMESTAMPTZ), 1 FROM s WHERE prev_seen_at < @seen_before
	), seen AS (
		INSERT INTO seen_minutes (minute, shard, sessions)
		SELECT minute, @shard, SUM(sessions) FROM seen_moves GROUP BY minute ORDER BY minute
		ON CONFLICT (minute, shard) DO UPDATE SET sessions = seen_minutes.sessions + excluded.sessions
	)
	SELECT quality_count FROM s`)

func (db *DB) recordQualityPostgres(ctx context.Context, q qualitySample) error {
	var count int
	err := db.writes.do(ctx, &writeOp{
		key: sessionKey(q.id), sql: recordQualitySQL, sharded: true,
		args: []any{q.id, q.score, q.now, q.minute(), q.keepSince(), q.seenBefore(), seenKeepSince(q.now)},
		scan: func(r pgx.Row) error { return r.Scan(&count) },
	})
	if noRows(err) {
		return missingOrEnded(db.with(ctx), q.id)
	}
	return err
}

func (db *DB) recordQualityTx(ctx context.Context, q qualitySample) error {
	return db.with(ctx).Transaction(func(tx *gorm.DB) error {
		var r struct {
			QualitySum, QualityCount int
			StartedAt                time.Time
			CategoryID               int64
			PrevQualityAt            *time.Time
			PrevSeenAt               time.Time
		}
		res := tx.Raw(`UPDATE sessions SET quality_sum = quality_sum + ?, quality_count = quality_count + 1,
			prev_seen_at = last_seen_at, last_seen_at = CASE WHEN last_seen_at < ? THEN ? ELSE last_seen_at END,
			prev_quality_at = last_quality_at, last_quality_at = ? WHERE id = ? AND ended_at IS NULL
			RETURNING quality_sum, quality_count, started_at, category_id, prev_quality_at, prev_seen_at`,
			q.score, q.seenBefore(), q.now, q.now, q.id).Scan(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return missingOrEnded(tx, q.id)
		}
		sumBefore, countBefore := r.QualitySum-q.score, r.QualityCount-1
		before := pulse.ClassifySum(sumBefore, countBefore)
		after := pulse.ClassifySum(r.QualitySum, r.QualityCount)
		if before != after {
			if err := bumpDaily(tx, r.StartedAt, r.CategoryID, 0, before, after); err != nil {
				return err
			}
		}
		if r.PrevSeenAt.Before(q.seenBefore()) {
			if err := moveSeen(tx, &r.PrevSeenAt, &q.now, q.now); err != nil {
				return err
			}
		}
		minute := q.minute()
		if r.PrevQualityAt != nil {
			prev := r.PrevQualityAt.UTC().Truncate(time.Minute)
			if !r.PrevQualityAt.Before(q.keepSince()) {
				if err := bumpQualityMinute(tx, prev, -1, -scoreNanos(sumBefore, countBefore)); err != nil {
					return err
				}
			}
			if prev.After(minute) { // a clock behind the one that wrote the previous sample
				minute = prev
			}
		}
		return bumpQualityMinute(tx, minute, 1, scoreNanos(r.QualitySum, r.QualityCount))
	})
}

// bumpQualityMinute and bumpDaily write shard 0: the transaction path is
// SQLite's, which has one writer (and, for bumpDaily and moveSeen, the
// webhooks' on both engines).
func bumpQualityMinute(tx *gorm.DB, minute time.Time, sessions int, nanos int64) error {
	return tx.Exec(`INSERT INTO quality_minutes (minute, shard, sessions, score_nanos) VALUES (?, 0, ?, ?)
		ON CONFLICT (minute, shard) DO UPDATE SET
			sessions = quality_minutes.sessions + excluded.sessions,
			score_nanos = quality_minutes.score_nanos + excluded.score_nanos`,
		minute, sessions, nanos).Error
}

// moveSeen moves one open session's count in the last-seen rollup (shard 0:
// the transaction paths') from the minute of from to the minute of to: nil
// from is a session that starts counting, nil to one that stops (its end).
// from's minute is left alone once older than the keep horizon
// (seenKeepSince): no reader's window reaches it, and it may be pruned. The
// earlier minute is written first, as the one-statement paths do.
func moveSeen(tx *gorm.DB, from, to *time.Time, now time.Time) error {
	var fromMinute, toMinute time.Time
	if from != nil {
		fromMinute = utc(*from).Truncate(time.Minute)
	}
	if to != nil {
		toMinute = utc(*to).Truncate(time.Minute)
	}
	if from != nil && to != nil && fromMinute.Equal(toMinute) {
		return nil
	}
	if from != nil && !fromMinute.Before(seenKeepSince(utc(now))) {
		if err := bumpSeenMinute(tx, fromMinute, -1); err != nil {
			return err
		}
	}
	if to != nil {
		return bumpSeenMinute(tx, toMinute, 1)
	}
	return nil
}

func bumpSeenMinute(tx *gorm.DB, minute time.Time, sessions int) error {
	return tx.Exec(`INSERT INTO seen_minutes (minute, shard, sessions) VALUES (?, 0, ?)
		ON CONFLICT (minute, shard) DO UPDATE SET sessions = seen_minutes.sessions + excluded.sessions`,
		minute, sessions).Error
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

// sessionKey orders a group-commit batch's statements on one session.
func sessionKey(id string) string { return "s\x00" + id }

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

// endSessionSQL is EndSession on PostgreSQL in one statement. The first end
// wins: the row is locked and read first (FOR UPDATE waits for a concurrent
// end and then reads what it wrote), and only a session open until then is
// ended and taken out of the minute it was last seen in; ending again writes
// nothing. The locked read is needed because RETURNING sees only the new row,
// which cannot tell whether this statement ended it; the UPDATE joins old,
// so the row is locked before the UPDATE writes it.
var endSessionSQL = strings.NewReplacer("@id", "$1", "@now", "$2", "@seen_keep_since", "$3",
	"@shard", "CAST($4 AS SMALLINT)").Replace(`WITH old AS MATERIALIZED (
		SELECT id, category_id, provider, external_id, started_at, last_seen_at, ended_at, quality_sum, quality_count, abandoned
		FROM sessions WHERE id = @id FOR UPDATE
	), ended AS (
		UPDATE sessions SET ended_at = @now FROM old WHERE sessions.id = old.id AND old.ended_at IS NULL
		RETURNING date_trunc('minute', sessions.last_seen_at) AS minute
	), seen AS (
		INSERT INTO seen_minutes (minute, shard, sessions)
		SELECT minute, @shard, -1 FROM ended WHERE minute >= @seen_keep_since
		ON CONFLICT (minute, shard) DO UPDATE SET sessions = seen_minutes.sessions + excluded.sessions
	)
	SELECT id, category_id, (SELECT c.name FROM categories c WHERE c.id = old.category_id), provider, external_id,
		started_at, last_seen_at, COALESCE(ended_at, @now), quality_sum, quality_count, abandoned
	FROM old`)

// EndSession implements pulse.SessionStore: one statement on PostgreSQL
// (endSessionSQL, group-committed), a transaction on SQLite. Ending an open
// session takes it out of the live count's rollup; ending it again changes
// nothing.
func (db *DB) EndSession(ctx context.Context, id string, now time.Time) (pulse.Session, error) {
	id, ok := normalizeID(id)
	if !ok {
		return pulse.Session{}, sessionNotFound(id)
	}
	now = utc(now)
	var (
		r   sessionRow
		err error
	)
	if db.postgres {
		err = db.writes.do(ctx, &writeOp{
			key: sessionKey(id), sql: endSessionSQL, sharded: true,
			args: []any{id, now, seenKeepSince(now)},
			scan: func(row pgx.Row) error {
				return row.Scan(&r.ID, &r.CategoryID, &r.Category, &r.Provider, &r.ExternalID, &r.StartedAt, &r.LastSeenAt,
					&r.EndedAt, &r.QualitySum, &r.QualityCount, &r.Abandoned)
			},
		})
	} else {
		r, err = db.endSessionTx(ctx, id, now)
	}
	if noRows(err) {
		return pulse.Session{}, sessionNotFound(id)
	}
	if err != nil {
		return pulse.Session{}, translate(err)
	}
	return r.domain(), nil
}

func (db *DB) endSessionTx(ctx context.Context, id string, now time.Time) (sessionRow, error) {
	var r sessionRow
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		if err := endOpenSession(tx, id, now); err != nil {
			return err
		}
		res := tx.Raw(selectSession+`WHERE s.id = ?`, id).Scan(&r)
		if res.Error == nil && res.RowsAffected == 0 {
			return sql.ErrNoRows
		}
		return res.Error
	})
	return r, err
}

// endOpenSession ends the session if it is still open (the first end wins;
// ending again changes nothing) and takes it out of the live count's rollup,
// in the caller's transaction: SQLite's end and a room's end on both engines.
func endOpenSession(tx *gorm.DB, id string, now time.Time) error {
	var r struct{ LastSeenAt time.Time }
	res := tx.Raw(`UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL RETURNING last_seen_at`, now, id).Scan(&r)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	return moveSeen(tx, &r.LastSeenAt, nil, now)
}

// countStarted counts a session that starts live at started: a session of
// its day, and live in its minute (shard 0, the transaction paths').
func countStarted(tx *gorm.DB, started time.Time, categoryID int64) error {
	if err := bumpDaily(tx, started, categoryID, 1, "", ""); err != nil {
		return err
	}
	return moveSeen(tx, nil, &started, started)
}

// SessionStats implements pulse.SessionStore in one statement. The live
// count and the average quality read per-minute rollups kept up to date by
// ingestion (at most an hour of minutes x shards rows each), not the
// sessions, so their cost does not grow with traffic; the abandoned count
// reads a partial index, so its cost follows the recently abandoned
// sessions, not the history. Both rollup windows are whole minutes: the
// minute ActiveWindow (or QualityWindow) ago and every one since. A live
// session thus counts until the minute after its last-seen minute leaves
// the window: up to 59 s longer than ActiveWindow after it was last seen.
func (db *DB) SessionStats(ctx context.Context, now time.Time) (pulse.SessionStats, error) {
	var r struct {
		Active, Abandoned, Sampled, ScoreNanos int64
	}
	qualitySince := utc(now.Add(-pulse.QualityWindow)).Truncate(time.Minute)
	err := db.with(ctx).Raw(`SELECT
		(SELECT COALESCE(SUM(sessions), 0) FROM seen_minutes WHERE minute >= ?) AS active,
		(SELECT COUNT(*) FROM sessions WHERE abandoned AND ended_at >= ?) AS abandoned,
		q.sampled, q.score_nanos
		FROM (SELECT COALESCE(SUM(sessions), 0) AS sampled, COALESCE(SUM(score_nanos), 0) AS score_nanos
			FROM quality_minutes WHERE minute >= ?) q`,
		activeSince(now), utc(now.Add(-pulse.AbandonedWindow)), qualitySince).Scan(&r).Error
	if err != nil {
		return pulse.SessionStats{}, translate(err)
	}
	st := pulse.SessionStats{ActiveSessions: r.Active, AbandonedLast24h: r.Abandoned}
	if r.Sampled > 0 {
		st.AvgScore = float64(r.ScoreNanos) / float64(r.Sampled) / 1e9
		// Each session's average is rounded to a billionth; classing the
		// mean rounded to a millionth keeps a mean that is exactly on a
		// cut-off on it.
		st.AvgQuality = pulse.ClassifyScore(math.Round(st.AvgScore*1e6) / 1e6)
	}
	return st, nil
}

// activeSince is the first minute of the live-session window.
func activeSince(now time.Time) time.Time {
	return utc(now.Add(-pulse.ActiveWindow)).Truncate(time.Minute)
}

// ActiveSessionsByProvider implements pulse.SessionStore: the live count of
// SessionStats (same whole-minute window), by provider. It still counts the
// partial index of open sessions rather than a rollup: a rollup would need a
// provider dimension, which the avatar's switch of a live session to Beyond
// Presence would have to move too, and /external-services, its one reader,
// serves it from a snapshot rebuilt at most every 10 s, off /current's path.
func (db *DB) ActiveSessionsByProvider(ctx context.Context, now time.Time) (map[pulse.Provider]int64, error) {
	var rows []struct {
		Provider string
		N        int64
	}
	err := db.with(ctx).Raw(`SELECT provider, COUNT(*) AS n FROM sessions
		WHERE ended_at IS NULL AND last_seen_at >= ? GROUP BY provider`,
		activeSince(now)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make(map[pulse.Provider]int64, len(rows))
	for _, r := range rows {
		out[pulse.Provider(r.Provider)] = r.N
	}
	return out, nil
}

// PruneQualityMinutes deletes the quality rollup rows of minutes before
// before; every reader's window is long past them.
func (db *DB) PruneQualityMinutes(ctx context.Context, before time.Time) (int64, error) {
	res := db.with(ctx).Exec(`DELETE FROM quality_minutes WHERE minute < ?`, utc(before))
	return res.RowsAffected, translate(res.Error)
}

// PruneSeenMinutes deletes the last-seen rollup rows of minutes before
// before (pulse.SeenRollupKept ago): no reader's window reaches them, and no
// writer takes a session out of them any more.
func (db *DB) PruneSeenMinutes(ctx context.Context, before time.Time) (int64, error) {
	res := db.with(ctx).Exec(`DELETE FROM seen_minutes WHERE minute < ?`, utc(before))
	return res.RowsAffected, translate(res.Error)
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
	return tx.Exec(`INSERT INTO session_daily (day, category_id, shard, sessions, excellent, good, fair, poor)
		VALUES (?, ?, 0, ?, ?, ?, ?, ?)
		ON CONFLICT (day, category_id, shard) DO UPDATE SET
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
		return c, unknownCategory(tx, name)
	}
	return c, nil
}

// unknownCategory is the answer to a category that does not exist, with the
// ones that do.
func unknownCategory(tx *gorm.DB, name string) error {
	var names []string
	if err := tx.Raw(`SELECT name FROM categories ORDER BY name`).Scan(&names).Error; err != nil {
		return err
	}
	return pulse.Errorf(pulse.EINVALID, "unknown category %.64q; allowed: %s", name, strings.Join(names, ", "))
}
