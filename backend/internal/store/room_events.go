package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"pulse/internal/pulse"
)

var (
	_ pulse.RoomEventStore      = (*DB)(nil)
	_ pulse.CategoryPrefixStore = (*DB)(nil)
)

// roomSession is what applying an event needs to know of the room's session.
type roomSession struct {
	ID       string
	Provider string
	RoomName *string
	EndedAt  *time.Time
}

// ApplyRoomEvent implements pulse.RoomEventStore in one transaction: the
// event id is recorded first, so a redelivery (even a concurrent one, which
// waits on the key) does nothing; then the room's session is found or
// started, and moved.
func (db *DB) ApplyRoomEvent(ctx context.Context, e pulse.RoomEvent, now time.Time) (pulse.RoomEventResult, error) {
	if err := validateRoomEvent(e); err != nil {
		return pulse.RoomEventResult{}, err
	}
	now = utc(now)
	var out pulse.RoomEventResult
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		if e.ID != "" {
			res := tx.Exec(`INSERT INTO processed_events (source, event_id, received_at) VALUES (?, ?, ?)
				ON CONFLICT (source, event_id) DO NOTHING`, string(e.Source), e.ID, now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				out.Outcome = pulse.OutcomeDuplicate
				return nil
			}
		}
		s, found, err := findRoomSession(tx, e)
		if err != nil {
			return err
		}
		if !found {
			if e.RoomID == "" {
				out.Outcome = pulse.OutcomeNoSession
				return nil
			}
			if s, out.Created, err = startRoomSession(tx, e, now); err != nil {
				return err
			}
		}
		if err := moveRoomSession(tx, s, e, now); err != nil {
			return err
		}
		var row sessionRow
		if err := tx.Raw(selectSession+`WHERE s.id = ?`, s.ID).Scan(&row).Error; err != nil {
			return err
		}
		out.Outcome, out.Session = pulse.OutcomeApplied, row.domain()
		return nil
	})
	if err != nil {
		return pulse.RoomEventResult{}, translate(err)
	}
	return out, nil
}

func validateRoomEvent(e pulse.RoomEvent) error {
	switch {
	case e.Source != pulse.ProviderLiveKit && e.Source != pulse.ProviderDaily:
		return pulse.Errorf(pulse.EINVALID, "room events come from livekit or daily, not %.32q", e.Source)
	case e.Kind != pulse.RoomStarted && e.Kind != pulse.RoomSeen && e.Kind != pulse.RoomEnded:
		return pulse.Errorf(pulse.EINVALID, "unknown room event kind %.32q", e.Kind)
	case e.RoomID == "" && e.RoomName == "":
		return pulse.Errorf(pulse.EINVALID, "a room event names its room")
	case len(e.ID) > 200 || len(e.RoomID) > 200 || len(e.RoomName) > 200:
		return pulse.Errorf(pulse.EINVALID, "event and room ids and names have at most 200 characters")
	case strings.ContainsRune(e.ID+e.RoomID+e.RoomName+e.Category, 0):
		return pulse.Errorf(pulse.EINVALID, "event and room ids and names may not contain NUL characters")
	}
	return nil
}

