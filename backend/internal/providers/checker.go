package providers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"pulse/internal/pulse"
)

// LeaderJob is the job name the checker asks pulse.Leader for.
const LeaderJob = "provider-checks"

const (
	uptimeWindow = 24 * time.Hour
	// storeTimeout bounds each round's store calls so that a hung database
	// cannot stall the rounds.
	storeTimeout = 10 * time.Second
)

// Deps are the checker's collaborators.
type Deps struct {
	// Store keeps the checks' history; required.
	Store pulse.ProviderCheckStore
	// Leader elects the one instance that runs the checks; nil means this
	// instance always does (a single replica).
	Leader pulse.Leader
	// HTTPClient sends the checks; nil means a new client. Redirects are never
	// followed, so that no credential travels to another host.
	HTTPClient *http.Client
	// Now is the clock for timestamps and uptime windows; nil means time.Now.
	Now func() time.Time
	// Logger nil means slog.Default().
	Logger *slog.Logger
}

// Checker checks the providers in the background (Run) and serves the latest
// results from memory (Providers, Current). It implements pulse.ProviderService.
type Checker struct {
	cfg        Config
	rules      Rules
	store      pulse.ProviderCheckStore
	leader     pulse.Leader
	now        func() time.Time
	log        *slog.Logger
	probes     map[pulse.Provider]func(context.Context) Outcome
	pages      map[pulse.Provider]func(context.Context) pulse.ProviderDeclared
	staleAfter time.Duration

	mu    sync.RWMutex
	cache map[pulse.Provider]pulse.ProviderHealth

	// Run's own state, touched by the Run goroutine only.
	role    role
	release func() // non-nil while this instance leads
	history map[pulse.Provider][]Verdict
}

var _ pulse.ProviderService = (*Checker)(nil)

