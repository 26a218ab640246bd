package providers

import (
	"net/url"
	"strings"
	"time"

	"pulse/internal/pulse"
)

// Config is what the checker is told by the operator. Every field is taken as
// given: the defaults live in the configuration (internal/config). Secrets are
// only ever sent to their own provider, never logged nor put in a detail.
//
// A provider is configured, and so checked, when:
//   - Daily.co: DailyAPIKey is set;
//   - LiveKit: LiveKitURL is set (the API key and secret are optional and,
//     when both are set, also prove the credentials with ListRooms);
//   - Beyond Presence: BeyAPIKey is set.
//
// Any other provider is reported as unconfigured and never called.
type Config struct {
	DailyAPIURL string
	DailyAPIKey string // sent as "Authorization: Bearer"

	LiveKitURL       string // http(s):// or ws(s)://; ws is checked over http
	LiveKitAPIKey    string // the JWT issuer
	LiveKitAPISecret string // signs the JWT (HS256)

	BeyAPIURL string
	BeyAPIKey string // sent as "x-api-key"

	// DailyStatusURL and LiveKitStatusURL are the providers' Atlassian
	// Statuspage summary.json; "" reads none. A page is read only while its
	// provider is configured.
	DailyStatusURL   string
	LiveKitStatusURL string

	// StandIns marks the providers whose URLs point at local stand-ins
	// (`pulse demo`); their health says so.
	StandIns map[pulse.Provider]bool

	CheckInterval time.Duration // time between rounds
	CheckTimeout  time.Duration // limit of one provider's check
	SlowThreshold time.Duration // a 2xx slower than this is degraded
	// DownAfter is how many consecutive failures (5xx, timeout, connection
	// error) make a provider down; fewer are degraded.
	DownAfter int
	// FlapWindow and FlapChanges: a provider whose status changed FlapChanges
	// times over its last FlapWindow checks is degraded even when the latest
	// check passed.
	FlapWindow  int
	FlapChanges int
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
	for _, u := range []struct {
		field, value string
		used         bool // the provider is configured, so the URL is needed
		schemes      []string
	}{
		{"DailyAPIURL", c.DailyAPIURL, c.DailyAPIKey != "", []string{"http", "https"}},
		{"LiveKitURL", c.LiveKitURL, c.LiveKitURL != "", []string{"http", "https", "ws", "wss"}},
		{"BeyAPIURL", c.BeyAPIURL, c.BeyAPIKey != "", []string{"http", "https"}},
		{"DailyStatusURL", c.DailyStatusURL, false, []string{"http", "https"}},
		{"LiveKitStatusURL", c.LiveKitStatusURL, false, []string{"http", "https"}},
	} {
		if (u.used || u.value != "") && !validURL(u.value, u.schemes) {
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
	case c.CheckInterval <= 0, c.CheckTimeout <= 0, c.SlowThreshold <= 0:
		return pulse.Errorf(pulse.EINVALID, "check durations must be positive")
	case c.DownAfter <= 0, c.FlapWindow <= 0, c.FlapChanges <= 0:
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

// StatusURL is the status page read for a configured provider; "" when
// none is read (not set, the provider not configured, or it has none).
func (c Config) StatusURL(id pulse.Provider) string {
	if !c.Configured(id) {
		return ""
	}
	switch id {
	case pulse.ProviderDaily:
		return c.DailyStatusURL
	case pulse.ProviderLiveKit:
		return c.LiveKitStatusURL
	}
	return ""
}

// Rules returns the status rules the config describes.
func (c Config) Rules() Rules {
	return Rules{
		SlowThreshold: c.SlowThreshold,
		DownAfter:     c.DownAfter,
		FlapWindow:    c.FlapWindow,
		FlapChanges:   c.FlapChanges,
	}
}