func providerNames(ps []pulse.Provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// findRoomSession finds the session of the event's room: by room id across
// the providers the room may be recorded under, else the newest open session
// of that room name.
func findRoomSession(tx *gorm.DB, e pulse.RoomEvent) (roomSession, bool, error) {
	var s roomSession
	var res *gorm.DB
	providers := providerNames(pulse.RoomProviders(e.Source))
	if e.RoomID != "" {
		res = tx.Raw(`SELECT id, provider, room_name, ended_at FROM sessions
			WHERE provider IN ? AND external_id = ? ORDER BY started_at LIMIT 1`, providers, e.RoomID).Scan(&s)
	} else {
		res = tx.Raw(`SELECT id, provider, room_name, ended_at FROM sessions
			WHERE room_name = ? AND ended_at IS NULL AND provider IN ? ORDER BY started_at DESC LIMIT 1`, e.RoomName, providers).Scan(&s)
	}
	return s, res.RowsAffected > 0, res.Error
}

// startRoomSession starts the room's session under the Source provider (the
// avatar's switch to Beyond Presence comes after, so that two first events
// of one room race on the same unique key and start one session), already
// ended when the first event heard of it is its end.
func startRoomSession(tx *gorm.DB, e pulse.RoomEvent, now time.Time) (roomSession, bool, error) {
	cat, err := roomCategory(tx, e)
	if err != nil {
		return roomSession{}, false, err
	}
	s := roomSession{ID: uuid.NewString(), Provider: string(e.Source)}
	if e.RoomName != "" {
		s.RoomName = &e.RoomName
	}
	if e.Kind == pulse.RoomEnded {
		s.EndedAt = &now
	}
	res := tx.Exec(`INSERT INTO sessions (id, category_id, provider, external_id, room_name, started_at, last_seen_at, ended_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider, external_id) DO NOTHING`,
		s.ID, cat.ID, s.Provider, e.RoomID, s.RoomName, now, now, s.EndedAt)
	if res.Error != nil {
		return s, false, res.Error
	}
	if res.RowsAffected == 0 {
		// Another delivery for the room started it meanwhile.
		found, ok, err := findRoomSession(tx, e)
		if err == nil && !ok {
			err = pulse.Errorf(pulse.EINTERNAL, "the session of room %q vanished", e.RoomID)
		}
		return found, false, err
	}
	if s.EndedAt != nil { // never live: a session of the day, not counted live
		return s, true, bumpDaily(tx, now, cat.ID, 1, "", "")
	}
	return s, true, countStarted(tx, now, cat.ID)
}

// moveRoomSession applies the event to an existing session: an end ends it
// (the first end wins), anything else marks it seen unless it has ended, and
// the avatar makes it a Beyond Presence session. The live count's rollup
// follows the end or the move of the last-seen time, under the row lock the
// UPDATE took.
func moveRoomSession(tx *gorm.DB, s roomSession, e pulse.RoomEvent, now time.Time) error {
	if e.Kind == pulse.RoomEnded {
		if err := endOpenSession(tx, s.ID, now); err != nil {
			return err
		}
	} else {
		var r struct{ PrevSeenAt time.Time }
		res := tx.Raw(`UPDATE sessions SET prev_seen_at = last_seen_at, last_seen_at = ?
			WHERE id = ? AND ended_at IS NULL AND last_seen_at < ? RETURNING prev_seen_at`,
			now, s.ID, now).Scan(&r)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			if err := moveSeen(tx, &r.PrevSeenAt, &now, now); err != nil {
				return err
			}
		}
	}
	if e.Avatar && s.Provider == string(pulse.ProviderLiveKit) {
		// Unless the platform already recorded that room as a Beyond Presence
		// session of its own: the unique key allows one of each.
		err := tx.Exec(`UPDATE sessions SET provider = ? WHERE id = ? AND NOT EXISTS
			(SELECT 1 FROM sessions o WHERE o.provider = ? AND o.external_id = sessions.external_id)`,
			string(pulse.ProviderBeyondPresence), s.ID, string(pulse.ProviderBeyondPresence)).Error
		if err != nil {
			return err
		}
	}
	if s.RoomName == nil && e.RoomName != "" {
		return tx.Exec(`UPDATE sessions SET room_name = ? WHERE id = ? AND room_name IS NULL`, e.RoomName, s.ID).Error
	}
	return nil
}

