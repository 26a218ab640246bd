package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"pulse/internal/pulse"
)

// DailyTolerance is how far X-Webhook-Timestamp may be from the clock: a
// captured delivery cannot be replayed later, a forged timestamp fails the
// signature.
const DailyTolerance = 5 * time.Minute

// Daily receives Daily webhooks: X-Webhook-Signature is the base64
// HMAC-SHA256, keyed with the base64-decoded webhook secret (the "hmac" of the
// webhook), of X-Webhook-Timestamp + "." + the raw body.
type Daily struct {
	key []byte
	now func() time.Time
}

// NewDaily returns a receiver for the base64 secret; now nil means time.Now.
func NewDaily(secret string, now func() time.Time) (*Daily, error) {
	key, err := DecodeDailySecret(secret)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Daily{key: key, now: now}, nil
}

// DecodeDailySecret decodes a Daily webhook secret (standard base64, padded
// or not).
func DecodeDailySecret(secret string) ([]byte, error) {
	s := strings.TrimSpace(secret)
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil || len(key) == 0 {
		return nil, errors.New("the Daily webhook secret must be base64 (as Daily's hmac is)")
	}
	return key, nil
}

// dailyEvent is the part of a Daily webhook body Pulse reads.
type dailyEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Payload struct {
		MeetingID string `json:"meeting_id"`
		Room      string `json:"room"`
	} `json:"payload"`
}

var dailyKinds = map[string]pulse.RoomEventKind{
	"meeting.started":    pulse.RoomStarted,
	"meeting.ended":      pulse.RoomEnded,
	"participant.joined": pulse.RoomSeen,
	"participant.left":   pulse.RoomSeen,
}

// Receive verifies one delivery and translates it: ok=false for a body that
// is not an event Pulse acts on, EUNAUTHORIZED for a missing, bad or stale
// signature.
//
// The type is read before the signature is checked: the test request Daily
// sends when a webhook is created (before its owner may even know the
// secret, when Daily provisions it) must get a 200 at once, and a body Pulse
// does not act on has no effect whoever sent it.
func (d *Daily) Receive(h http.Header, body []byte) (pulse.RoomEvent, bool, error) {
	var ev dailyEvent
	if json.Unmarshal(body, &ev) != nil {
		return pulse.RoomEvent{}, false, nil
	}
	kind, known := dailyKinds[ev.Type]
	if !known {
		return pulse.RoomEvent{}, false, nil
	}
	if err := d.verify(h, body); err != nil {
		return pulse.RoomEvent{}, false, pulse.Wrap(err, pulse.EUNAUTHORIZED, "The Daily webhook signature is missing, invalid or stale.")
	}
	e := pulse.RoomEvent{ID: ev.ID, Source: pulse.ProviderDaily, Kind: kind, RoomID: ev.Payload.MeetingID, RoomName: ev.Payload.Room}
	// A meeting event always names its meeting; a participant event names
	// only the room, which finds the meeting's open session.
	if e.RoomID == "" && (kind != pulse.RoomSeen || e.RoomName == "") {
		return pulse.RoomEvent{}, false, nil
	}
	return e, true, nil
}

func (d *Daily) verify(h http.Header, body []byte) error {
	ts, sig := h.Get("X-Webhook-Timestamp"), h.Get("X-Webhook-Signature")
	if ts == "" || sig == "" {
		return errors.New("no X-Webhook-Timestamp or X-Webhook-Signature header")
	}
	at, err := parseDailyTimestamp(ts)
	if err != nil {
		return err
	}
	if skew := d.now().Sub(at); skew > DailyTolerance || skew < -DailyTolerance {
		return fmt.Errorf("timestamp %s is %s away from the clock", ts, skew.Round(time.Second))
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
	if err != nil {
		return errors.New("the signature is not base64")
	}
	if !hmac.Equal(got, dailyMAC(d.key, ts, body)) {
		return errors.New("the signature does not match")
	}
	return nil
}

// parseDailyTimestamp reads Unix seconds, or milliseconds when the value is
// above 10^12 (which in seconds is the year 33658).
func parseDailyTimestamp(ts string) (time.Time, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(ts), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return time.Time{}, errors.New("X-Webhook-Timestamp is not a Unix time")
	}
	if v > 1e12 {
		v /= 1000
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func dailyMAC(key []byte, timestamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return mac.Sum(nil)
}

// SignDaily signs a body as Daily does (the X-Webhook-Signature value), for
// tests and local stand-ins of Daily.
func SignDaily(key []byte, timestamp string, body []byte) string {
	return base64.StdEncoding.EncodeToString(dailyMAC(key, timestamp, body))
}
