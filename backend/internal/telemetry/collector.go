package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector exports the Recorder's cumulative per-route counters to
// Prometheus as const metrics built at scrape time, so the hot path never
// touches client_golang. Register it on the caller's own registry:
//
//	reg.MustRegister(telemetry.NewCollector(rec))
//
// Series: pulse_http_requests_total{route,method,status_class} (status_class
// 2xx|3xx|4xx|5xx, plus "canceled" for client disconnects) and
// pulse_http_request_duration_seconds{route,method,status_class} (classic
// buckets from RecorderConfig.Buckets, plus a native histogram for scrapers
// that negotiate it: see buckets.go; canceled requests have no duration).
//
// Every registered route × method × status class is exported from the start,
// at zero, as the Prometheus instrumentation guidelines ask: a series that
// first appears already at 1 has no earlier sample to differ from, so rate()
// and increase() would never count a route's first error. The label set is
// bounded by the routes registered (4 classes, plus canceled for the
// counter, per route and method). Requests on no registered route
// (UnmatchedRoute) are exported once seen: their methods are whatever
// clients send.
//
// pulse_telemetry_dropped_requests_total counts requests that will never
// reach the rollup table (see Recorder.Dropped); it is always exported, so
// `increase(pulse_telemetry_dropped_requests_total[1h]) > 0` can alert.
type Collector struct {
	rec      *Recorder
	requests *prometheus.Desc
	duration *prometheus.Desc
	dropped  *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector of rec's counters.
func NewCollector(rec *Recorder) *Collector {
	labels := []string{"route", "method", "status_class"}
	return &Collector{
		rec: rec,
		requests: prometheus.NewDesc("pulse_http_requests_total",
			"API requests answered, by route template, method and status class.", labels, nil),
		duration: prometheus.NewDesc("pulse_http_request_duration_seconds",
			"API request latency, by route template, method and status class.", labels, nil),
		dropped: prometheus.NewDesc("pulse_telemetry_dropped_requests_total",
			"API requests counted in memory that will never reach the rollup table: their minute was overwritten before a flush wrote it (a database outage longer than an hour).", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.requests
	ch <- c.duration
	ch <- c.dropped
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(c.rec.Dropped()))
	t := c.rec.routes.Load()
	for _, rs := range t.all {
		known := rs.route != UnmatchedRoute
		for class := range rs.classes {
			labels := []string{rs.route, rs.method, classLabels[class]}
			hist, count := rs.classes[class].histogramMetric(c.duration, t.layout, c.rec.created, labels...)
			if count == 0 && !known {
				continue
			}
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(count), labels...)
			ch <- hist
		}
		if n := rs.canceled.Load(); n > 0 || known {
			ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n),
				rs.route, rs.method, canceledLabel)
		}
	}
}
