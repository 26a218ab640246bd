package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"pulse/internal/demo"
	"pulse/internal/pulse"
)

func TestDemoBanner(t *testing.T) {
	const note = "Prometheus never saw it"
	t.Run("ReplayedHistoryIsNotLiveTraffic", func(t *testing.T) {
		b := demoBanner("http://127.0.0.1:8080", "pk_x", "  Provider cards: local demo stand-ins of LiveKit", 40, 12*time.Minute, 24*time.Hour)
		assert.Contains(t, b, "http://127.0.0.1:8080/admin/dashboard")
		assert.Contains(t, b, "the past 24 hours of API requests")
		assert.Contains(t, b, note)
		assert.Contains(t, b, "/metrics counts the live traffic since this start")
	})
	t.Run("SaysWhenTheFirstIncidentComes", func(t *testing.T) {
		b := demoBanner("http://127.0.0.1:8080", "pk_x", "  Provider cards: local demo stand-ins of LiveKit", 40, 12*time.Minute, 0)
		assert.Contains(t, b, "a burst every 12m0s, the first in 4m0s")
		assert.Contains(t, b, "Provider cards: local demo stand-ins of LiveKit")
		assert.Contains(t, b, "Each stand-in outage opens an alert incident")
	})
	t.Run("NothingReplayedNothingToSay", func(t *testing.T) {
		assert.NotContains(t, demoBanner("http://127.0.0.1:8080", "pk_x", "  Provider cards: local demo stand-ins of LiveKit", 40, 12*time.Minute, 0), note)
	})
}

func TestStandInsNote(t *testing.T) {
	si := demo.NewStandIns()
	const hooks = "signed provider webhooks"
	t.Run("WebhookSessionsWhenLiveKitOrDailyStandsIn", func(t *testing.T) {
		assert.Contains(t, standInsNote(map[pulse.Provider]bool{pulse.ProviderDaily: true}, si), hooks)
	})
	t.Run("NoWebhookSessionsForBeyondPresenceAlone", func(t *testing.T) {
		assert.NotContains(t, standInsNote(map[pulse.Provider]bool{pulse.ProviderBeyondPresence: true}, si), hooks)
	})
}
