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
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/livekit/protocol/livekit"

	"pulse/internal/pulse"
)

// Driver plays the platform's services against a running Pulse: sessions
// start and end across categories and providers, and report their connection
// quality, through the public ingestion API with an API key. With Webhooks,
// about a third of the sessions of each provider it can sign for start and
// end as that provider would tell Pulse: through its webhook endpoint; their
// samples come with the session's quality token, as from a participant's
// browser.
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
	// Webhooks, when set, signs provider webhooks (see Driver).
	Webhooks *Webhooks
	// Now, when set, is the time each step is taken at (the ticker's
	// otherwise); Every is the time between steps (1 s when 0).
	Now   func() time.Time
	Every time.Duration

	rng  *rand.Rand
	live map[string]*liveSession // by external id
	seq  int
}

// webhookShare is the share of a signed provider's sessions started by
// webhook.
const webhookShare = 1.0 / 3

type liveSession struct {
	provider   pulse.Provider
	room       string // the external id
	id         string // the session id; "" until a webhook session is looked up
	bias       float64
	nextSample time.Time
	endAt      time.Time

	// Sessions started by webhook: the quality token their samples carry
	// ("" until looked up), and the provider's room.
	hook      bool
	token     string
	lkRoom    *livekit.Room
	dailyRoom string
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
	if d.Every == 0 {
		d.Every = time.Second
	}
	tick := time.NewTicker(d.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			if d.Now != nil {
				now = d.Now()
			}
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
	for room, s := range d.live {
		switch {
		case !now.Before(s.endAt):
			if d.end(ctx, s, now) {
				delete(d.live, room)
				// Now and then a late sample for a session that just ended: a
				// realistic client error (409), counted apart from 5xx.
				if s.id != "" && d.rng.Float64() < 0.03 {
					d.sample(ctx, s, pulse.QualityGood)
				}
			}
		case !now.Before(s.nextSample):
			if s.hook && s.token == "" && !d.lookup(ctx, s) {
				continue // retried on a later tick
			}
			d.sample(ctx, s, qualityAt(d.rng, now, s.bias))
			if s.hook && d.rng.Float64() < 0.15 {
				d.participant(ctx, s, now)
			}
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
	category := pick(d.rng, categoryWeights)
	name := fmt.Sprintf("demo-%d-%d", now.Unix(), d.seq)
	s := &liveSession{
		provider:   provider,
		room:       name,
		bias:       d.rng.NormFloat64() * 0.4,
		nextSample: now.Add(time.Duration(2+d.rng.IntN(8)) * time.Second),
		endAt:      now.Add(time.Duration(60+d.rng.IntN(420)) * time.Second),
	}
	if d.Webhooks.signs(provider) && d.rng.Float64() < webhookShare {
		if d.startByWebhook(ctx, s, category, now) {
			d.live[s.room] = s
			d.lookup(ctx, s) // else at its first sample
		}
		return
	}
	body := map[string]string{
		"category":    category,
		"provider":    string(provider),
		"external_id": name,
	}
	var out struct {
		SessionID string `json:"session_id"`
	}
	if !d.postInto(ctx, "/api/sessions", body, &out) || out.SessionID == "" {
		return
	}
	s.id = out.SessionID
	d.live[s.room] = s
}

// startByWebhook tells Pulse that the provider started the room, as the
// provider would: LiveKit's room_started names the room's sid and carries the
// category in its metadata; Daily's meeting.started names the meeting, whose
// room name places it (a prefix rule, else the default category).
func (d *Driver) startByWebhook(ctx context.Context, s *liveSession, category string, now time.Time) bool {
	s.hook = true
	switch s.provider {
	case pulse.ProviderLiveKit:
		meta, _ := json.Marshal(map[string]string{"category": category})
		s.lkRoom = &livekit.Room{Sid: "RM_" + randomID(6), Name: s.room, Metadata: string(meta), CreationTime: now.Unix(), EmptyTimeout: 300}
		s.room = s.lkRoom.Sid
		return d.livekit(ctx, livekitEvent(lkRoomStarted, s.lkRoom, "", now))
	case pulse.ProviderDaily:
		s.dailyRoom, s.room = s.room, uuid.NewString()
		return d.daily(ctx, dailyEvent("meeting.started", s.room, s.dailyRoom, now))
	}
	return false
}

// end ends a session the way it started.
func (d *Driver) end(ctx context.Context, s *liveSession, now time.Time) bool {
	switch {
	case !s.hook:
		return d.post(ctx, "/api/sessions/"+s.id+"/end", nil)
	case s.provider == pulse.ProviderLiveKit:
		return d.livekit(ctx, livekitEvent(lkRoomFinished, s.lkRoom, "", now))
	default:
		return d.daily(ctx, dailyEvent("meeting.ended", s.room, s.dailyRoom, now))
	}
}

// participant sends a participant joining or leaving a webhook session's
// room.
func (d *Driver) participant(ctx context.Context, s *liveSession, now time.Time) {
	who := fmt.Sprintf("participant-%d", d.rng.IntN(1000))
	joined := d.rng.Float64() < 0.6
	if s.provider == pulse.ProviderLiveKit {
		kind := lkLeft
		if joined {
			kind = lkJoined
		}
		d.livekit(ctx, livekitEvent(kind, s.lkRoom, who, now))
		return
	}
	kind := "participant.left"
	if joined {
		kind = "participant.joined"
	}
	d.daily(ctx, dailyEvent(kind, s.room, s.dailyRoom, now))
}

// lookup finds a webhook session's id and quality token, as the platform
// does for the participant's browser.
func (d *Driver) lookup(ctx context.Context, s *liveSession) bool {
	var out struct {
		SessionID    string `json:"session_id"`
		QualityToken string `json:"quality_token"`
	}
	path := "/api/sessions/by-external/" + string(s.provider) + "/" + url.PathEscape(s.room)
	if !ok(d.do(ctx, http.MethodGet, path, nil, "", &out)) || out.SessionID == "" || out.QualityToken == "" {
		return false
	}
	s.id, s.token = out.SessionID, out.QualityToken
	return true
}

// sample posts one quality sample: with the quality token for a webhook
// session (the browser's path), else with the API key.
func (d *Driver) sample(ctx context.Context, s *liveSession, q pulse.Quality) {
	code := d.do(ctx, http.MethodPost, "/api/sessions/"+s.id+"/quality", map[string]string{"quality": string(q)}, s.token, nil)
	if code == http.StatusUnauthorized && s.hook {
		s.token = "" // expired: looked up again
	}
}

func (d *Driver) livekit(ctx context.Context, ev *livekit.WebhookEvent) bool {
	req, err := d.Webhooks.livekitRequest(ctx, d.BaseURL+"/api/webhooks/livekit", ev)
	return err == nil && ok(d.send(ctx, req, nil))
}

func (d *Driver) daily(ctx context.Context, ev dailyDelivery) bool {
	req, err := d.Webhooks.dailyRequest(ctx, d.BaseURL+"/api/webhooks/daily", ev)
	return err == nil && ok(d.send(ctx, req, nil))
}

func (d *Driver) post(ctx context.Context, path string, body any) bool {
	return d.postInto(ctx, path, body, nil)
}

func (d *Driver) postInto(ctx context.Context, path string, body, out any) bool {
	return ok(d.do(ctx, http.MethodPost, path, body, "", out))
}

// do sends one request, with the API key or, when token is set, the quality
// token, and answers its status (0 when it failed to send). Failures
// (including the demo's injected 5xx) are logged at debug level and simply
// retried on a later tick.
func (d *Driver) do(ctx context.Context, method, path string, body any, token string, out any) int {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.BaseURL+path, rd)
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Set("X-API-Key", d.APIKey)
	}
	return d.send(ctx, req, out)
}

// send sends req and decodes a 2xx answer into out (when set); the status,
// or 0 when the request or the decoding failed.
func (d *Driver) send(ctx context.Context, req *http.Request, out any) int {
	res, err := d.Client.Do(req)
	if err != nil {
		if ctx.Err() == nil && d.Log != nil {
			d.Log.Debug("demo: request failed", "path", req.URL.Path, "err", err)
		}
		return 0
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode >= 300 || out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode
	}
	if json.NewDecoder(res.Body).Decode(out) != nil {
		return 0
	}
	return res.StatusCode
}

// ok tells a 2xx status.
func ok(status int) bool { return status >= 200 && status < 300 }
