package providers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestConfigConfigured(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want map[pulse.Provider]bool
	}{
		{"Nothing", Config{}, map[pulse.Provider]bool{}},
		{"URLsAloneAreNotConfigured", Config{DailyAPIURL: "https://api.daily.co/v1", BeyAPIURL: "https://api.bey.dev/v1"}, map[pulse.Provider]bool{}},
		{"DailyKey", Config{DailyAPIKey: "k"}, map[pulse.Provider]bool{pulse.ProviderDaily: true}},
		{"DailyURLWithoutKey", Config{DailyAPIURL: "http://daily.test"}, map[pulse.Provider]bool{}},
		{"LiveKitURLWithoutKeys", Config{LiveKitURL: "wss://lk.test"}, map[pulse.Provider]bool{pulse.ProviderLiveKit: true}},
		{"BeyKey", Config{BeyAPIKey: "k"}, map[pulse.Provider]bool{pulse.ProviderBeyondPresence: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, id := range pulse.Providers {
				assert.Equal(t, tt.want[id], tt.cfg.Configured(id), id)
			}
		})
	}
}

func TestConfigStatusURL(t *testing.T) {
	pages := Config{DailyStatusURL: "https://status.daily.test/s.json", LiveKitStatusURL: "https://status.livekit.test/s.json"}
	tests := []struct {
		name string
		cfg  Config
		want map[pulse.Provider]string
	}{
		{"ProvidersNotConfiguredReadNoPage", pages, map[pulse.Provider]string{}},
		{"ConfiguredProvidersReadTheirPage", func() Config {
			c := pages
			c.DailyAPIKey, c.LiveKitURL, c.BeyAPIKey = "k", "wss://lk.test", "k"
			return c
		}(),
			map[pulse.Provider]string{pulse.ProviderDaily: pages.DailyStatusURL, pulse.ProviderLiveKit: pages.LiveKitStatusURL}},
		{"EmptyIsOff", Config{DailyAPIKey: "k", LiveKitURL: "wss://lk.test"}, map[pulse.Provider]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, id := range pulse.Providers {
				assert.Equal(t, tt.want[id], tt.cfg.StatusURL(id), id)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" when valid
	}{
		{"Empty", testTimings(Config{}), ""},
		{"Full", testTimings(Config{DailyAPIURL: "https://api.daily.co/v1", DailyAPIKey: "k", LiveKitURL: "wss://lk.test", LiveKitAPIKey: "k", LiveKitAPISecret: "s",
			BeyAPIURL: "https://api.bey.dev/v1", BeyAPIKey: "k"}), ""},
		{"LiveKitHTTP", testTimings(Config{LiveKitURL: "http://localhost:7880"}), ""},
		{"RelativeURL", testTimings(Config{DailyAPIURL: "api.daily.co/v1"}), "DailyAPIURL must be an absolute http/https URL"},
		{"KeyWithoutURL", testTimings(Config{DailyAPIKey: "k"}), "DailyAPIURL must be an absolute http/https URL"},
		{"WebSocketBeyURL", testTimings(Config{BeyAPIURL: "wss://api.bey.dev"}), "BeyAPIURL must be an absolute http/https URL"},
		{"LiveKitFTP", testTimings(Config{LiveKitURL: "ftp://lk.test"}), "LiveKitURL must be an absolute http/https/ws/wss URL"},
		{"LiveKitKeyWithoutSecret", testTimings(Config{LiveKitURL: "wss://lk.test", LiveKitAPIKey: "k"}), "LiveKitAPIKey and LiveKitAPISecret must be set together"},
		{"LiveKitKeysWithoutURL", testTimings(Config{LiveKitAPIKey: "k", LiveKitAPISecret: "s"}), "LiveKitAPIKey is set but LiveKitURL is empty"},
		{"StatusPages", testTimings(Config{DailyStatusURL: "https://status.daily.co/api/v2/summary.json", LiveKitStatusURL: "http://127.0.0.1:9/summary.json"}), ""},
		{"StatusPageWebSocket", testTimings(Config{LiveKitStatusURL: "wss://status.livekit.io"}), "LiveKitStatusURL must be an absolute http/https URL"},
		{"StatusPageRelative", testTimings(Config{DailyStatusURL: "status.daily.co"}), "DailyStatusURL must be an absolute http/https URL"},
		{"NegativeTimeout", func() Config { c := testTimings(Config{}); c.CheckTimeout = -time.Second; return c }(), "check durations must be positive"},
		{"ZeroInterval", func() Config { c := testTimings(Config{}); c.CheckInterval = 0; return c }(), "check durations must be positive"},
		{"ZeroDownAfter", func() Config { c := testTimings(Config{}); c.DownAfter = 0; return c }(), "DownAfter, FlapWindow and FlapChanges must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
			assert.Equal(t, tt.wantErr, pulse.ErrorMessage(err))
		})
	}

	t.Run("MessageHidesValues", func(t *testing.T) {
		err := testTimings(Config{DailyAPIURL: "://" + testDailyKey}).Validate()
		require.Error(t, err)
		assert.NotContains(t, pulse.ErrorMessage(err), testDailyKey)
	})
}

func TestNew(t *testing.T) {
	t.Run("InvalidConfig", func(t *testing.T) {
		_, err := New(Config{LiveKitAPIKey: "k"}, Deps{Store: &memStore{}})
		assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
	})
	t.Run("StoreRequired", func(t *testing.T) {
		_, err := New(testTimings(Config{}), Deps{})
		assert.Error(t, err)
	})
}
