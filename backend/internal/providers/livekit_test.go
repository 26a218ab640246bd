package providers

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestLiveKitRequests(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderLiveKit)
	clk := newClock()
	c := newTestChecker(t, testTimings(configFor(pulse.ProviderLiveKit, f.srv.URL)), Deps{Now: clk.Now})

	c.round(t.Context())

	require.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderLiveKit).Status, "the fake verified the token")
	reqs, bodies := f.Requests()
	require.Len(t, reqs, 2)

	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/", reqs[0].URL.Path)

	list := reqs[1]
	assert.Equal(t, http.MethodPost, list.Method)
	assert.Equal(t, "/twirp/livekit.RoomService/ListRooms", list.URL.Path)
	assert.Equal(t, "application/json", list.Header.Get("Content-Type"))
	assert.Equal(t, "{}", bodies[1])

	raw, ok := strings.CutPrefix(list.Header.Get("Authorization"), "Bearer ")
	require.True(t, ok, "bearer token")
	claims := jwt.MapClaims{}
	token, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return []byte(testLiveKitSecret), nil },
		jwt.WithTimeFunc(clk.Now))
	require.NoError(t, err)
	assert.Equal(t, "HS256", token.Header["alg"])
	assert.Equal(t, testLiveKitKey, claims["iss"])
	assert.Equal(t, map[string]any{"roomList": true}, claims["video"])
	nbf, err := claims.GetNotBefore()
	require.NoError(t, err)
	exp, err := claims.GetExpirationTime()
	require.NoError(t, err)
	assert.Equal(t, clk.Now(), nbf.UTC())
	assert.Equal(t, time.Minute, exp.Sub(nbf.Time))
	assert.NotContains(t, raw, testLiveKitSecret)
}

func TestLiveKitTokenSignedWithTheSecret(t *testing.T) {
	raw, err := liveKitToken(testLiveKitKey, testLiveKitSecret, time.Now())
	require.NoError(t, err)

	_, err = jwt.Parse(raw, func(*jwt.Token) (any, error) { return []byte("another-secret"), nil })
	assert.ErrorIs(t, err, jwt.ErrTokenSignatureInvalid)
	assert.NoError(t, verifyLiveKitToken("Bearer "+raw, time.Now()))
}

func TestLiveKitWithoutKeysOnlyPings(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderLiveKit)
	c := newTestChecker(t, testTimings(Config{LiveKitURL: f.srv.URL}), Deps{})

	c.round(t.Context())

	reqs, _ := f.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/", reqs[0].URL.Path)
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, pulse.StatusOperational, healthOf(t, c, pulse.ProviderLiveKit).Status)
}

func TestLiveKitWebSocketURL(t *testing.T) {
	f := newFakeProvider(t, pulse.ProviderLiveKit)
	cfg := configFor(pulse.ProviderLiveKit, "ws://"+strings.TrimPrefix(f.srv.URL, "http://"))
	c := newTestChecker(t, testTimings(cfg), Deps{})

	c.round(t.Context())

	h := healthOf(t, c, pulse.ProviderLiveKit)
	assert.Equal(t, pulse.StatusOperational, h.Status, h.Detail)
	assert.EqualValues(t, 2, f.hits.Load())
}

func TestLiveKitHTTPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ws://localhost:7880", "http://localhost:7880"},
		{"wss://my.livekit.cloud", "https://my.livekit.cloud"},
		{"WSS://my.livekit.cloud/path", "https://my.livekit.cloud/path"},
		{"https://my.livekit.cloud", "https://my.livekit.cloud"},
		{"http://localhost:7880/", "http://localhost:7880/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, liveKitHTTPURL(tt.in))
		})
	}
}

func TestLiveKitAnswers(t *testing.T) {
	tests := []struct {
		name       string
		ping       http.HandlerFunc // nil: "OK"
		list       http.HandlerFunc // nil: a room list
		wantStatus pulse.ProviderStatus
		wantDetail string // a regexp
		wantHits   int64
	}{
		{name: "PingNotLiveKit", wantStatus: pulse.StatusDegraded, wantDetail: `^answer not understood \(HTTP 200\)$`, wantHits: 1,
			ping: func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "It works!") }},
		{name: "ListRoomsGarbage", wantStatus: pulse.StatusDegraded, wantDetail: `^answer not understood \(HTTP 200\)$`, wantHits: 2,
			list: answerGarbage},
		{name: "ListRoomsServerError", wantStatus: pulse.StatusDegraded, wantDetail: `^HTTP 503 \(failure 1/3\)$`, wantHits: 2,
			list: answerStatus(503)},
		{name: "SlowPingMakesTheCheckSlow", wantStatus: pulse.StatusDegraded, wantDetail: `^slow: HTTP 200 in \d+ ms \(over 50ms\)$`, wantHits: 2,
			ping: func(w http.ResponseWriter, _ *http.Request) {
				time.Sleep(80 * time.Millisecond)
				_, _ = io.WriteString(w, "OK")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeProvider(t, pulse.ProviderLiveKit)
			f.Set(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/" && tt.ping != nil:
					tt.ping(w, r)
				case r.URL.Path != "/" && tt.list != nil:
					tt.list(w, r)
				default:
					body, _ := io.ReadAll(r.Body)
					f.healthy(w, r, string(body))
				}
			})
			c := newTestChecker(t, testTimings(configFor(pulse.ProviderLiveKit, f.srv.URL)), Deps{})

			c.round(t.Context())

			h := healthOf(t, c, pulse.ProviderLiveKit)
			assert.Equal(t, tt.wantStatus, h.Status)
			assert.Regexp(t, tt.wantDetail, h.Detail)
			assert.Equal(t, tt.wantHits, f.hits.Load())
		})
	}
}