// roomCategory places a new webhook session: the category the room names
// (when it exists), else the longest matching room-name prefix of its
// provider, else the default category, created on first use.
func roomCategory(tx *gorm.DB, e pulse.RoomEvent) (pulse.Category, error) {
	var c pulse.Category
	if name := strings.TrimSpace(e.Category); name != "" {
		res := tx.Raw(`SELECT id, name FROM categories WHERE lower(name) = lower(?)`, name).Scan(&c)
		if res.Error != nil || res.RowsAffected > 0 {
			return c, res.Error
		}
	}
	if e.RoomName != "" {
		res := tx.Raw(`SELECT c.id, c.name FROM category_prefixes p JOIN categories c ON c.id = p.category_id
			WHERE p.provider = ? AND substr(?, 1, length(p.prefix)) = p.prefix
			ORDER BY length(p.prefix) DESC LIMIT 1`, string(e.Source), e.RoomName).Scan(&c)
		if res.Error != nil || res.RowsAffected > 0 {
			return c, res.Error
		}
	}
	name := strings.TrimSpace(e.DefaultCategory)
	if !pulse.ValidCategoryName(name) { // refused at start-up (config); a hand-built Deps may still pass one
		return c, pulse.Errorf(pulse.EINTERNAL, "the default webhook category must have 1 to 100 characters")
	}
	// No conflict target: the unique index is on lower(name), which both
	// engines check without one.
	err := tx.Exec(`INSERT INTO categories (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, utc(time.Now())).Error
	if err != nil {
		return c, err
	}
	return c, tx.Raw(`SELECT id, name FROM categories WHERE lower(name) = lower(?)`, name).Scan(&c).Error
}

// SessionByExternalID implements pulse.SessionStore.
func (db *DB) SessionByExternalID(ctx context.Context, p pulse.Provider, externalID string) (pulse.Session, error) {
	if !p.Valid() {
		return pulse.Session{}, pulse.Errorf(pulse.EINVALID, "unknown provider %.32q", p)
	}
	var row sessionRow
	res := db.with(ctx).Raw(selectSession+`WHERE s.provider IN ? AND s.external_id = ?
		ORDER BY CASE WHEN s.provider = ? THEN 0 ELSE 1 END LIMIT 1`,
		providerNames(pulse.RoomProviders(p)), externalID, string(p)).Scan(&row)
	if res.Error != nil {
		return pulse.Session{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return pulse.Session{}, pulse.Errorf(pulse.ENOTFOUND, "no %s session with external id %.64q", p, externalID)
	}
	return row.domain(), nil
}

// SetCategoryPrefix implements pulse.CategoryPrefixStore.
func (db *DB) SetCategoryPrefix(ctx context.Context, p pulse.CategoryPrefix) (pulse.CategoryPrefix, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	err := db.with(ctx).Transaction(func(tx *gorm.DB) error {
		cat, err := categoryByName(tx, p.Category)
		if err != nil {
			return err
		}
		p.Category = cat.Name
		return tx.Exec(`INSERT INTO category_prefixes (provider, prefix, category_id) VALUES (?, ?, ?)
			ON CONFLICT (provider, prefix) DO UPDATE SET category_id = excluded.category_id`,
			string(p.Provider), p.Prefix, cat.ID).Error
	})
	return p, translate(err)
}

// ListCategoryPrefixes implements pulse.CategoryPrefixStore.
func (db *DB) ListCategoryPrefixes(ctx context.Context) ([]pulse.CategoryPrefix, error) {
	var rows []struct{ Provider, Prefix, Category string }
	err := db.with(ctx).Raw(`SELECT p.provider, p.prefix, c.name AS category FROM category_prefixes p
		JOIN categories c ON c.id = p.category_id ORDER BY p.provider, p.prefix`).Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]pulse.CategoryPrefix, len(rows))
	for i, r := range rows {
		out[i] = pulse.CategoryPrefix{Provider: pulse.Provider(r.Provider), Prefix: r.Prefix, Category: r.Category}
	}
	return out, nil
}

// PruneProcessedEvents forgets the webhook event ids received before
// `before`, in batches; a redelivery older than that would apply again.
func (db *DB) PruneProcessedEvents(ctx context.Context, before time.Time) (int64, error) {
	return db.inBatches(ctx, `DELETE FROM processed_events WHERE (source, event_id) IN
		(SELECT source, event_id FROM processed_events WHERE received_at < ? LIMIT ?)`, utc(before))
}
