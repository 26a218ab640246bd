package providers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"pulse/internal/pulse"
)

// maxTitle caps what is kept of an incident's or a maintenance's title: a
// card line, not the provider's whole write-up.
const maxTitle = 200

// statusPage reads a provider's Atlassian Statuspage summary.json. A page
// that cannot be read gives an "unknown" reading saying why, so that a major
// incident is not shown (and counted) forever after its page went quiet.
func (p prober) statusPage(ctx context.Context, id pulse.Provider, pageURL string) pulse.ProviderDeclared {
	unknown := func(why string) pulse.ProviderDeclared {
		return pulse.ProviderDeclared{Provider: id, Indicator: pulse.DeclaredUnknown, Description: "status page not read: " + why, CheckedAt: p.now()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return unknown("invalid URL")
	}
	req.Header.Set("Accept", "application/json")
	o, body := p.fetch(req)
	switch {
	case o.NoAnswer != "":
		return unknown(o.NoAnswer)
	case !ok2xx(o):
		return unknown(fmt.Sprintf("HTTP %d", o.Code))
	}
	d, err := parseStatuspage(body)
	if err != nil {
		return unknown("answer not understood")
	}
	d.Provider, d.CheckedAt = id, p.now()
	return d
}

// statuspageSummary is the part of Statuspage's /api/v2/summary.json that
// Pulse reads.
type statuspageSummary struct {
	Status *struct {
		Indicator   string `json:"indicator"`
		Description string `json:"description"`
	} `json:"status"`
	Incidents []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Impact string `json:"impact"`
	} `json:"incidents"`
	ScheduledMaintenances []statuspageMaintenance `json:"scheduled_maintenances"`
}

type statuspageMaintenance struct {
	Name         string     `json:"name"`
	Status       string     `json:"status"` // scheduled, in_progress, verifying, completed
	ScheduledFor *time.Time `json:"scheduled_for"`
}

var errNotStatuspage = errors.New("not a Statuspage summary")

// impactRank orders incident impacts, worst last.
var impactRank = map[string]int{"none": 0, "minor": 1, "major": 2, "critical": 3}

// parseStatuspage reads a summary.json: the page's indicator and summary,
// the most severe unresolved incident (the first listed among equals), and
// the maintenance in progress or else the next one scheduled.
func parseStatuspage(body []byte) (pulse.ProviderDeclared, error) {
	var s statuspageSummary
	if err := json.Unmarshal(body, &s); err != nil || s.Status == nil {
		return pulse.ProviderDeclared{}, errNotStatuspage
	}
	d := pulse.ProviderDeclared{Indicator: pulse.DeclaredIndicator(s.Status.Indicator), Description: clip(s.Status.Description)}
	switch d.Indicator {
	case pulse.DeclaredNone, pulse.DeclaredMinor, pulse.DeclaredMajor, pulse.DeclaredCritical, pulse.DeclaredMaintenance:
	default:
		return pulse.ProviderDeclared{}, errNotStatuspage
	}

	worst := -1
	for _, inc := range s.Incidents {
		if inc.Status == "resolved" || inc.Status == "postmortem" || inc.Name == "" {
			continue
		}
		if r := impactRank[inc.Impact]; r > worst {
			worst, d.Incident, d.IncidentImpact = r, clip(inc.Name), inc.Impact
		}
	}

	var ongoing, upcoming *statuspageMaintenance
	for i := range s.ScheduledMaintenances {
		m := &s.ScheduledMaintenances[i]
		switch {
		case m.Name == "":
		case (m.Status == "in_progress" || m.Status == "verifying") && ongoing == nil:
			ongoing = m
		case m.Status == "scheduled" && (upcoming == nil || earlier(m.ScheduledFor, upcoming.ScheduledFor)):
			upcoming = m
		}
	}
	if m := cmp.Or(ongoing, upcoming); m != nil {
		d.Maintenance, d.MaintenanceStatus, d.MaintenanceAt = clip(m.Name), m.Status, utcPtr(m.ScheduledFor)
	}
	return d, nil
}

// earlier reports whether a is before b; an unknown time is never earlier.
func earlier(a, b *time.Time) bool {
	return a != nil && (b == nil || a.Before(*b))
}

// clip cuts s to maxTitle characters.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxTitle {
		return s
	}
	return string([]rune(s)[:maxTitle-1]) + "…"
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
