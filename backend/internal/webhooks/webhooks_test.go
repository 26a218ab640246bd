package webhooks_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
	"pulse/internal/webhooks"
)

const (
	lkKey    = "APIwebhooktest"
	lkSecret = "livekit-test-secret-livekit-test-secret"
)

var (
	dailySecret = base64.StdEncoding.EncodeToString([]byte("daily-test-hmac-key-daily-test-hmac-key"))
	now         = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// livekitHeader signs body as LiveKit does, with LiveKit's own token type.
func livekitHeader(t *testing.T, key, secret string, body []byte) http.Header {
	t.Helper()
	sum := sha256.Sum256(body)
	tok, err := auth.NewAccessToken(key, secret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	require.NoError(t, err)
	return http.Header{"Authorization": {tok}, "Content-Type": {"application/webhook+json"}}
}

func dailyHeader(t *testing.T, at time.Time, body []byte) http.Header {
	t.Helper()
	key, err := webhooks.DecodeDailySecret(dailySecret)
	require.NoError(t, err)
	ts := strconv.FormatInt(at.Unix(), 10)
	return http.Header{"X-Webhook-Timestamp": {ts}, "X-Webhook-Signature": {webhooks.SignDaily(key, ts, body)}}
}

func TestLiveKitTranslatesTheFixtures(t *testing.T) {
	lk := webhooks.NewLiveKit(lkKey, lkSecret, "bey-avatar-agent")
	room := func(kind pulse.RoomEventKind, id string, avatar bool) pulse.RoomEvent {
		return pulse.RoomEvent{ID: id, Source: pulse.ProviderLiveKit, Kind: kind, RoomID: "RM_hycBMAjmt6Ub",
			RoomName: "counseling-7f3a", Category: "Mental Health", Avatar: avatar}
	}
	for _, tc := range []struct {
		file string
		want pulse.RoomEvent
	}{
		{"1-room_started.json", room(pulse.RoomStarted, "4d1a3c3e-2a6f-4b7e-9d0c-8c5e2f1b7a10", false)},
		{"2-participant_joined.json", room(pulse.RoomSeen, "a0f5d9b2-61c4-4b8e-b3a7-0e4c9f2d8b31", false)},
		{"3-participant_joined-avatar.json", room(pulse.RoomSeen, "c7e2b8d4-9f31-4a6c-8e05-3b1d7a9c2e44", true)},
		{"4-participant_left.json", room(pulse.RoomSeen, "f3b19e27-4c8a-4d2f-a6b0-71e5c8d3a952", false)},
		{"5-room_finished.json", room(pulse.RoomEnded, "5e8c1a9f-b2d7-4e36-9a4b-d0f6c3e1b875", false)},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := fixture(t, "livekit/"+tc.file)
			ev, ok, err := lk.Receive(livekitHeader(t, lkKey, lkSecret, body), body)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, tc.want, ev)
		})
	}
}

func TestLiveKitReceive(t *testing.T) {
	lk := webhooks.NewLiveKit(lkKey, lkSecret, "bey-avatar-agent")
	body := fixture(t, "livekit/1-room_started.json")
	t.Run("OtherAvatarIdentity", func(t *testing.T) {
		body := fixture(t, "livekit/3-participant_joined-avatar.json")
		ev, ok, err := webhooks.NewLiveKit(lkKey, lkSecret, "tavus-agent").Receive(livekitHeader(t, lkKey, lkSecret, body), body)
		require.NoError(t, err)
		require.True(t, ok)
		assert.False(t, ev.Avatar)
	})
	t.Run("UnknownEventIgnored", func(t *testing.T) {
		b := []byte(`{"event":"track_published","room":{"sid":"RM_x","name":"x"},"id":"e1","createdAt":"1"}`)
		_, ok, err := lk.Receive(livekitHeader(t, lkKey, lkSecret, b), b)
		require.NoError(t, err)
		assert.False(t, ok)
	})
	t.Run("MetadataWithoutCategory", func(t *testing.T) {
		b := []byte(`{"event":"room_started","room":{"sid":"RM_y","name":"y","metadata":"not json"},"id":"e2"}`)
		ev, ok, err := lk.Receive(livekitHeader(t, lkKey, lkSecret, b), b)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Empty(t, ev.Category)
	})
	t.Run("SignedGarbage", func(t *testing.T) {
		b := []byte(`[1,2,3]`)
		_, _, err := lk.Receive(livekitHeader(t, lkKey, lkSecret, b), b)
		assert.Equal(t, pulse.EMALFORMED, pulse.ErrorCode(err))
	})
	for name, h := range map[string]http.Header{
		"NoAuthorization": {},
		"WrongSecret":     livekitHeader(t, lkKey, "another-secret-another-secret-another", body),
		"UnknownKey":      livekitHeader(t, "APIother", lkSecret, body),
		"OtherBody":       livekitHeader(t, lkKey, lkSecret, []byte(`{"event":"room_finished"}`)),
		"NotAJWT":         {"Authorization": {"Bearer nonsense"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := lk.Receive(h, body)
			assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		})
	}
}

