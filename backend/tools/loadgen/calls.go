package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// caller sends the requests and records each in stats.
type caller struct {
	client *http.Client
	base   string
	stats  *stats
}

// do sends one request and reads the whole answer. It is not tied to the
// run's deadline: a request sent is seen through (the client timeout
// bounds it).
func (c *caller) do(ep endpoint, method, path, body string, header ...string) (int, []byte) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.stats.record(ep, 0, 0, err)
		return 0, nil
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	start := time.Now()
	res, err := c.client.Do(req)
	if err != nil {
		c.stats.record(ep, 0, time.Since(start), err)
		return 0, nil
	}
	out, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	c.stats.record(ep, res.StatusCode, time.Since(start), err)
	return res.StatusCode, out
}

// login signs the admin in and returns the token of the admin_token cookie.
func (c *caller) login(email, password string) (string, error) {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequest(http.MethodPost, c.base+"/api/admin/auth/login", strings.NewReader(string(b)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := c.client.Do(req)
	if err != nil {
		c.stats.record(epLogin, 0, time.Since(start), err)
		return "", fmt.Errorf("sign in: %w", err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	c.stats.record(epLogin, res.StatusCode, time.Since(start), nil)
	for _, ck := range res.Cookies() {
		if ck.Name == "admin_token" && res.StatusCode == http.StatusOK {
			return ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign in as %s: HTTP %d", email, res.StatusCode)
}

var (
	categories = []string{"Academic Advising", "Admissions", "Career Counseling", "Financial Aid", "Mental Health", "Wellness Coaching"}
	providers  = []string{"daily", "livekit", "beyond_presence"}
	qualities  = []string{"excellent", "good", "good", "fair", "poor"}
)

// ingest runs sessions until ctx ends: start, samples quality samples, end.
func (c *caller) ingest(ctx context.Context, w, samples int, lim *rate.Limiter, key string) {
	auth := []string{"X-API-Key", key}
	for i := 0; ; i++ {
		if !pace(ctx, lim) {
			return
		}
		body := fmt.Sprintf(`{"category":%q,"provider":%q}`, categories[(w+i)%len(categories)], providers[(w+i)%len(providers)])
		code, out := c.do(epStart, http.MethodPost, "/api/sessions", body, auth...)
		if code != http.StatusCreated {
			continue
		}
		var s struct {
			SessionID string `json:"session_id"`
		}
		if json.Unmarshal(out, &s) != nil || s.SessionID == "" {
			continue
		}
		for j := range samples {
			if !pace(ctx, lim) {
				return
			}
			c.do(epQuality, http.MethodPost, "/api/sessions/"+s.SessionID+"/quality",
				fmt.Sprintf(`{"quality":%q}`, qualities[(w+i+j)%len(qualities)]), auth...)
		}
		if !pace(ctx, lim) {
			return
		}
		c.do(epEnd, http.MethodPost, "/api/sessions/"+s.SessionID+"/end", "", auth...)
	}
}

// pace waits for the next request's turn; false when the run is over.
func pace(ctx context.Context, lim *rate.Limiter) bool {
	if lim == nil {
		return ctx.Err() == nil
	}
	return lim.Wait(ctx) == nil
}

// dashboard polls like one open dashboard: everything on load, then
// /current every currentEvery and the other three every othersEvery, on a
// fixed schedule from a random start within the first currentEvery.
func (c *caller) dashboard(ctx context.Context, d int, token string, currentEvery, othersEvery time.Duration) {
	auth := []string{"Authorization", "Bearer " + token}
	rng := rand.New(rand.NewPCG(uint64(d), 7))
	next := time.Now().Add(time.Duration(rng.Int64N(int64(currentEvery))))
	nextOthers := next
	for sleepUntil(ctx, next) {
		c.do(epCurrent, http.MethodGet, "/api/admin/metrics/current", "", auth...)
		if !time.Now().Before(nextOthers) {
			for _, ep := range []endpoint{epSessions, epErrors, epExternal} {
				c.do(ep, http.MethodGet, endpoints[ep].path, "", auth...)
			}
			nextOthers = nextOthers.Add(othersEvery)
		}
		next = next.Add(currentEvery)
	}
}

// sleepUntil waits for t; false when ctx ends first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return ctx.Err() == nil
	}
}
