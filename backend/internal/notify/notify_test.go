package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/notify"
	"pulse/internal/notify/notifytest"
	"pulse/internal/pulse"
)

var opened = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func notification(kind pulse.EventKind) pulse.Notification {
	n := pulse.Notification{IncidentID: 7, EventID: 21, Rule: pulse.ProviderRule(pulse.ProviderLiveKit), Severity: pulse.SeverityCritical,
		Kind: kind, Summary: "LiveKit API: LiveKit down: connection refused", Reasons: []string{"LiveKit down: connection refused"},
		OpenedAt: opened, DashboardURL: "https://pulse.example.org/admin/dashboard"}
	if kind == pulse.EventResolved {
		n.ResolvedAt = opened.Add(12 * time.Minute)
	}
	return n
}

// verify is what a receiver does with X-Pulse-Signature.
func verify(secret string, body []byte, header string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

func TestWebhook(t *testing.T) {
	rcv := notifytest.NewReceiver(t)
	w := notify.NewWebhook("webhook:1", rcv.URL, "hook-secret", nil)
	assert.Equal(t, "webhook:1", w.Channel())
	require.NoError(t, w.Notify(context.Background(), notification(pulse.EventOpened)))
	require.NoError(t, w.Notify(context.Background(), notification(pulse.EventResolved)))
	reqs := rcv.Requests()
	require.Len(t, reqs, 2)

	t.Run("BodyHasEveryField", func(t *testing.T) {
		var got map[string]any
		require.NoError(t, json.Unmarshal(reqs[0].Body, &got))
		assert.Equal(t, map[string]any{
			"incident_id": 7.0, "event_id": 21.0, "recorded": true, "rule": "provider:livekit", "rule_name": "LiveKit API", "severity": "critical",
			"status": "open", "reminder": false, "summary": "LiveKit API: LiveKit down: connection refused",
			"reasons": []any{"LiveKit down: connection refused"}, "opened_at": "2026-11-26T03:00:00Z", "resolved_at": nil,
			"dashboard_url": "https://pulse.example.org/admin/dashboard",
		}, got)
		assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	})
	t.Run("ResolvedCarriesItsEnd", func(t *testing.T) {
		var got notify.WebhookBody
		require.NoError(t, json.Unmarshal(reqs[1].Body, &got))
		assert.Equal(t, "resolved", got.Status)
		require.NotNil(t, got.ResolvedAt)
		assert.Equal(t, "2026-11-26T03:12:00Z", *got.ResolvedAt)
	})
	t.Run("SignatureVerifiesWithTheSecret", func(t *testing.T) {
		sig := reqs[0].Header.Get(notify.SignatureHeader)
		assert.True(t, strings.HasPrefix(sig, "sha256="))
		assert.True(t, verify("hook-secret", reqs[0].Body, sig))
		assert.False(t, verify("other-secret", reqs[0].Body, sig))
		assert.False(t, verify("hook-secret", append(reqs[0].Body, ' '), sig), "a changed body fails")
	})
	t.Run("NoSecretNoSignature", func(t *testing.T) {
		rcv := notifytest.NewReceiver(t)
		require.NoError(t, notify.NewWebhook("webhook:2", rcv.URL, "", nil).Notify(context.Background(), notification(pulse.EventOpened)))
		assert.Empty(t, rcv.Requests()[0].Header.Get(notify.SignatureHeader))
	})
	t.Run("ReceiverErrorIsAnError", func(t *testing.T) {
		rcv := notifytest.NewReceiver(t)
		rcv.Answer(func(int) int { return http.StatusInternalServerError })
		err := notify.NewWebhook("webhook:1", rcv.URL, "", nil).Notify(context.Background(), notification(pulse.EventOpened))
		assert.EqualError(t, err, "HTTP 500: receiver says no")
	})
	t.Run("RedirectIsNotFollowed", func(t *testing.T) {
		rcv := notifytest.NewReceiver(t)
		rcv.Answer(func(int) int { return http.StatusFound })
		err := notify.NewWebhook("webhook:1", rcv.URL, "", nil).Notify(context.Background(), notification(pulse.EventOpened))
		assert.ErrorContains(t, err, "HTTP 302")
	})
	t.Run("UnreachableNamesTheHostOnly", func(t *testing.T) {
		rcv := notifytest.NewReceiver(t)
		url := rcv.URL + "/services/T000/B000/token-in-the-path"
		rcv.Close()
		err := notify.NewWebhook("webhook:1", url, "", nil).Notify(context.Background(), notification(pulse.EventOpened))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "token-in-the-path")
	})
}

func TestSlack(t *testing.T) {
	rcv := notifytest.NewReceiver(t)
	s := notify.NewSlack(rcv.URL, nil)
	assert.Equal(t, "slack", s.Channel())
	require.NoError(t, s.Notify(context.Background(), notification(pulse.EventEscalated)))
	var got map[string]string
	require.NoError(t, json.Unmarshal(rcv.Requests()[0].Body, &got))
	assert.Equal(t, []string{"text"}, keys(got))
	assert.True(t, strings.HasPrefix(got["text"], "[critical, escalated] LiveKit API: LiveKit down: connection refused\n"), got["text"])
	assert.Contains(t, got["text"], "incident #7")
	assert.Contains(t, got["text"], "https://pulse.example.org/admin/dashboard")
}

