// Command loadgen drives Pulse as the platform and its dashboards would, and
// reports what it saw per endpoint.
//
// Ingestion: each worker starts a session, sends quality samples and ends
// it, in a loop, as fast as it can or paced to -rate requests per second
// across all workers. Dashboards (-dashboard N): N clients share one admin
// sign-in and poll like the SPA does: all four metrics endpoints on load,
// then /current every -current-every and the other three every
// -others-every, each client at its own random offset.
//
//	go run ./tools/loadgen -url http://localhost:8080 -key "$KEY" -workers 16 -duration 20s
//	go run ./tools/loadgen -key "$KEY" -rate 1200 -workers 64 \
//	    -dashboard 500 -admin-email m@example.org -admin-password-stdin -duration 60s -summary < pw
//
// Every loop ends at -duration; requests still in flight then are waited for
// (never canceled), so that what was acknowledged is exactly what the server
// committed. -summary adds key=value lines for scripts.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

type options struct {
	url, key            string
	workers, samples    int
	rate                float64
	duration            time.Duration
	dashboards          int
	email, password     string
	currentEvery, every time.Duration
	summary             bool
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://localhost:8080", "Pulse base URL")
	flag.StringVar(&o.key, "key", os.Getenv("PULSE_API_KEY"), "ingestion API key (or PULSE_API_KEY)")
	flag.IntVar(&o.workers, "workers", 16, "concurrent ingestion clients")
	flag.Float64Var(&o.rate, "rate", 0, "ingestion requests per second across all workers; 0 = as fast as they go")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to run")
	flag.IntVar(&o.samples, "samples", 4, "quality samples per session")
	flag.IntVar(&o.dashboards, "dashboard", 0, "concurrent dashboard clients (needs -admin-email and a password)")
	flag.StringVar(&o.email, "admin-email", "", "admin the dashboard clients sign in as")
	pwStdin := flag.Bool("admin-password-stdin", false, "read the admin's password from the first line of stdin")
	flag.DurationVar(&o.currentEvery, "current-every", 5*time.Second, "how often a dashboard polls /api/admin/metrics/current")
	flag.DurationVar(&o.every, "others-every", 30*time.Second, "how often a dashboard polls sessions, errors and external-services")
	flag.BoolVar(&o.summary, "summary", false, "also print key=value lines for scripts")
	flag.Parse()
	if o.key == "" && o.workers > 0 {
		fail("-key is required for ingestion (or -workers 0)")
	}
	if o.dashboards > 0 {
		if o.email == "" || !*pwStdin {
			fail("-dashboard needs -admin-email and -admin-password-stdin")
		}
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			fail("no password on stdin")
		}
		o.password = strings.TrimRight(line, "\r\n")
	}
	if err := run(o); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(2)
}

func run(o options) error {
	// One connection pool for every client: Pulse sees as many connections
	// as there are requests in flight, as it would from that many browsers.
	conns := o.workers + o.dashboards + 8
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute},
		Timeout:   30 * time.Second,
	}
	st := newStats()
	c := &caller{client: client, base: strings.TrimRight(o.url, "/"), stats: st}

	var token string
	if o.dashboards > 0 {
		var err error
		if token, err = c.login(o.email, o.password); err != nil {
			return err
		}
	}

	// Loops stop starting work at the deadline; nothing cancels a request
	// already sent.
	deadline := time.Now().Add(o.duration)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var limiter *rate.Limiter
	if o.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(o.rate), max(1, int(o.rate/100)))
	}

	start := time.Now()
	var wg sync.WaitGroup
	for w := range o.workers {
		wg.Go(func() { c.ingest(ctx, w, o.samples, limiter, o.key) })
	}
	for d := range o.dashboards {
		wg.Go(func() { c.dashboard(ctx, d, token, o.currentEvery, o.every) })
	}
	wg.Wait()
	elapsed := time.Since(start)

	fmt.Print(st.report(elapsed))
	if o.summary {
		fmt.Print(st.summary(elapsed))
	}
	return nil
}
