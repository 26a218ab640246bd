package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	lkauth "github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
	lkwebhook "github.com/livekit/protocol/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	"pulse/internal/httpapi"
	"pulse/internal/pulse"
	"pulse/internal/store"
	"pulse/internal/store/storetest"
	"pulse/internal/webhooks"
)

const (
	lkKey    = "APIpulsetest"
	lkSecret = "livekit-secret-livekit-secret-livekit"
	lkRoom   = "RM_hycBMAjmt6Ub"
	dlRoom   = "f2aa1ade-ff80-464c-b46e-50ffa577d48d"
)

var dailySecret = base64.StdEncoding.EncodeToString([]byte("daily-hmac-daily-hmac-daily-hmac"))

// hookHarness is a harness with both webhook routes configured and the
// refusals counted.
type hookHarness struct {
	*harness
	monitor  string // a SYSTEM_MONITOR's token
	mu       sync.Mutex
	rejected map[pulse.Provider]int
}

func newHookHarness(t *testing.T, db *store.DB, opts ...func(*httpapi.Deps)) *hookHarness {
	t.Helper()
	hh := &hookHarness{rejected: map[pulse.Provider]int{}}
	var clock func() time.Time // the harness's, once it exists
	daily, err := webhooks.NewDaily(dailySecret, func() time.Time { return clock() })
	require.NoError(t, err)
	opts = append([]func(*httpapi.Deps){func(d *httpapi.Deps) {
		d.LiveKitWebhook = webhooks.NewLiveKit(lkKey, lkSecret, "bey-avatar-agent")
		d.DailyWebhook = daily
		d.WebhookRejected = func(p pulse.Provider) { hh.mu.Lock(); hh.rejected[p]++; hh.mu.Unlock() }
	}}, opts...)
	hh.harness = newHarness(t, db, opts...)
	clock = hh.clock.Now
	hh.monitor = hh.mustAdmin("monitor@example.com", pulse.RoleSystemMonitor)
	return hh
}

func (h *hookHarness) refused(p pulse.Provider) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rejected[p]
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "webhooks", "testdata", name))
	require.NoError(t, err)
	return b
}

// livekitToken signs body as LiveKit does, with LiveKit's own token type.
func livekitToken(t testing.TB, secret string, body []byte) string {
	t.Helper()
	sum := sha256.Sum256(body)
	tok, err := lkauth.NewAccessToken(lkKey, secret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	require.NoError(t, err)
	return tok
}

func (h *hookHarness) post(path string, body []byte, headers ...string) response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return response{rec}
}

func (h *hookHarness) livekit(fixture string) response {
	h.t.Helper()
	body := readFixture(h.t, "livekit/"+fixture)
	return h.post("/api/webhooks/livekit", body, "Content-Type", "application/webhook+json", "Authorization", livekitToken(h.t, lkSecret, body))
}

func (h *hookHarness) daily(fixture string) response {
	h.t.Helper()
	return h.dailyAt(readFixture(h.t, "daily/"+fixture), h.clock.Now())
}

func (h *hookHarness) dailyAt(body []byte, at time.Time) response {
	h.t.Helper()
	key, err := webhooks.DecodeDailySecret(dailySecret)
	require.NoError(h.t, err)
	ts := strconv.FormatInt(at.Unix(), 10)
	return h.post("/api/webhooks/daily", body, "Content-Type", "application/json",
		"X-Webhook-Timestamp", ts, "X-Webhook-Signature", webhooks.SignDaily(key, ts, body))
}

// active reads active_sessions_count from the dashboard's current view.
func (h *hookHarness) active() int {
	h.t.Helper()
	r := h.admin("/api/admin/metrics/current", h.monitor)
	require.Equal(h.t, http.StatusOK, r.Code, r.Body.String())
	return int(r.json(h.t)["active_sessions_count"].(float64))
}

func requireStatus(t *testing.T, r response, code int, status string) {
	t.Helper()
	require.Equal(t, code, r.Code, r.Body.String())
	if status != "" {
		assert.Equal(t, status, r.json(t)["status"], r.Body.String())
	}
}

func TestLiveKitFixturesMoveCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHookHarness(t, db)
		base := h.active()

		requireStatus(t, h.livekit("1-room_started.json"), http.StatusOK, "applied")
		assert.Equal(t, base+1, h.active(), "a start raises the count by one")
		requireStatus(t, h.livekit("1-room_started.json"), http.StatusOK, "duplicate")
		assert.Equal(t, base+1, h.active(), "a redelivery changes nothing")

		requireStatus(t, h.livekit("2-participant_joined.json"), http.StatusOK, "applied")
		requireStatus(t, h.livekit("3-participant_joined-avatar.json"), http.StatusOK, "applied")
		s := h.ingest(http.MethodGet, "/api/sessions/by-external/livekit/"+lkRoom, "")
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		assert.Equal(t, "beyond_presence", s.json(t)["provider"], "the avatar made it a Beyond Presence session")
		assert.Equal(t, "Mental Health", s.json(t)["category"], "from the room's metadata")
		assert.Equal(t, base+1, h.active())

		h.clock.Advance(20 * time.Minute)
		requireStatus(t, h.livekit("4-participant_left.json"), http.StatusOK, "applied")
		h.clock.Advance(20 * time.Minute)
		assert.Equal(t, base+1, h.active(), "the participant event kept it seen")

		body := readFixture(t, "livekit/5-room_finished.json")
		bad := h.post("/api/webhooks/livekit", body, "Authorization", livekitToken(t, "not-the-secret-not-the-secret-not-the", body))
		require.Equal(t, http.StatusUnauthorized, bad.Code)
		assert.Equal(t, pulse.EUNAUTHORIZED, bad.errorCode(t))
		assert.Equal(t, 1, h.refused(pulse.ProviderLiveKit), "the refusal is counted")
		assert.Equal(t, base+1, h.active(), "a bad signature changes nothing")

		requireStatus(t, h.livekit("5-room_finished.json"), http.StatusOK, "applied")
		assert.Equal(t, base, h.active(), "a finish lowers the count by one")
		requireStatus(t, h.livekit("5-room_finished.json"), http.StatusOK, "duplicate")
		requireStatus(t, h.livekit("1-room_started.json"), http.StatusOK, "duplicate")
		assert.Equal(t, base, h.active())
	})
}

func TestDailyFixturesMoveCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHookHarness(t, db)
		base := h.active()

		requireStatus(t, h.daily("1-meeting.started.json"), http.StatusOK, "applied")
		assert.Equal(t, base+1, h.active(), "a start raises the count by one")
		requireStatus(t, h.daily("1-meeting.started.json"), http.StatusOK, "duplicate")
		assert.Equal(t, base+1, h.active(), "a redelivery changes nothing")

		// Daily's documented participant.joined is in another room ("test").
		requireStatus(t, h.daily("2-participant.joined.json"), http.StatusOK, "no_session")
		assert.Equal(t, base+1, h.active())

		h.clock.Advance(25 * time.Minute)
		requireStatus(t, h.daily("3-participant.left.json"), http.StatusOK, "applied")
		h.clock.Advance(20 * time.Minute)
		assert.Equal(t, base+1, h.active(), "the participant event kept the meeting seen")

		ended := readFixture(t, "daily/4-meeting.ended.json")
		stale := h.dailyAt(ended, h.clock.Now().Add(-6*time.Minute))
		require.Equal(t, http.StatusUnauthorized, stale.Code)
		assert.Equal(t, 1, h.refused(pulse.ProviderDaily), "the refusal is counted")
		unsigned := h.post("/api/webhooks/daily", ended, "Content-Type", "application/json")
		require.Equal(t, http.StatusUnauthorized, unsigned.Code)
		assert.Equal(t, 2, h.refused(pulse.ProviderDaily))
		assert.Equal(t, base+1, h.active(), "a bad signature changes nothing")

		requireStatus(t, h.daily("4-meeting.ended.json"), http.StatusOK, "applied")
		assert.Equal(t, base, h.active(), "an end lowers the count by one")
		requireStatus(t, h.daily("4-meeting.ended.json"), http.StatusOK, "duplicate")
		assert.Equal(t, base, h.active())

		s := h.ingest(http.MethodGet, "/api/sessions/by-external/daily/"+dlRoom, "")
		require.Equal(t, http.StatusOK, s.Code, s.Body.String())
		assert.Equal(t, "General", s.json(t)["category"], "no rule places it: the default category")
		assert.NotContains(t, s.json(t), "quality_token", "an ended session gets no quality token")
	})
}

func TestWebhooksOutOfOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHookHarness(t, db)
		base := h.active()
		requireStatus(t, h.livekit("5-room_finished.json"), http.StatusOK, "applied")
		requireStatus(t, h.livekit("2-participant_joined.json"), http.StatusOK, "applied")
		requireStatus(t, h.livekit("1-room_started.json"), http.StatusOK, "applied")
		assert.Equal(t, base, h.active(), "the room ended: nothing after its end reopens it")

		requireStatus(t, h.daily("4-meeting.ended.json"), http.StatusOK, "applied")
		requireStatus(t, h.daily("1-meeting.started.json"), http.StatusOK, "applied")
		assert.Equal(t, base, h.active())
	})
}

func TestWebhookEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var logs bytes.Buffer
		h := newHookHarness(t, db, func(d *httpapi.Deps) {
			d.BodyLimit = "2K"
			d.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		t.Run("DailySetUpTestRequestIsAcknowledged", func(t *testing.T) {
			for _, body := range []string{`{"test":"test"}`, `ping`, `{"type":"recording.started","id":"x","payload":{}}`} {
				requireStatus(t, h.post("/api/webhooks/daily", []byte(body), "Content-Type", "application/json"), http.StatusOK, "ignored")
			}
			assert.Zero(t, h.refused(pulse.ProviderDaily), "an acknowledged test request is no refusal")
		})
		t.Run("UnknownLiveKitEventIgnored", func(t *testing.T) {
			body := []byte(`{"event":"track_published","room":{"sid":"RM_t","name":"t"},"id":"tp-1","createdAt":"1708526040"}`)
			requireStatus(t, h.post("/api/webhooks/livekit", body, "Authorization", livekitToken(t, lkSecret, body)), http.StatusOK, "ignored")
		})
		t.Run("LiveKitWithoutSignature", func(t *testing.T) {
			r := h.post("/api/webhooks/livekit", readFixture(t, "livekit/1-room_started.json"))
			require.Equal(t, http.StatusUnauthorized, r.Code)
			assert.Equal(t, 1, h.refused(pulse.ProviderLiveKit))
		})
		t.Run("BodyOverTheLimit", func(t *testing.T) {
			body := []byte(`{"type":"meeting.started","id":"big","payload":{"room":"` + strings.Repeat("x", 3000) + `"}}`)
			req := httptest.NewRequest(http.MethodPost, "/api/webhooks/daily", &chunked{r: bytes.NewReader(body)}) // no Content-Length: the reader hits the limit
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
			r := h.post("/api/webhooks/daily", body)
			assert.Equal(t, http.StatusRequestEntityTooLarge, r.Code, "with a Content-Length, refused up front")
		})
		t.Run("BodyNeverLogged", func(t *testing.T) {
			require.Equal(t, http.StatusOK, h.livekit("1-room_started.json").Code)
			require.Equal(t, http.StatusOK, h.daily("1-meeting.started.json").Code)
			body := readFixture(t, "livekit/5-room_finished.json")
			require.Equal(t, http.StatusUnauthorized, h.post("/api/webhooks/livekit", body, "Authorization", livekitToken(t, "wrong-wrong-wrong-wrong-wrong-wrong", body)).Code)
			require.Equal(t, http.StatusUnauthorized, h.dailyAt(readFixture(t, "daily/4-meeting.ended.json"), h.clock.Now().Add(time.Hour)).Code)
			require.Contains(t, logs.String(), "webhook refused", "the refusals are logged")
			for _, s := range []string{"counseling-7f3a", "TrPmUX1DzjSwDaAFDfNj", "Mental Health", dlRoom, lkRoom} {
				assert.NotContains(t, logs.String(), s)
			}
		})
	})
}

// chunked hides the body's length from httptest, as a chunked upload does.
type chunked struct{ r *bytes.Reader }

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestWebhooksNotConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		for _, p := range []string{"livekit", "daily"} {
			r := h.do(http.MethodPost, "/api/webhooks/"+p, `{"type":"meeting.started"}`)
			require.Equal(t, http.StatusNotFound, r.Code)
			assert.Equal(t, pulse.ENOTFOUND, r.errorCode(t))
		}
	})
}

// TestLiveKitNotifierIsAccepted sends through LiveKit's own notifier, the
// code a LiveKit server runs, to a real listener in front of Pulse.
func TestLiveKitNotifierIsAccepted(t *testing.T) {
	db, _ := storetest.MustOpenSQLite(t)
	h := newHookHarness(t, db)
	srv := httptest.NewServer(h.srv)
	defer srv.Close()

	lkwebhook.InitWebhookStats(nil) // the notifier's own metrics, which a LiveKit server sets up
	cfg := lkwebhook.DefaultWebHookConfig
	cfg.URLs, cfg.APIKey = []string{srv.URL + "/api/webhooks/livekit"}, lkKey
	n, err := lkwebhook.NewDefaultNotifier(cfg, lkauth.NewSimpleKeyProvider(lkKey, lkSecret))
	require.NoError(t, err)
	sent := make(chan *livekit.WebhookInfo, 1)
	n.RegisterProcessedHook(func(_ context.Context, info *livekit.WebhookInfo) { sent <- info })

	var ev livekit.WebhookEvent
	require.NoError(t, protojson.Unmarshal(readFixture(t, "livekit/1-room_started.json"), &ev))
	base := h.active()
	require.NoError(t, n.QueueNotify(context.Background(), &ev))
	select {
	case info := <-sent:
		assert.Empty(t, info.GetSendError())
		assert.False(t, info.GetIsDropped())
	case <-time.After(10 * time.Second):
		t.Fatal("LiveKit's notifier did not deliver")
	}
	n.Stop(false)
	assert.Equal(t, base+1, h.active())
}
