package providers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// liveKitTokenTTL is how long a check's token is valid: one request's worth.
const liveKitTokenTTL = time.Minute

// livekit checks a LiveKit server: GET / answers "OK" when the server is up;
// with an API key and secret, an authenticated ListRooms also proves them.
// The outcome is the first problem met, or the last answer with the slower of
// the two latencies.
func (p prober) livekit(ctx context.Context, serverURL, apiKey, apiSecret string) Outcome {
	base := liveKitHTTPURL(serverURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(base, "/"), nil)
	if err != nil {
		return Outcome{NoAnswer: "invalid URL"}
	}
	ping, body := p.fetch(req)
	if ok2xx(ping) && strings.TrimSpace(string(body)) != "OK" {
		ping.Garbled = true
	}
	if !ok2xx(ping) || ping.Garbled || apiKey == "" || apiSecret == "" {
		return ping
	}

	token, err := liveKitToken(apiKey, apiSecret, p.now())
	if err != nil {
		return Outcome{NoAnswer: "could not sign the access token"}
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, joinURL(base, "/twirp/livekit.RoomService/ListRooms"), strings.NewReader("{}"))
	if err != nil {
		return Outcome{NoAnswer: "invalid URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	list, body := p.fetch(req)
	if ok2xx(list) {
		list.LiveRooms = countLiveKitRooms(body)
		list.Garbled = list.LiveRooms == nil
	}
	if list.NoAnswer == "" {
		list.Latency = max(list.Latency, ping.Latency)
	}
	return list
}

// countLiveKitRooms counts the rooms of a ListRooms answer, {"rooms": [...]};
// nil when the body is not a JSON object. The server may leave an empty list
// out altogether (protobuf JSON skips default values): that is no rooms.
func countLiveKitRooms(body []byte) *int {
	var list struct {
		Rooms []json.RawMessage `json:"rooms"`
	}
	if !isJSONObject(body) || json.Unmarshal(body, &list) != nil {
		return nil
	}
	n := len(list.Rooms)
	return &n
}

// liveKitHTTPURL turns a client URL (ws://, wss://) into the server's HTTP one.
func liveKitHTTPURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	return u.String()
}

// liveKitClaims are LiveKit's access token claims, reduced to what listing
// rooms needs.
type liveKitClaims struct {
	jwt.RegisteredClaims
	Video liveKitGrant `json:"video"`
}

type liveKitGrant struct {
	RoomList bool `json:"roomList"`
}

// liveKitToken signs a short-lived token that may only list rooms.
func liveKitToken(apiKey, apiSecret string, now time.Time) (string, error) {
	claims := liveKitClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    apiKey,
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(liveKitTokenTTL)),
		},
		Video: liveKitGrant{RoomList: true},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(apiSecret))
}
