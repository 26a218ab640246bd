package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"pulse/internal/pulse"
)

// Slack posts {"text": …} to a Slack-compatible incoming webhook; Slack,
// Mattermost and Rocket.Chat all render the text field.
type Slack struct {
	url    string
	client *http.Client
}

// NewSlack returns the "slack" channel; client nil means a client of its own.
func NewSlack(url string, client *http.Client) *Slack {
	return &Slack{url: strings.TrimSpace(url), client: noRedirects(client)}
}

// Channel implements pulse.Notifier.
func (s *Slack) Channel() string { return "slack" }

// Notify implements pulse.Notifier.
func (s *Slack) Notify(ctx context.Context, n pulse.Notification) error {
	body, err := json.Marshal(map[string]string{"text": n.Text()})
	if err != nil {
		return err
	}
	return post(ctx, s.client, s.url, body, nil)
}
