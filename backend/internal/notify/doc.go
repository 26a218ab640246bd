// Package notify holds the alert channels, each an adapter named after what
// it wraps and implementing pulse.Notifier: a generic JSON webhook signed
// with HMAC-SHA256 (Webhook), a Slack-compatible incoming webhook (Slack:
// Slack, Mattermost and Rocket.Chat render its "text"), and e-mail over SMTP
// (SMTP, with net/smtp). Each sends once per call; the alert evaluator
// retries.
package notify
