package providers

import (
	"net/url"
	"strings"
	"time"

	"pulse/internal/pulse"
)

// Defaults applied by Config.WithDefaults to zero fields.
const (
	DefaultDailyAPIURL      = "https://api.daily.co/v1"
	DefaultBeyAPIURL        = "https://api.bey.dev/v1"
	DefaultCheckInterval    = 30 * time.Second
	DefaultCheckTimeout     = 5 * time.Second
	DefaultSlowThreshold    = time.Second
	DefaultDownAfter        = 3
	DefaultFlapWindow       = 10
	DefaultFlapChanges      = 4
	DefaultHistoryRetention = 30 * 24 * time.Hour
)

// Config is what the checker is told by the operator. Zero values mean "use
// the default" (see WithDefaults); secrets are only ever sent to their own
// provider, never logged nor put in a detail.
//
// A provider is configured, and so checked, when:
//   - Daily.co: DailyAPIKey is set (DailyAPIURL has a default);
//   - LiveKit: LiveKitURL is set (the API key and secret are optional and,
//     when both are set, also prove the credentials with ListRooms);
//   - Beyond Presence: BeyAPIKey is set (BeyAPIURL has a default).
//
// Any other provider is reported as unconfigured and never called.
type Config struct {
	DailyAPIURL string // default DefaultDailyAPIURL
	DailyAPIKey string // sent as "Authorization: Bearer"

	LiveKitURL       string // http(s):// or ws(s)://; ws is checked over http
	LiveKitAPIKey    string // the JWT issuer
	LiveKitAPISecret string // signs the JWT (HS256)

	BeyAPIURL string // default DefaultBeyAPIURL
	BeyAPIKey string // sent as "x-api-key"

	CheckInterval time.Duration // time between rounds; default 30s
	CheckTimeout  time.Duration // limit of one provider's check; default 5s
	SlowThreshold time.Duration // a 2xx slower than this is degraded; default 1s
	// DownAfter is how many consecutive failures (5xx, timeout, connection
	// error) make a provider down; fewer are degraded. Default 3.
	DownAfter int
	// FlapWindow and FlapChanges: a provider whose status changed FlapChanges
	// times over its last FlapWindow checks is degraded even when the latest
	// check passed. Defaults 10 and 4.
	FlapWindow  int
	FlapChanges int
	// HistoryRetention is how long checks are kept in the store; default 30 days.
	HistoryRetention time.Duration
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	c.DailyAPIURL = orDefault(c.DailyAPIURL, DefaultDailyAPIURL)
	c.BeyAPIURL = orDefault(c.BeyAPIURL, DefaultBeyAPIURL)
	c.CheckInterval = orDefault(c.CheckInterval, DefaultCheckInterval)
	c.CheckTimeout = orDefault(c.CheckTimeout, DefaultCheckTimeout)
	c.SlowThreshold = orDefault(c.SlowThreshold, DefaultSlowThreshold)
	c.DownAfter = orDefault(c.DownAfter, DefaultDownAfter)
	c.FlapWindow = orDefault(c.FlapWindow, DefaultFlapWindow)
	c.FlapChanges = orDefault(c.FlapChanges, DefaultFlapChanges)
	c.HistoryRetention = orDefault(c.HistoryRetention, DefaultHistoryRetention)
	return c
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Configured reports whether the operator set the provider up (see Config).
func (c Config) Configured(id pulse.Provider) bool {
	switch id {
	case pulse.ProviderDaily:
		return c.DailyAPIKey != ""
	case pulse.ProviderLiveKit:
		return c.LiveKitURL != ""
	case pulse.ProviderBeyondPresence:
		return c.BeyAPIKey != ""
	}
	return false
}

// Validate reports the first setting that cannot work, as an EINVALID error
// naming the field (never its value, which may hold a secret).
func (c Config) Validate() error {
	c = c.WithDefaults()
	for _, u := range []struct {
		field, value string
		schemes      []string
	}{
		{"DailyAPIURL", c.DailyAPIURL, []string{"http", "https"}},
		{"LiveKitURL", c.LiveKitURL, []string{"http", "https", "ws", "wss"}},
		{"BeyAPIURL", c.BeyAPIURL, []string{"http", "https"}},
	} {
		if u.value != "" && !validURL(u.value, u.schemes) {
			return pulse.Errorf(pulse.EINVALID, "%s must be an absolute %s URL", u.field, strings.Join(u.schemes, "/"))
		}
	}
	if (c.LiveKitAPIKey == "") != (c.LiveKitAPISecret == "") {
		return pulse.Errorf(pulse.EINVALID, "LiveKitAPIKey and LiveKitAPISecret must be set together")
	}
	if c.LiveKitAPIKey != "" && c.LiveKitURL == "" {
		return pulse.Errorf(pulse.EINVALID, "LiveKitAPIKey is set but LiveKitURL is empty")
	}
	switch {
	case c.CheckInterval < 0, c.CheckTimeout < 0, c.SlowThreshold < 0, c.HistoryRetention < 0:
		return pulse.Errorf(pulse.EINVALID, "check durations must be positive")
	case c.DownAfter < 0, c.FlapWindow < 0, c.FlapChanges < 0:
		return pulse.Errorf(pulse.EINVALID, "DownAfter, FlapWindow and FlapChanges must be positive")
	}
	return nil
}

func validURL(raw string, schemes []string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return true
		}
	}
	return false
}

// Rules returns the status rules the config describes.
func (c Config) Rules() Rules {
	c = c.WithDefaults()
	return Rules{
		SlowThreshold: c.SlowThreshold,
		DownAfter:     c.DownAfter,
		FlapWindow:    c.FlapWindow,
		FlapChanges:   c.FlapChanges,
	}
}
