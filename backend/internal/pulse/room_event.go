package pulse

import (
	"context"
	"time"
)

// RoomEventKind is what a provider says happened to one of its rooms.
type RoomEventKind string

const (
	// RoomStarted: the room began; its session starts (once).
	RoomStarted RoomEventKind = "started"
	// RoomSeen: someone joined or left; the session is alive.
	RoomSeen RoomEventKind = "seen"
	// RoomEnded: the room finished; its session ends (the first end wins).
	RoomEnded RoomEventKind = "ended"
)

// RoomEvent is a provider webhook delivery translated at the edge: whatever
// LiveKit or Daily sent, the store sees only this.
type RoomEvent struct {
	// ID is the provider's event id; the same id twice has one effect. ""
	// applies the event without that guard (its effects are idempotent
	// anyway, apart from moving LastSeenAt).
	ID string
	// Source is the webhook the event came through (livekit or daily): the
	// namespace of ID and of RoomID.
	Source Provider
	Kind   RoomEventKind
	// RoomID is the provider's id of this run of the room (LiveKit room sid,
	// Daily meeting id): the session's ExternalID. "" when the event names
	// the room only (Daily participant events).
	RoomID string
	// RoomName is the room's name, for the category prefix map and to find
	// the open session of events without a RoomID.
	RoomName string
	// Category is the category the room asks for (LiveKit room metadata);
	// "" when it names none. An unknown name is not created: the prefix map,
	// then DefaultCategory, apply instead.
	Category string
	// DefaultCategory is the category of a room nothing else places; it is
	// created on first use.
	DefaultCategory string
	// Avatar: the Beyond Presence avatar agent takes part in the room, so the
	// session is a Beyond Presence one.
	Avatar bool
}

// RoomProviders are the providers a session of a Source's room may be
// recorded under: a LiveKit room becomes a Beyond Presence session once the
// avatar joins, and keeps the LiveKit room sid as its external id.
func RoomProviders(p Provider) []Provider {
	switch p {
	case ProviderLiveKit, ProviderBeyondPresence:
		return []Provider{ProviderLiveKit, ProviderBeyondPresence}
	}
	return []Provider{p}
}

// RoomEventOutcome says what applying an event did.
type RoomEventOutcome string

const (
	// OutcomeApplied: the event moved its session (or found it already there).
	OutcomeApplied RoomEventOutcome = "applied"
	// OutcomeDuplicate: this event id was applied before; nothing changed.
	OutcomeDuplicate RoomEventOutcome = "duplicate"
	// OutcomeNoSession: the event names a room with no open session and
	// carries no room id to start one by (a Daily participant event before
	// its meeting.started); the start will come.
	OutcomeNoSession RoomEventOutcome = "no_session"
)

// RoomEventResult is the outcome and the session it concerned.
type RoomEventResult struct {
	Outcome RoomEventOutcome
	Session Session // zero unless Outcome is OutcomeApplied
	Created bool    // the event started the session
}

// RoomEventStore applies provider room events. Every event, whatever its
// order, leaves the session as the room is: a start or a participant of an
// unknown room starts its session, an end of an unknown room records the
// session already ended (so a late start does not reopen it), and an end
// wins over everything after it.
type RoomEventStore interface {
	ApplyRoomEvent(ctx context.Context, e RoomEvent, now time.Time) (RoomEventResult, error)
}

// CategoryPrefix places webhook sessions by room name: a room of Provider
// whose name starts with Prefix goes to Category; the longest prefix wins.
type CategoryPrefix struct {
	Provider Provider
	Prefix   string
	Category string
}

// Validate checks a prefix rule; the category is checked by the store.
func (p CategoryPrefix) Validate() error {
	if p.Provider != ProviderDaily && p.Provider != ProviderLiveKit {
		return Errorf(EINVALID, "prefix rules apply to rooms from webhooks: provider must be daily or livekit, not %.32q", p.Provider)
	}
	if p.Prefix == "" || len(p.Prefix) > 200 {
		return Errorf(EINVALID, "a prefix has 1 to 200 characters")
	}
	return nil
}

// CategoryPrefixStore keeps the prefix rules.
type CategoryPrefixStore interface {
	// SetCategoryPrefix adds a rule or moves an existing prefix to another
	// category; EINVALID for an unknown category.
	SetCategoryPrefix(ctx context.Context, p CategoryPrefix) (CategoryPrefix, error)
	// ListCategoryPrefixes lists every rule by provider and prefix.
	ListCategoryPrefixes(ctx context.Context) ([]CategoryPrefix, error)
}
