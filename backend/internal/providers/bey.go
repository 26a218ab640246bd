package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// bey checks Beyond Presence: /auth/verify answers 2xx (204, or 200 with
// JSON) for a valid key and 401 for an invalid one.
func (p prober) bey(ctx context.Context, baseURL, apiKey string) Outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, joinURL(baseURL, "/auth/verify"), nil)
	if err != nil {
		return Outcome{NoAnswer: "invalid URL"}
	}
	req.Header.Set("x-api-key", apiKey)
	req.Header.Set("Accept", "application/json")
	o, body := p.fetch(req)
	if ok2xx(o) && !isEmptyOrJSON(body) {
		o.Garbled = true
	}
	return o
}

// isEmptyOrJSON accepts the two answers the verify endpoint gives; an HTML
// page (a proxy's, a captive portal's) is neither.
func isEmptyOrJSON(body []byte) bool {
	body = bytes.TrimSpace(body)
	return len(body) == 0 || json.Valid(body)
}
