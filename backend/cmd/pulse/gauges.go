package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"pulse/internal/pulse"
)

// gaugeCollector exports the domain's live figures at scrape time: active
// sessions (one indexed count) and each provider's cached status.
type gaugeCollector struct {
	sessions  pulse.SessionStore
	providers interface{ Current() []pulse.ProviderHealth }

	active   *prometheus.Desc
	status   *prometheus.Desc
	latency  *prometheus.Desc
	scrapeOK *prometheus.Desc
}

func newGaugeCollector(s pulse.SessionStore, p interface{ Current() []pulse.ProviderHealth }) *gaugeCollector {
	return &gaugeCollector{
		sessions: s, providers: p,
		active: prometheus.NewDesc("pulse_active_sessions",
			fmt.Sprintf("Sessions not ended and seen within the last %.0f minutes (counted in whole minutes).", pulse.ActiveWindow.Minutes()), nil, nil),
		status:   prometheus.NewDesc("pulse_provider_status", "1 for the provider's current status, 0 for the others.", []string{"service", "status"}, nil),
		latency:  prometheus.NewDesc("pulse_provider_latency_seconds", "Latency of the provider's last answered check.", []string{"service"}, nil),
		scrapeOK: prometheus.NewDesc("pulse_sessions_scrape_success", "1 when the active session count could be read from the database.", nil, nil),
	}
}

func (g *gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.active
	ch <- g.status
	ch <- g.latency
	ch <- g.scrapeOK
}

func (g *gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := g.sessions.SessionStats(ctx, time.Now())
	if err == nil {
		ch <- prometheus.MustNewConstMetric(g.active, prometheus.GaugeValue, float64(st.ActiveSessions))
		ch <- prometheus.MustNewConstMetric(g.scrapeOK, prometheus.GaugeValue, 1)
	} else {
		ch <- prometheus.MustNewConstMetric(g.scrapeOK, prometheus.GaugeValue, 0)
	}
	statuses := pulse.ProviderStatuses
	for _, svc := range g.providers.Current() {
		for _, s := range statuses {
			v := 0.0
			if svc.Status == s {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(g.status, prometheus.GaugeValue, v, svc.Provider.ServiceID(), string(s))
		}
		if svc.LatencyMs != nil {
			ch <- prometheus.MustNewConstMetric(g.latency, prometheus.GaugeValue, *svc.LatencyMs/1000, svc.Provider.ServiceID())
		}
	}
}

// groupCommitCounters export the store's group commits: the statements per
// commit (their ratio) is how much the database is being spared.
func groupCommitCounters(db interface{ GroupCommits() (int64, int64) }) []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "pulse_db_group_commits_total",
			Help: "Transactions the ingestion writers committed on PostgreSQL, each a batch of statements (0 on SQLite)."},
			func() float64 { b, _ := db.GroupCommits(); return float64(b) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "pulse_db_group_committed_statements_total",
			Help: "Ingestion statements those transactions held: divided by pulse_db_group_commits_total, the mean batch size."},
			func() float64 { _, s := db.GroupCommits(); return float64(s) }),
	}
}
