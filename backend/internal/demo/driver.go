package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"pulse/internal/pulse"
)

// Driver plays the platform's services against a running Pulse: sessions
// start and end across categories and providers, and report their connection
// quality, all through the public ingestion API with an API key.
type Driver struct {
	BaseURL string
	APIKey  string
	// PeakLive is how many sessions are live at the busiest moment.
	PeakLive int
	Client   *http.Client
	Log      *slog.Logger
	// OnLive, when set, is told after each step which sessions are live on
	// each provider (their external ids): the provider stand-ins list them
	// as their rooms.
	OnLive func(map[pulse.Provider][]string)

	rng  *rand.Rand
	live map[string]*liveSession
	seq  int
}

type liveSession struct {
	provider   pulse.Provider
	room       string // the external id
	bias       float64
	nextSample time.Time
	endAt      time.Time
}

// Run drives traffic until ctx ends.
func (d *Driver) Run(ctx context.Context) {
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if d.PeakLive == 0 {
		d.PeakLive = 40
	}
	d.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	d.live = map[string]*liveSession{}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			d.step(ctx, now)
		}
	}
}

// target is how many sessions should be live now: it follows the time of day
// and swells and ebbs over a few minutes, so the counter visibly moves.
func (d *Driver) target(now time.Time) int {
	wave := 0.75 + 0.25*math.Sin(float64(now.Unix())/180*math.Pi)
	return max(3, int(float64(d.PeakLive)*(0.5+0.5*dayLoad(now))*wave))
}

func (d *Driver) step(ctx context.Context, now time.Time) {
	for id, s := range d.live {
		switch {
		case !now.Before(s.endAt):
			if d.post(ctx, "/api/sessions/"+id+"/end", nil) {
				delete(d.live, id)
				// Now and then a late sample for a session that just ended: a
				// realistic client error (409), counted apart from 5xx.
				if d.rng.Float64() < 0.03 {
					d.post(ctx, "/api/sessions/"+id+"/quality", map[string]string{"quality": "good"})
				}
			}
		case !now.Before(s.nextSample):
			d.post(ctx, "/api/sessions/"+id+"/quality", map[string]string{"quality": string(qualityAt(d.rng, now, s.bias))})
			s.nextSample = now.Add(time.Duration(6+d.rng.IntN(14)) * time.Second)
		}
	}
	for missing := d.target(now) - len(d.live); missing > 0 && ctx.Err() == nil; missing-- {
		if missing > 8 && d.rng.Float64() < 0.3 {
			break // ramp up over a few seconds rather than in one burst
		}
		d.start(ctx, now)
	}
	if d.OnLive != nil {
		d.OnLive(d.rooms())
	}
}

// rooms lists the live sessions' external ids by provider.
func (d *Driver) rooms() map[pulse.Provider][]string {
	out := map[pulse.Provider][]string{}
	for _, s := range d.live {
		out[s.provider] = append(out[s.provider], s.room)
	}
	return out
}

func (d *Driver) start(ctx context.Context, now time.Time) {
	d.seq++
	provider := pick(d.rng, providerWeights)
	room := fmt.Sprintf("demo-%d-%d", now.Unix(), d.seq)
	body := map[string]string{
		"category":    pick(d.rng, categoryWeights),
		"provider":    string(provider),
		"external_id": room,
	}
	var out struct {
		SessionID string `json:"session_id"`
	}
	if !d.postInto(ctx, "/api/sessions", body, &out) || out.SessionID == "" {
		return
	}
	d.live[out.SessionID] = &liveSession{
		provider:   provider,
		room:       room,
		bias:       d.rng.NormFloat64() * 0.4,
		nextSample: now.Add(time.Duration(2+d.rng.IntN(8)) * time.Second),
		endAt:      now.Add(time.Duration(60+d.rng.IntN(420)) * time.Second),
	}
}

func (d *Driver) post(ctx context.Context, path string, body any) bool {
	return d.postInto(ctx, path, body, nil)
}

// postInto sends one request; failures (including the demo's injected 5xx)
// are logged at debug level and simply retried on a later tick.
func (d *Driver) postInto(ctx context.Context, path string, body, out any) bool {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.BaseURL+path, rd)
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", d.APIKey)
	res, err := d.Client.Do(req)
	if err != nil {
		if ctx.Err() == nil && d.Log != nil {
			d.Log.Debug("demo: request failed", "path", path, "err", err)
		}
		return false
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode >= 300 {
		_, _ = io.Copy(io.Discard, res.Body)
		return false
	}
	if out != nil {
		return json.NewDecoder(res.Body).Decode(out) == nil
	}
	return true
}
