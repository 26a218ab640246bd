package webhooks

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	"github.com/livekit/protocol/webhook"
	"google.golang.org/protobuf/encoding/protojson"

	"pulse/internal/pulse"
)

// LiveKit receives LiveKit webhooks, verified with LiveKit's own package:
// the Authorization header is a JWT signed with the API secret of the API key
// it names, carrying the SHA-256 of the body.
type LiveKit struct {
	keys   auth.KeyProvider
	avatar string
}

// NewLiveKit returns a receiver for deliveries signed with apiKey/apiSecret.
// avatarIdentity is the participant identity of the Beyond Presence avatar
// agent ("" never matches).
func NewLiveKit(apiKey, apiSecret, avatarIdentity string) *LiveKit {
	return &LiveKit{keys: auth.NewSimpleKeyProvider(apiKey, apiSecret), avatar: avatarIdentity}
}

// Receive verifies one delivery and translates it: ok=false for a verified
// event Pulse does not act on, EUNAUTHORIZED for a missing or bad signature,
// EMALFORMED for a signed body that is not a webhook event.
func (l *LiveKit) Receive(h http.Header, body []byte) (pulse.RoomEvent, bool, error) {
	// webhook.Receive checks the token and the body's checksum; the body was
	// read by the caller, within the body limit.
	r := &http.Request{Header: h, Body: io.NopCloser(bytes.NewReader(body))}
	data, err := webhook.Receive(r, l.keys)
	if err != nil {
		return pulse.RoomEvent{}, false, pulse.Wrap(err, pulse.EUNAUTHORIZED, "The LiveKit webhook signature is missing or invalid.")
	}
	// Parsed as ReceiveWebhookEvent parses it, after verification, so that a
	// signed but unreadable body is a 400 rather than a 401.
	var ev livekit.WebhookEvent
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true, AllowPartial: true}).Unmarshal(data, &ev); err != nil {
		return pulse.RoomEvent{}, false, pulse.Wrap(err, pulse.EMALFORMED, "The LiveKit webhook body is not a webhook event.")
	}
	return l.translate(&ev)
}

func (l *LiveKit) translate(ev *livekit.WebhookEvent) (pulse.RoomEvent, bool, error) {
	var kind pulse.RoomEventKind
	switch ev.GetEvent() {
	case webhook.EventRoomStarted:
		kind = pulse.RoomStarted
	case webhook.EventRoomFinished:
		kind = pulse.RoomEnded
	case webhook.EventParticipantJoined, webhook.EventParticipantLeft:
		kind = pulse.RoomSeen
	default:
		return pulse.RoomEvent{}, false, nil
	}
	room := ev.GetRoom()
	if room.GetSid() == "" {
		return pulse.RoomEvent{}, false, nil
	}
	return pulse.RoomEvent{
		ID:       ev.GetId(),
		Source:   pulse.ProviderLiveKit,
		Kind:     kind,
		RoomID:   room.GetSid(),
		RoomName: room.GetName(),
		Category: metadataCategory(room.GetMetadata()),
		Avatar:   l.avatar != "" && ev.GetParticipant().GetIdentity() == l.avatar,
	}, true, nil
}

// metadataCategory reads {"category": "…"} from a room's metadata; "" when
// the metadata is not such an object.
func metadataCategory(metadata string) string {
	var m struct {
		Category string `json:"category"`
	}
	if metadata == "" || json.Unmarshal([]byte(metadata), &m) != nil {
		return ""
	}
	return m.Category
}