func keys(m map[string]string) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSMTP(t *testing.T) {
	srv := notifytest.NewSMTPServer(t)
	m, err := notify.NewSMTP(srv.URL(), "pulse@example.org", []string{"oncall@example.org", " ops@example.org"})
	require.NoError(t, err)
	assert.Equal(t, "email", m.Channel())
	require.NoError(t, m.Notify(context.Background(), notification(pulse.EventResolved)))
	mails := srv.Mails()
	require.Len(t, mails, 1)
	got := mails[0]

	t.Run("AuthenticatedAndAddressed", func(t *testing.T) {
		assert.Equal(t, "alerts", got.User)
		assert.Equal(t, "pulse@example.org", got.From)
		assert.Equal(t, []string{"oncall@example.org", "ops@example.org"}, got.To)
	})
	t.Run("SubjectAndText", func(t *testing.T) {
		data := string(got.Data)
		assert.Contains(t, data, "Subject: Pulse [resolved] LiveKit API: back to normal\r\n")
		assert.Contains(t, data, "X-Pulse-Status: resolved\r\n")
		assert.Contains(t, data, "resolved 2026-11-26T03:12:00Z after 12m0s")
		assert.Contains(t, data, "- LiveKit down: connection refused")
	})
	t.Run("WrongPasswordIsAnError", func(t *testing.T) {
		bad, err := notify.NewSMTP("smtp://alerts:wrong@"+srv.Addr, "pulse@example.org", []string{"oncall@example.org"})
		require.NoError(t, err)
		assert.Error(t, bad.Notify(context.Background(), notification(pulse.EventOpened)))
		assert.Len(t, srv.Mails(), 1)
	})
	t.Run("BadURLRefused", func(t *testing.T) {
		_, err := notify.NewSMTP("http://mail.example.org", "pulse@example.org", []string{"a@example.org"})
		assert.Error(t, err)
	})
}

// databaseDown is what the evaluator sends while Pulse's own database is
// unreachable: nothing behind it is stored.
func databaseDown(kind pulse.EventKind) pulse.Notification {
	n := pulse.Notification{Rule: pulse.RuleDatabase, Severity: pulse.SeverityCritical, Kind: kind, Unrecorded: true,
		Summary: "Pulse cannot reach its database (replica pulse-1) since 2026-11-26T03:00:00Z",
		Reasons: []string{"ping: connection refused"}, OpenedAt: opened}
	if kind == pulse.EventResolved {
		n.ResolvedAt = opened.Add(4 * time.Minute)
	}
	return n
}

func TestUnrecordedNotification(t *testing.T) {
	t.Run("WebhookHasNullIdsAndRecordedFalse", func(t *testing.T) {
		rcv := notifytest.NewReceiver(t)
		require.NoError(t, notify.NewWebhook("webhook:1", rcv.URL, "", nil).Notify(context.Background(), databaseDown(pulse.EventOpened)))
		var got map[string]any
		require.NoError(t, json.Unmarshal(rcv.Requests()[0].Body, &got))
		assert.Equal(t, map[string]any{
			"incident_id": nil, "event_id": nil, "recorded": false, "rule": "database", "rule_name": "Database reachability",
			"severity": "critical", "status": "open", "reminder": false,
			"summary":   "Pulse cannot reach its database (replica pulse-1) since 2026-11-26T03:00:00Z",
			"reasons":   []any{"ping: connection refused"},
			"opened_at": "2026-11-26T03:00:00Z", "resolved_at": nil,
		}, got)
	})
	t.Run("TextNamesNoIncident", func(t *testing.T) {
		text := databaseDown(pulse.EventOpened).Text()
		assert.Contains(t, text, "not recorded (the database is unreachable), since 2026-11-26T03:00:00Z")
		assert.NotContains(t, text, "incident #")
	})
	t.Run("MailsOfOneOutageHaveDistinctIds", func(t *testing.T) {
		srv := notifytest.NewSMTPServer(t)
		m, err := notify.NewSMTP(srv.URL(), "pulse@example.org", []string{"oncall@example.org"})
		require.NoError(t, err)
		require.NoError(t, m.Notify(context.Background(), databaseDown(pulse.EventOpened)))
		require.NoError(t, m.Notify(context.Background(), databaseDown(pulse.EventResolved)))
		mails := srv.Mails()
		require.Len(t, mails, 2)
		open, resolved := string(mails[0].Data), string(mails[1].Data)
		assert.Contains(t, open, "Message-ID: <pulse-unrecorded-database-1795662000-open@pulse>\r\n")
		assert.Contains(t, resolved, "Message-ID: <pulse-unrecorded-database-1795662000-resolved@pulse>\r\n")
		assert.NotContains(t, open, "X-Pulse-Incident")
	})
}

// An error from the HTTP client names the receiver's scheme and host only:
// neither the password nor a token in the path (Slack's /services/…).
func TestErrorsKeepTheURLSecret(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens: connection refused
	urls := []string{
		"http://hookuser:hookpass@" + addr + "/services/T000/B000/PATHSECRET?token=QUERYSECRET",
		"http://hookuser:hookpass@" + addr + "/./services/../services/T000/PATHSECRET", // dot segments
		"http://hookuser:hookpass@" + addr + "/services/PATHSECRET/%zz",                // does not parse: the parse error quotes it
	}
	for _, u := range urls {
		for _, n := range []pulse.Notifier{notify.NewWebhook("webhook:1", u, "", nil), notify.NewSlack(u, nil)} {
			err := n.Notify(context.Background(), notification(pulse.EventOpened))
			require.Error(t, err)
			msg := err.Error()
			for _, secret := range []string{"PATHSECRET", "QUERYSECRET", "hookpass", "hookuser", "services"} {
				assert.NotContains(t, msg, secret, "%s: %s", n.Channel(), msg)
			}
			assert.Contains(t, msg, addr)
		}
	}
}
