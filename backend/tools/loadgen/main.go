// Command loadgen drives the ingestion API as the platform's services would
// and reports throughput and latency: each worker starts a session, sends
// quality samples, and ends it, in a loop.
//
//	go run ./tools/loadgen -url http://localhost:8080 -key "$KEY" -workers 16 -duration 20s
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://localhost:8080", "Pulse base URL")
	key := flag.String("key", os.Getenv("PULSE_API_KEY"), "ingestion API key (or PULSE_API_KEY)")
	workers := flag.Int("workers", 16, "concurrent clients")
	duration := flag.Duration("duration", 20*time.Second, "how long to run")
	samples := flag.Int("samples", 4, "quality samples per session")
	flag.Parse()
	if *key == "" {
		_, _ = fmt.Fprintln(os.Stderr, "loadgen: -key is required")
		os.Exit(2)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers}, Timeout: 30 * time.Second}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		statuses  = map[int]int{}
		failures  int
	)
	post := func(path string, body any) (int, []byte) {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, *url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-Key", *key)
		start := time.Now()
		res, err := client.Do(req)
		elapsed := time.Since(start)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			failures++
			return 0, nil
		}
		defer func() { _ = res.Body.Close() }()
		out, _ := io.ReadAll(res.Body)
		latencies = append(latencies, elapsed)
		statuses[res.StatusCode]++
		return res.StatusCode, out
	}

	qualities := []string{"excellent", "good", "good", "fair", "poor"}
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for w := range *workers {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				code, body := post("/api/sessions", map[string]string{"category": "Mental Health", "provider": "daily"})
				if code != http.StatusCreated {
					continue
				}
				var s struct {
					SessionID string `json:"session_id"`
				}
				if json.Unmarshal(body, &s) != nil {
					continue
				}
				for j := range *samples {
					post("/api/sessions/"+s.SessionID+"/quality", map[string]string{"quality": qualities[(w+i+j)%len(qualities)]})
				}
				post("/api/sessions/"+s.SessionID+"/end", nil)
			}
		})
	}
	wg.Wait()

	slices.Sort(latencies)
	q := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	fmt.Printf("%d requests in %s with %d workers: %.0f req/s\n", len(latencies), *duration, *workers, float64(len(latencies))/duration.Seconds())
	fmt.Printf("latency p50 %s  p95 %s  p99 %s  max %s\n", q(0.50).Round(10*time.Microsecond), q(0.95).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), q(1).Round(10*time.Microsecond))
	fmt.Printf("statuses %v  transport failures %d\n", statuses, failures)
}
