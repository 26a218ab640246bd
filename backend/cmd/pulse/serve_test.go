package main

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"pulse/internal/config"
)

// startServe runs serve with cfg and opt until stop is called (at the latest
// when the test ends) and returns its base URL once it accepts connections.
// stop shuts it down and returns serve's error.
func startServe(t *testing.T, cfg config.Config, opt serveOptions) (base string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	opt.ready = func(_ context.Context, b string) { ready <- b }
	go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), &opt) }()
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() { cancel(); serveErr = <-done })
		return serveErr
	}
	t.Cleanup(func() { assert.NoError(t, stop()) })
	select {
	case base = <-ready:
	case err := <-done:
		done <- err // for stop
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return base, stop
}
