package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	lkauth "github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	lkwebhook "github.com/livekit/protocol/webhook"
	"google.golang.org/protobuf/encoding/protojson"

	"pulse/internal/pulse"
	"pulse/internal/webhooks"
)

// Webhooks are the credentials the driver signs provider webhooks with, as
// the providers themselves do. A provider without them has its sessions
// started through POST /api/sessions only.
type Webhooks struct {
	// LiveKitKey and LiveKitSecret are the LiveKit API key and secret
	// (PULSE_LIVEKIT_API_KEY, PULSE_LIVEKIT_API_SECRET).
	LiveKitKey, LiveKitSecret string
	// DailySecret is the Daily webhook secret, base64
	// (PULSE_DAILY_WEBHOOK_SECRET).
	DailySecret string
}

// NewDailyWebhookSecret returns a random base64 secret, such as Daily hands
// out as a webhook's hmac.
func NewDailyWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// signs tells whether deliveries of provider p can be signed.
func (w *Webhooks) signs(p pulse.Provider) bool {
	switch {
	case w == nil:
		return false
	case p == pulse.ProviderLiveKit:
		return w.LiveKitKey != "" && w.LiveKitSecret != ""
	case p == pulse.ProviderDaily:
		return w.DailySecret != ""
	}
	return false
}

// randomID is n random bytes in hex.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// livekitRequest is one LiveKit delivery, signed as LiveKit's notifier signs
// it: a JWT of the API key, signed with its secret, carrying the body's
// SHA-256.
func (w *Webhooks) livekitRequest(ctx context.Context, url string, ev *livekit.WebhookEvent) (*http.Request, error) {
	body, err := protojson.Marshal(ev)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	tok, err := lkauth.NewAccessToken(w.LiveKitKey, w.LiveKitSecret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/webhook+json")
	req.Header.Set("Authorization", tok)
	return req, nil
}

// livekitEvent is a LiveKit webhook event of the room, with a unique id.
func livekitEvent(kind string, room *livekit.Room, participant string, at time.Time) *livekit.WebhookEvent {
	ev := &livekit.WebhookEvent{Event: kind, Room: room, Id: "EV_" + randomID(8), CreatedAt: at.Unix()}
	if participant != "" {
		ev.Participant = &livekit.ParticipantInfo{Sid: "PA_" + randomID(6), Identity: participant, State: livekit.ParticipantInfo_ACTIVE, JoinedAt: at.Unix()}
	}
	return ev
}

// dailyRequest is one Daily delivery, signed as Daily signs it: the
// base64 HMAC-SHA256 of timestamp + "." + body, keyed with the decoded
// secret. The timestamp is the wall clock's: the receiver allows 5 minutes.
func (w *Webhooks) dailyRequest(ctx context.Context, url string, ev dailyDelivery) (*http.Request, error) {
	key, err := webhooks.DecodeDailySecret(w.DailySecret)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Webhook-Timestamp", ts)
	req.Header.Set("X-Webhook-Signature", webhooks.SignDaily(key, ts, body))
	return req, nil
}

// dailyDelivery is a Daily webhook body, in Daily's shape.
type dailyDelivery struct {
	Version string         `json:"version"`
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Payload map[string]any `json:"payload"`
	EventTS float64        `json:"event_ts"`
}

// dailyEvent is a Daily webhook event of the meeting, with a unique id.
func dailyEvent(kind, meetingID, room string, at time.Time) dailyDelivery {
	ts := float64(at.UnixMilli()) / 1000
	p := map[string]any{"room": room}
	switch kind {
	case "meeting.started":
		p["meeting_id"], p["start_ts"] = meetingID, ts
	case "meeting.ended":
		p["meeting_id"], p["start_ts"], p["end_ts"] = meetingID, ts, ts
	default: // participant.joined, participant.left: the room names the meeting
		p["user_id"], p["session_id"], p["joined_at"] = randomID(8), randomID(8), ts
	}
	return dailyDelivery{Version: "1.0.0", Type: kind, ID: kind + "-" + randomID(10), Payload: p, EventTS: ts}
}

// LiveKit's event names, as the receiver knows them.
const (
	lkRoomStarted  = lkwebhook.EventRoomStarted
	lkRoomFinished = lkwebhook.EventRoomFinished
	lkJoined       = lkwebhook.EventParticipantJoined
	lkLeft         = lkwebhook.EventParticipantLeft
)
