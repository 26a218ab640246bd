package providers

import (
	"context"
	"encoding/json"
	"net/http"
)

// daily checks Daily.co: listing one room proves the API answers and the key
// is accepted. Then GET /presence counts the rooms with someone in them; it
// only adds that count (nil when it fails) and plays no part in the verdict.
func (p prober) daily(ctx context.Context, baseURL, apiKey string) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(baseURL, "/rooms?limit=1"), nil)
	if err != nil {
		return Outcome{NoAnswer: "invalid URL"}
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Accept", "application/json")
	o, body := p.fetch(req)
	if ok2xx(o) && !isDailyRoomList(body) {
		o.Garbled = true
	}
	if ok2xx(o) && !o.Garbled {
		o.LiveRooms = p.dailyPresence(ctx, baseURL, apiKey)
	}
	return o
}

// dailyPresence counts the rooms GET /presence lists with at least one
// participant; nil when it gives no usable answer.
func (p prober) dailyPresence(ctx context.Context, baseURL, apiKey string) *int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(baseURL, "/presence"), nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Accept", "application/json")
	o, body := p.fetch(req)
	if !ok2xx(o) {
		return nil
	}
	return countDailyPresence(body)
}

// countDailyPresence reads Daily's presence object, room name → participants.
func countDailyPresence(body []byte) *int {
	var rooms map[string][]json.RawMessage
	if json.Unmarshal(body, &rooms) != nil || rooms == nil {
		return nil
	}
	n := 0
	for _, participants := range rooms {
		if len(participants) > 0 {
			n++
		}
	}
	return &n
}

// isDailyRoomList reports whether body is Daily's {"total_count", "data": [...]}.
func isDailyRoomList(body []byte) bool {
	var list struct {
		Data *[]json.RawMessage `json:"data"`
	}
	return json.Unmarshal(body, &list) == nil && list.Data != nil
}
