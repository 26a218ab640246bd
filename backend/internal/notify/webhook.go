package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"pulse/internal/pulse"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the request
// body under PULSE_ALERT_WEBHOOK_SECRET.
const SignatureHeader = "X-Pulse-Signature"

// WebhookBody is the generic webhook's JSON body.
type WebhookBody struct {
	// IncidentID and EventID are null, and Recorded false, on a notification
	// sent while Pulse's own database is unreachable: nothing was stored,
	// and 0 would read as an id (a receiver dropping repeated event ids
	// would drop that outage's resolve).
	IncidentID *int64   `json:"incident_id"`
	EventID    *int64   `json:"event_id"`
	Recorded   bool     `json:"recorded"`
	Rule       string   `json:"rule"`
	RuleName   string   `json:"rule_name"`
	Severity   string   `json:"severity"`
	Status     string   `json:"status"` // open, escalated, resolved
	Reminder   bool     `json:"reminder"`
	Summary    string   `json:"summary"`
	Reasons    []string `json:"reasons"`
	OpenedAt   string   `json:"opened_at"`
	// ResolvedAt is null until the incident is resolved.
	ResolvedAt   *string `json:"resolved_at"`
	DashboardURL string  `json:"dashboard_url,omitempty"`
}

// BodyOf is the webhook body of a notification.
func BodyOf(n pulse.Notification) WebhookBody {
	b := WebhookBody{Rule: string(n.Rule), RuleName: n.Rule.Name(),
		Severity: string(n.Severity), Status: n.Status(), Reminder: n.Reminder(), Summary: n.Summary,
		Reasons: n.Reasons, OpenedAt: n.OpenedAt.UTC().Format(time.RFC3339), DashboardURL: n.DashboardURL}
	if !n.Unrecorded {
		b.IncidentID, b.EventID, b.Recorded = &n.IncidentID, &n.EventID, true
	}
	if b.Reasons == nil {
		b.Reasons = []string{}
	}
	if !n.ResolvedAt.IsZero() {
		r := n.ResolvedAt.UTC().Format(time.RFC3339)
		b.ResolvedAt = &r
	}
	return b
}

// Sign is the X-Pulse-Signature value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhook posts WebhookBody as JSON to one URL, signed when a secret is set.
type Webhook struct {
	channel string
	url     string
	secret  []byte
	client  *http.Client
}

// NewWebhook returns the channel named channel (e.g. "webhook:1"). client
// nil means a client of its own; redirects are never followed.
func NewWebhook(channel, url, secret string, client *http.Client) *Webhook {
	return &Webhook{channel: channel, url: strings.TrimSpace(url), secret: []byte(secret), client: noRedirects(client)}
}

// Channel implements pulse.Notifier.
func (w *Webhook) Channel() string { return w.channel }

// Notify implements pulse.Notifier.
func (w *Webhook) Notify(ctx context.Context, n pulse.Notification) error {
	body, err := json.Marshal(BodyOf(n))
	if err != nil {
		return err
	}
	headers := map[string]string{}
	if len(w.secret) > 0 {
		headers[SignatureHeader] = Sign(w.secret, body)
	}
	return post(ctx, w.client, w.url, body, headers)
}

// noRedirects copies client (or makes one) so that a redirect is an error:
// a webhook URL is a credential that must not travel to another host.
func noRedirects(client *http.Client) *http.Client {
	c := &http.Client{}
	if client != nil {
		copied := *client
		c = &copied
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// post sends a JSON body; anything but a 2xx answer is an error naming the
// status and the start of the answer.
func post(ctx context.Context, client *http.Client, rawURL string, body []byte, headers map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return scrub(err, rawURL) // a parse error quotes the whole URL
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Pulse-Alerts/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return scrub(err, rawURL)
	}
	defer func() { _ = res.Body.Close() }()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		if s := strings.TrimSpace(string(answer)); s != "" {
			return fmt.Errorf("HTTP %d: %s", res.StatusCode, s)
		}
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}

// scrub keeps a URL (which may hold a token, as Slack's do, or a password)
// out of an error that is stored and shown: only its scheme and host
// remain. http.Client's errors are *url.Error carrying the URL with the
// password masked but the path whole, or normalised, so the URL in them is
// replaced before formatting; the configured text is replaced as well, for
// any other error that quotes it.
func scrub(err error, rawURL string) error {
	msg := err.Error()
	if ue, ok := errors.AsType[*url.Error](err); ok {
		short := *ue
		short.URL = schemeHost(ue.URL)
		msg = short.Error()
	}
	if host := hostOf(rawURL); host != "" {
		msg = strings.ReplaceAll(msg, rawURL, host)
	}
	return errors.New(msg)
}

// schemeHost is scheme://host of a URL, without user, path or query.
func schemeHost(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return hostOf(raw)
}

func hostOf(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	return s
}
