package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

type endpoint int

const (
	epLogin endpoint = iota
	epStart
	epQuality
	epEnd
	epCurrent
	epSessions
	epErrors
	epExternal
	numEndpoints
)

// endpoints names each endpoint, and the status that acknowledges it.
var endpoints = [numEndpoints]struct {
	name, path string
	ack        int
	ingestion  bool
}{
	epLogin:    {"POST /api/admin/auth/login", "/api/admin/auth/login", http.StatusOK, false},
	epStart:    {"POST /api/sessions", "/api/sessions", http.StatusCreated, true},
	epQuality:  {"POST /api/sessions/{id}/quality", "", http.StatusNoContent, true},
	epEnd:      {"POST /api/sessions/{id}/end", "", http.StatusOK, true},
	epCurrent:  {"GET /api/admin/metrics/current", "/api/admin/metrics/current", http.StatusOK, false},
	epSessions: {"GET /api/admin/metrics/sessions", "/api/admin/metrics/sessions", http.StatusOK, false},
	epErrors:   {"GET /api/admin/metrics/errors", "/api/admin/metrics/errors", http.StatusOK, false},
	epExternal: {"GET /api/admin/metrics/external-services", "/api/admin/metrics/external-services", http.StatusOK, false},
}

type epStats struct {
	latencies []time.Duration // of answered requests
	statuses  map[int]int
	failures  int // no answer (transport error, timeout, unreadable body)
	acked     int // answered with the acknowledging status
}

type stats struct {
	mu  sync.Mutex
	per [numEndpoints]epStats
}

func newStats() *stats {
	s := &stats{}
	for i := range s.per {
		s.per[i].statuses = map[int]int{}
		s.per[i].latencies = make([]time.Duration, 0, 1024)
	}
	return s
}

func (s *stats) record(ep endpoint, code int, latency time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := &s.per[ep]
	if err != nil || code == 0 {
		e.failures++
		return
	}
	e.latencies = append(e.latencies, latency)
	e.statuses[code]++
	if code == endpoints[ep].ack {
		e.acked++
	}
}

// errors is every request not acknowledged.
func (e *epStats) errors() int { return len(e.latencies) + e.failures - e.acked }

// quantile is the nearest-rank quantile of sorted.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted)) + 0.999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// report is the per-endpoint table, in Markdown, and the rates.
func (s *stats) report(elapsed time.Duration) string {
	var w strings.Builder
	s.mu.Lock()
	defer s.mu.Unlock()
	var ingest, dash int
	fmt.Fprintln(&w, "| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | max ms |")
	fmt.Fprintln(&w, "|---|--:|--:|--:|--:|--:|--:|")
	for ep := range s.per {
		e := &s.per[ep]
		n := len(e.latencies) + e.failures
		if n == 0 {
			continue
		}
		if endpoints[ep].ingestion {
			ingest += n
		} else if endpoint(ep) != epLogin {
			dash += n
		}
		lat := slices.Clone(e.latencies)
		slices.Sort(lat)
		fmt.Fprintf(&w, "| `%s` | %d | %d | %s | %s | %s | %s |\n", endpoints[ep].name, n, e.errors(),
			ms(quantile(lat, 0.50)), ms(quantile(lat, 0.95)), ms(quantile(lat, 0.99)), ms(quantile(lat, 1)))
	}
	fmt.Fprintf(&w, "\ningestion %.0f req/s, dashboards %.0f req/s over %s\n",
		float64(ingest)/elapsed.Seconds(), float64(dash)/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	for ep := range s.per {
		e := &s.per[ep]
		if e.errors() == 0 {
			continue
		}
		var codes []string
		for code, n := range e.statuses {
			if code != endpoints[ep].ack {
				codes = append(codes, fmt.Sprintf("%d×%d", n, code))
			}
		}
		sort.Strings(codes)
		fmt.Fprintf(&w, "errors on %s: %s, %d without an answer\n", endpoints[ep].name, strings.Join(codes, " "), e.failures)
	}
	return w.String()
}

// printSummary writes key=value lines: what was acknowledged, to compare
// with the database, and what the server answered, to compare with its own
// telemetry.
func (s *stats) summary(elapsed time.Duration) string {
	var w strings.Builder
	s.mu.Lock()
	defer s.mu.Unlock()
	var answered, errs, ingest int
	for ep := range s.per {
		e := &s.per[ep]
		answered += len(e.latencies)
		errs += e.errors()
		if endpoints[ep].ingestion {
			ingest += len(e.latencies) + e.failures
		}
	}
	fmt.Fprintf(&w, "ack_sessions=%d\nack_samples=%d\nack_ends=%d\n", s.per[epStart].acked, s.per[epQuality].acked, s.per[epEnd].acked)
	fmt.Fprintf(&w, "answered=%d\nerrors=%d\ningest_rps=%.0f\nelapsed_s=%.3f\n", answered, errs, float64(ingest)/elapsed.Seconds(), elapsed.Seconds())
	return w.String()
}
