package providers

import (
	"context"

	"pulse/internal/pulse"
)

// Providers returns every provider's latest health, in pulse.Providers order,
// from memory: it never calls a provider nor the store.
func (c *Checker) Providers(context.Context) ([]pulse.ProviderHealth, error) {
	return c.Current(), nil
}

// Current is Providers without a context or an error, for a Prometheus
// collector to read at scrape time. A check older than three intervals is
// reported as stale (an operational one as degraded).
func (c *Checker) Current() []pulse.ProviderHealth {
	now := c.now()
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]pulse.ProviderHealth, 0, len(pulse.Providers))
	for _, id := range pulse.Providers {
		h := markStale(clone(c.cache[id]), now, c.staleAfter)
		h.Declared = markDeclaredStale(h.Declared, now, c.staleAfter)
		out = append(out, h)
	}
	return out
}

// initialHealth is what is known of a provider before any check.
func initialHealth(id pulse.Provider, configured bool) pulse.ProviderHealth {
	h := pulse.ProviderHealth{Provider: id}
	switch {
	case configured:
		// Not knowing is not "operational": say so until the first round lands.
		h.Status, h.Detail = pulse.StatusDegraded, "awaiting first check"
	case id == pulse.ProviderLiveKit:
		h.Status, h.Detail = pulse.StatusUnconfigured, "no server URL set"
	default:
		h.Status, h.Detail = pulse.StatusUnconfigured, "no API key set"
	}
	return h
}

// refresh reads the leader's latest checks and the uptime from the store into
// the cache, and returns the checks read (nil when the store failed, in which
// case the cache is kept as it was).
func (c *Checker) refresh(ctx context.Context) map[pulse.Provider]pulse.ProviderCheck {
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	latest, err := c.store.LatestProviderChecks(sctx)
	if err != nil {
		c.log.Warn("providers: could not read the latest checks", "err", err)
		return nil
	}
	uptime, err := c.store.ProviderUptime(sctx, c.now().Add(-uptimeWindow))
	if err != nil {
		c.log.Warn("providers: could not read uptime", "err", err)
	}
	checks := make([]pulse.ProviderCheck, 0, len(latest))
	for _, id := range pulse.Providers {
		if check, ok := latest[id]; ok {
			checks = append(checks, check)
		}
	}
	c.publish(checks, uptime, err == nil, false)

	if len(c.pages) > 0 {
		declared, err := c.store.LatestProviderDeclared(sctx)
		if err != nil {
			c.log.Warn("providers: could not read the latest status pages", "err", err)
		}
		pages := make([]pulse.ProviderDeclared, 0, len(declared))
		for _, id := range pulse.Providers {
			if d, ok := declared[id]; ok {
				pages = append(pages, d)
			}
		}
		c.publishDeclared(pages, false)
	}
	return latest
}

// publishDeclared puts status page readings in the cache, for the providers
// whose page this instance is configured to read (a row left from an earlier
// configuration is not shown). The leader logs changes of indicator.
func (c *Checker) publishDeclared(pages []pulse.ProviderDeclared, logChanges bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range pages {
		if _, read := c.pages[d.Provider]; !read {
			continue
		}
		h := c.cache[d.Provider]
		if logChanges && (h.Declared == nil || h.Declared.Indicator != d.Indicator || h.Declared.Incident != d.Incident) {
			c.log.Info("providers: status page", "service", d.Provider, "indicator", d.Indicator, "incident", d.Incident, "description", d.Description)
		}
		h.Declared = &d
		c.cache[d.Provider] = h
	}
}

// publish puts checks of configured providers in the cache. When uptimeOK is
// false the uptime could not be read and the cached one is kept. The leader
// logs status changes; followers would only repeat them.
func (c *Checker) publish(checks []pulse.ProviderCheck, uptime map[pulse.Provider]float64, uptimeOK, logChanges bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, check := range checks {
		if _, configured := c.probes[check.Provider]; !configured {
			continue
		}
		prev := c.cache[check.Provider]
		h := pulse.ProviderHealth{
			Provider:  check.Provider,
			Status:    check.Status,
			CheckedAt: ptr(check.CheckedAt),
			Detail:    check.Detail,
			Uptime24h: prev.Uptime24h,
			LiveRooms: check.LiveRooms,
			Declared:  prev.Declared,
			StandIn:   prev.StandIn,
		}
		if check.LatencyMs > 0 {
			h.LatencyMs = ptr(check.LatencyMs)
		}
		if uptimeOK {
			h.Uptime24h = nil
			if u, ok := uptime[check.Provider]; ok {
				h.Uptime24h = ptr(u)
			}
		}
		if logChanges && prev.Status != h.Status {
			c.log.Info("providers: status changed", "service", check.Provider, "from", prev.Status, "to", h.Status, "detail", h.Detail)
		}
		c.cache[check.Provider] = h
	}
}

// clone copies h so that callers cannot reach into the cache.
func clone(h pulse.ProviderHealth) pulse.ProviderHealth {
	if h.LatencyMs != nil {
		h.LatencyMs = ptr(*h.LatencyMs)
	}
	if h.CheckedAt != nil {
		h.CheckedAt = ptr(*h.CheckedAt)
	}
	if h.Uptime24h != nil {
		h.Uptime24h = ptr(*h.Uptime24h)
	}
	if h.LiveRooms != nil {
		h.LiveRooms = ptr(*h.LiveRooms)
	}
	if h.Declared != nil {
		d := *h.Declared
		if d.MaintenanceAt != nil {
			d.MaintenanceAt = ptr(*d.MaintenanceAt)
		}
		h.Declared = &d
	}
	return h
}

func ptr[T any](v T) *T { return &v }