func TestDailyTranslatesTheFixtures(t *testing.T) {
	d, err := webhooks.NewDaily(dailySecret, func() time.Time { return now })
	require.NoError(t, err)
	const meeting, room = "f2aa1ade-ff80-464c-b46e-50ffa577d48d", "TrPmUX1DzjSwDaAFDfNj"
	for _, tc := range []struct {
		file string
		want pulse.RoomEvent
	}{
		{"1-meeting.started.json", pulse.RoomEvent{ID: "met-sta-f2aa1ade-ff80-464c-b46e-50ffa577d48d-1708526032", Source: pulse.ProviderDaily, Kind: pulse.RoomStarted, RoomID: meeting, RoomName: room}},
		{"2-participant.joined.json", pulse.RoomEvent{ID: "ptcpt-join-6497c79b-f326-4942-aef8-c36a29140ad1-1708972279961", Source: pulse.ProviderDaily, Kind: pulse.RoomSeen, RoomName: "test"}},
		{"3-participant.left.json", pulse.RoomEvent{ID: "ptcpt-left-0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa-1708526090", Source: pulse.ProviderDaily, Kind: pulse.RoomSeen, RoomName: room}},
		{"4-meeting.ended.json", pulse.RoomEvent{ID: "met-end-f2aa1ade-ff80-464c-b46e-50ffa577d48d-1708526104", Source: pulse.ProviderDaily, Kind: pulse.RoomEnded, RoomID: meeting, RoomName: room}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := fixture(t, "daily/"+tc.file)
			ev, ok, err := d.Receive(dailyHeader(t, now, body), body)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, tc.want, ev)
		})
	}
}

func TestDailyReceive(t *testing.T) {
	d, err := webhooks.NewDaily(dailySecret, func() time.Time { return now })
	require.NoError(t, err)
	body := fixture(t, "daily/1-meeting.started.json")
	t.Run("MillisecondTimestamp", func(t *testing.T) {
		key, _ := webhooks.DecodeDailySecret(dailySecret)
		ts := strconv.FormatInt(now.Add(-time.Minute).UnixMilli(), 10)
		_, ok, err := d.Receive(http.Header{"X-Webhook-Timestamp": {ts}, "X-Webhook-Signature": {webhooks.SignDaily(key, ts, body)}}, body)
		require.NoError(t, err)
		assert.True(t, ok)
	})
	t.Run("WithinTolerance", func(t *testing.T) {
		_, _, err := d.Receive(dailyHeader(t, now.Add(-4*time.Minute), body), body)
		assert.NoError(t, err)
	})
	for name, b := range map[string]string{
		"SetUpTestRequest": `{"test":"test"}`,
		"NotJSON":          `ping`,
		"UnknownType":      `{"type":"recording.started","id":"r1","payload":{}}`,
		"MeetingWithoutID": `{"type":"meeting.started","id":"m1","payload":{"room":"r"}}`,
	} {
		t.Run(name+"IsIgnoredUnsigned", func(t *testing.T) {
			_, ok, err := d.Receive(http.Header{}, []byte(b))
			if name == "MeetingWithoutID" {
				// A known type is verified first: unsigned, it is refused.
				assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
	t.Run("MeetingWithoutIDIsIgnoredSigned", func(t *testing.T) {
		b := []byte(`{"type":"meeting.started","id":"m1","payload":{"room":"r"}}`)
		_, ok, err := d.Receive(dailyHeader(t, now, b), b)
		require.NoError(t, err)
		assert.False(t, ok)
	})
	stale := dailyHeader(t, now.Add(-6*time.Minute), body)
	future := dailyHeader(t, now.Add(6*time.Minute), body)
	tampered := dailyHeader(t, now, body)
	tampered.Set("X-Webhook-Timestamp", strconv.FormatInt(now.Unix()+1, 10))
	for name, h := range map[string]http.Header{
		"NoHeaders":       {},
		"NoSignature":     {"X-Webhook-Timestamp": {strconv.FormatInt(now.Unix(), 10)}},
		"Stale":           stale,
		"Future":          future,
		"TimestampEdited": tampered,
		"OtherBody":       dailyHeader(t, now, []byte(`{}`)),
		"NotBase64":       {"X-Webhook-Timestamp": {strconv.FormatInt(now.Unix(), 10)}, "X-Webhook-Signature": {"%%%"}},
		"BadTimestamp":    {"X-Webhook-Timestamp": {"yesterday"}, "X-Webhook-Signature": {"AAAA"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := d.Receive(h, body)
			assert.Equal(t, pulse.EUNAUTHORIZED, pulse.ErrorCode(err))
		})
	}
}

func TestDecodeDailySecret(t *testing.T) {
	for name, tc := range map[string]struct {
		secret string
		ok     bool
	}{
		"Padded":    {base64.StdEncoding.EncodeToString([]byte("abcd1")), true},
		"Unpadded":  {base64.RawStdEncoding.EncodeToString([]byte("abcd1")), true},
		"NotBase64": {"not base64!", false},
		"Empty":     {"", false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := webhooks.DecodeDailySecret(tc.secret)
			assert.Equal(t, tc.ok, err == nil, "err: %v", err)
		})
	}
}