// New validates cfg and returns a checker whose cache
// already lists every provider: unconfigured ones as such, configured ones as
// degraded "awaiting first check" until the first round (which Run starts at
// once) or the store says more.
func New(cfg Config, d Deps) (*Checker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.Store == nil {
		return nil, errors.New("providers: a ProviderCheckStore is required")
	}
	client := &http.Client{}
	if d.HTTPClient != nil {
		copied := *d.HTTPClient
		client = &copied
	}
	client.CheckRedirect = noRedirects
	c := &Checker{
		cfg:        cfg,
		rules:      cfg.Rules(),
		store:      d.Store,
		leader:     d.Leader,
		now:        d.Now,
		log:        d.Logger,
		probes:     map[pulse.Provider]func(context.Context) Outcome{},
		pages:      map[pulse.Provider]func(context.Context) pulse.ProviderDeclared{},
		staleAfter: 3*cfg.CheckInterval + cfg.CheckTimeout,
		cache:      map[pulse.Provider]pulse.ProviderHealth{},
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	p := prober{client: client, timeout: cfg.CheckTimeout, now: c.now}
	if cfg.Configured(pulse.ProviderDaily) {
		c.probes[pulse.ProviderDaily] = func(ctx context.Context) Outcome {
			return p.daily(ctx, cfg.DailyAPIURL, cfg.DailyAPIKey)
		}
	}
	if cfg.Configured(pulse.ProviderLiveKit) {
		c.probes[pulse.ProviderLiveKit] = func(ctx context.Context) Outcome {
			return p.livekit(ctx, cfg.LiveKitURL, cfg.LiveKitAPIKey, cfg.LiveKitAPISecret)
		}
	}
	if cfg.Configured(pulse.ProviderBeyondPresence) {
		c.probes[pulse.ProviderBeyondPresence] = func(ctx context.Context) Outcome {
			return p.bey(ctx, cfg.BeyAPIURL, cfg.BeyAPIKey)
		}
	}
	for _, id := range pulse.Providers {
		if page := cfg.StatusURL(id); page != "" {
			c.pages[id] = func(ctx context.Context) pulse.ProviderDeclared { return p.statusPage(ctx, id, page) }
		}
		h := initialHealth(id, cfg.Configured(id))
		h.StandIn = cfg.StandIns[id]
		c.cache[id] = h
	}
	return c, nil
}

// RunOnce runs one round now, as Run does at each tick: this instance leads
// and checks, or follows and reads the store. For tools and tests that step
// the checker themselves; a server calls Run, and never both at once.
func (c *Checker) RunOnce(ctx context.Context) { c.round(ctx) }

// Run checks the providers now and then every CheckInterval until ctx is
// cancelled; call it once, in its own goroutine. Each round, this instance
// either leads and checks, or follows and reads the leader's results from the
// store.
func (c *Checker) Run(ctx context.Context) {
	defer c.stepDown()
	ticker := time.NewTicker(c.cfg.CheckInterval)
	defer ticker.Stop()
	for {
		c.round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// round is one tick of Run.
func (c *Checker) round(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if c.lead(ctx) {
		c.checkAll(ctx)
		return
	}
	c.refresh(ctx)
}

// lead keeps or seeks leadership for this round. A leader keeps the one
// database connection that holds its lock from round to round (TryLead only
// checks that it is alive), so no other instance can take over while it
// lives; a follower asks again each round. Each change of role is logged as
// what happened: the connection holding leadership lost, the database out of
// reach, another instance leading.
func (c *Checker) lead(ctx context.Context) bool {
	if c.leader == nil {
		if c.history == nil {
			c.takeOver(ctx)
		}
		return true
	}
	lctx, cancel := context.WithTimeout(ctx, storeTimeout)
	release, ok, err := c.leader.TryLead(lctx, LeaderJob)
	cancel()
	was, now := c.role, roleOf(ok, err)
	c.role = now
	switch {
	case now == roleUnreachable && pulse.ErrorCode(err) != pulse.EUNAVAILABLE:
		c.log.Error("providers: could not ask for leadership; reading checks from the store", "err", err)
	case now == roleUnreachable && was == roleLeader:
		c.log.Warn("providers: lost the database connection holding leadership; reading checks from the store", "err", err)
	case now == roleUnreachable:
		c.log.Warn("providers: could not reach the database to elect a leader; reading checks from the store", "err", err)
	case now == roleFollower && was == roleLeader:
		c.log.Info("providers: another instance runs the provider checks now")
	case now == roleFollower && was != roleFollower:
		c.log.Info("providers: another instance runs the provider checks")
	case now == roleLeader && was != roleLeader:
		c.log.Info("providers: this instance now runs the provider checks")
	}
	if now != roleLeader {
		// A lock lost with its connection is already gone; giving up is then a no-op.
		c.stepDown()
		return false
	}
	if release == nil {
		release = func() {}
	}
	c.release = release
	if was != roleLeader {
		c.takeOver(ctx)
	}
	return true
}

// role is what the last round made of this instance.
type role int

const (
	roleUnknown     role = iota // before the first round
	roleLeader                  // holds the lock, runs the checks
	roleFollower                // another instance holds the lock
	roleUnreachable             // the database could not be asked
)

func roleOf(ok bool, err error) role {
	switch {
	case err != nil:
		return roleUnreachable
	case ok:
		return roleLeader
	default:
		return roleFollower
	}
}

// stepDown gives leadership up if this instance holds it.
func (c *Checker) stepDown() {
	if c.release != nil {
		c.release()
		c.release = nil
	}
}

// takeOver starts this instance's history from what the store last knew, so
// that a change of leader neither forgets a provider is down nor restarts its
// retries.
func (c *Checker) takeOver(ctx context.Context) {
	c.history = map[pulse.Provider][]Verdict{}
	latest := c.refresh(ctx)
	now := c.now()
	for id, check := range latest {
		if _, ok := c.probes[id]; ok && now.Sub(check.CheckedAt) <= c.staleAfter {
			c.history[id] = []Verdict{seedVerdict(check, c.rules.DownAfter)}
		}
	}
}

// checked is one provider's raw result in a round.
type checked struct {
	outcome Outcome
	at      time.Time
}

// checkAll checks every configured provider and reads their status pages,
// all concurrently, then judges, stores and publishes the results.
func (c *Checker) checkAll(ctx context.Context) {
	results := make([]*checked, len(pulse.Providers))
	declared := make([]*pulse.ProviderDeclared, len(pulse.Providers))
	var wg sync.WaitGroup
	for i, id := range pulse.Providers {
		if probe, ok := c.probes[id]; ok {
			wg.Go(func() {
				pctx, cancel := context.WithTimeout(ctx, c.cfg.CheckTimeout)
				defer cancel()
				o := probe(pctx)
				results[i] = &checked{outcome: o, at: c.now()}
			})
		}
		if page, ok := c.pages[id]; ok {
			wg.Go(func() {
				pctx, cancel := context.WithTimeout(ctx, c.cfg.CheckTimeout)
				defer cancel()
				d := page(pctx)
				declared[i] = &d
			})
		}
	}
	wg.Wait()
	// A check cut short by shutdown says nothing about the provider.
	if ctx.Err() != nil {
		return
	}

	checks := make([]pulse.ProviderCheck, 0, len(c.probes))
	for i, id := range pulse.Providers {
		r := results[i]
		if r == nil {
			continue
		}
		v := c.rules.Judge(r.outcome, c.history[id])
		c.remember(id, v)
		checks = append(checks, pulse.ProviderCheck{
			Provider:  id,
			Status:    v.Status,
			LatencyMs: latencyMs(r.outcome.Latency),
			CheckedAt: r.at,
			Detail:    v.Detail,
			LiveRooms: r.outcome.LiveRooms,
		})
	}
	pages := make([]pulse.ProviderDeclared, 0, len(c.pages))
	for _, d := range declared {
		if d != nil {
			pages = append(pages, *d)
		}
	}

	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	for _, check := range checks {
		if err := c.store.InsertProviderCheck(sctx, check); err != nil {
			c.log.Warn("providers: could not store a check", "service", check.Provider, "err", err)
		}
	}
	for _, d := range pages {
		if err := c.store.SaveProviderDeclared(sctx, d); err != nil {
			c.log.Warn("providers: could not store a status page reading", "service", d.Provider, "err", err)
		}
	}
	now := c.now()
	uptime, err := c.store.ProviderUptime(sctx, now.Add(-uptimeWindow))
	if err != nil {
		c.log.Warn("providers: could not read uptime", "err", err)
	}
	c.publish(checks, uptime, err == nil, true)
	c.publishDeclared(pages, true)
}

// remember appends v to the provider's history, keeping what flapping needs.
func (c *Checker) remember(id pulse.Provider, v Verdict) {
	h := append(c.history[id], v)
	if keep := max(c.rules.FlapWindow, 1); len(h) > keep {
		h = h[len(h)-keep:]
	}
	c.history[id] = h
}

// latencyMs converts a latency for storage, where 0 means no answer.
func latencyMs(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
