package providers

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestConfigWithDefaults(t *testing.T) {
	t.Run("ZeroGetsDefaults", func(t *testing.T) {
		c := Config{}.WithDefaults()
		assert.Equal(t, "https://api.daily.co/v1", c.DailyAPIURL)
		assert.Equal(t, "https://api.bey.dev/v1", c.BeyAPIURL)
		assert.Equal(t, "", c.LiveKitURL)
		assert.Equal(t, 30*time.Second, c.CheckInterval)
		assert.Equal(t, 5*time.Second, c.CheckTimeout)
		assert.Equal(t, time.Second, c.SlowThreshold)
		assert.Equal(t, 3, c.DownAfter)
		assert.Equal(t, 10, c.FlapWindow)
		assert.Equal(t, 4, c.FlapChanges)
		assert.Equal(t, 30*24*time.Hour, c.HistoryRetention)
	})
	t.Run("SetValuesKept", func(t *testing.T) {
		c := Config{DailyAPIURL: "http://daily.test", CheckInterval: time.Minute, DownAfter: 5}.WithDefaults()
		assert.Equal(t, "http://daily.test", c.DailyAPIURL)
		assert.Equal(t, time.Minute, c.CheckInterval)
		assert.Equal(t, 5, c.DownAfter)
	})
}

func TestConfigConfigured(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want map[pulse.Provider]bool
	}{
		{"Nothing", Config{}, map[pulse.Provider]bool{}},
		{"DefaultURLsAloneAreNotConfigured", Config{}.WithDefaults(), map[pulse.Provider]bool{}},
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

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" when valid
	}{
		{"Empty", Config{}, ""},
		{"Full", Config{DailyAPIKey: "k", LiveKitURL: "wss://lk.test", LiveKitAPIKey: "k", LiveKitAPISecret: "s", BeyAPIKey: "k"}, ""},
		{"LiveKitHTTP", Config{LiveKitURL: "http://localhost:7880"}, ""},
		{"RelativeURL", Config{DailyAPIURL: "api.daily.co/v1"}, "DailyAPIURL must be an absolute http/https URL"},
		{"WebSocketBeyURL", Config{BeyAPIURL: "wss://api.bey.dev"}, "BeyAPIURL must be an absolute http/https URL"},
		{"LiveKitFTP", Config{LiveKitURL: "ftp://lk.test"}, "LiveKitURL must be an absolute http/https/ws/wss URL"},
		{"LiveKitKeyWithoutSecret", Config{LiveKitURL: "wss://lk.test", LiveKitAPIKey: "k"}, "LiveKitAPIKey and LiveKitAPISecret must be set together"},
		{"LiveKitKeysWithoutURL", Config{LiveKitAPIKey: "k", LiveKitAPISecret: "s"}, "LiveKitAPIKey is set but LiveKitURL is empty"},
		{"NegativeTimeout", Config{CheckTimeout: -time.Second}, "check durations must be positive"},
		{"NegativeDownAfter", Config{DownAfter: -1}, "DownAfter, FlapWindow and FlapChanges must be positive"},
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
		err := Config{DailyAPIURL: "://" + testDailyKey}.Validate()
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
		_, err := New(Config{}, Deps{})
		assert.Error(t, err)
	})
}
