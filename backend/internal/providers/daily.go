package providers

import (
	"context"
	"encoding/json"
	"net/http"
)

// daily checks Daily.co: listing one room proves the API answers and the key
// is accepted.
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
	return o
}

// isDailyRoomList reports whether body is Daily's {"total_count", "data": [...]}.
func isDailyRoomList(body []byte) bool {
	var list struct {
		Data *[]json.RawMessage `json:"data"`
	}
	return json.Unmarshal(body, &list) == nil && list.Data != nil
}
