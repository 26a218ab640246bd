package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"pulse/internal/auth"
	"pulse/internal/config"
	"pulse/internal/httpapi"
	"pulse/internal/providers"
	"pulse/internal/pulse"
	"pulse/internal/telemetry"
)

// serveOptions are what `pulse demo` adds to a plain `pulse serve`.
type serveOptions struct {
	// ingest runs on ingestion requests (the demo's fault injection).
	ingest []echo.MiddlewareFunc
	// ready is called with the base URL once the server accepts connections.
	ready func(ctx context.Context, baseURL string)
	// providerStandIns are the providers whose URLs point at the demo's
	// local stand-ins; the dashboard labels them so.
	providerStandIns map[pulse.Provider]bool
}

// serve runs the API until ctx ends, then drains requests, flushes the last
// telemetry and closes the database.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, opt *serveOptions) error {
	if opt == nil {
		opt = &serveOptions{}
	}
	log.Info("starting pulse", cfg.Redacted()...)
	secret := []byte(cfg.JWTSecret)
	if len(secret) == 0 {
		secret = []byte(randomHex(32))
		log.Warn("PULSE_JWT_SECRET is not set: using a random secret; sessions end when the server restarts, and replicas cannot share them")
	}

	proxies, err := cfg.TrustedProxyNets()
	if err != nil {
		return err
	}
	origins, err := cfg.AllowedOriginList()
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }()

	instance := cfg.Instance(randomHex(4))
	rec := telemetry.NewRecorder(telemetry.RecorderConfig{
		Instance: instance, Logger: log, Buckets: telemetry.LatencyBuckets(cfg.P95DegradedMs, cfg.P95CriticalMs),
	})
	flusher := telemetry.NewFlusher(rec, db, telemetry.FlusherConfig{
		FlushInterval: cfg.TelemetryFlush, Logger: log,
	})
	checker, err := providers.New(providers.Config{
		DailyAPIURL: cfg.DailyAPIURL, DailyAPIKey: cfg.DailyAPIKey,
		LiveKitURL: cfg.LiveKitURL, LiveKitAPIKey: cfg.LiveKitAPIKey, LiveKitAPISecret: cfg.LiveKitAPISecret,
		BeyAPIURL: cfg.BeyAPIURL, BeyAPIKey: cfg.BeyAPIKey,
		DailyStatusURL: config.StatusPageURL(cfg.DailyStatusURL), LiveKitStatusURL: config.StatusPageURL(cfg.LiveKitStatusURL),
		StandIns:      opt.providerStandIns,
		CheckInterval: cfg.CheckInterval, CheckTimeout: cfg.CheckTimeout, SlowThreshold: cfg.CheckSlowThreshold,
		DownAfter: cfg.CheckDownAfter, FlapWindow: cfg.CheckFlapWindow, FlapChanges: cfg.CheckFlapChanges,
	}, providers.Deps{Store: db, Leader: db, Logger: log})
	if err != nil {
		return err
	}

	pruner, err := newPruner(cfg, db, db, log)
	if err != nil {
		return err
	}

	livekitHook, dailyHook, err := webhookReceivers(cfg, time.Now)
	if err != nil {
		return err
	}
	webhookRejections, countRejection := newWebhookRejections()

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.SQL(), "pulse"),
		telemetry.NewCollector(rec),
		newGaugeCollector(db, checker),
		webhookRejections,
	)
	reg.MustRegister(groupCommitCounters(db)...)

	thresholds := pulse.HealthThresholds{
		ErrorRateDegraded: cfg.ErrorRateDegraded, ErrorRateCritical: cfg.ErrorRateCritical,
		P95DegradedMs: cfg.P95DegradedMs, P95CriticalMs: cfg.P95CriticalMs, MinRequests: cfg.HealthMinRequests,
	}
	telemetrySvc := telemetry.NewService(rec, db)
	evaluator, err := newEvaluator(cfg, db, instance, pulse.LiveSources{Sessions: db, Telemetry: telemetrySvc, Pool: db, Providers: checker}, thresholds, log)
	if err != nil {
		return err
	}

	srv := httpapi.New(httpapi.Deps{
		Sessions: db, Admins: db, APIKeys: db, RevokedTokens: db, SignInThrottle: db, Telemetry: telemetrySvc, Providers: checker, DB: db,
		Incidents: db, Silences: db,
		Tokens:     auth.NewTokens(secret, cfg.JWTTTL),
		Thresholds: thresholds,
		Logger:     log, CookieSecure: cfg.CookieSecure, BodyLimit: cfg.BodyLimit,
		RequestTimeout: cfg.RequestTimeout, DashboardDBTimeout: cfg.DashboardDBTimeout,
		CurrentSnapshotInterval: cfg.SnapshotIntervalCurrent, SnapshotInterval: cfg.SnapshotInterval,
		LoginRatePerMinute: cfg.LoginRatePerMinute, TrustedProxies: proxies, StaticDir: cfg.StaticDir,
		BodyReadTimeout: cfg.BodyReadTimeout, AllowedOrigins: origins,
		LoginFreeFailures: cfg.LoginFreeFailures, LoginBackoffMax: cfg.LoginBackoffMax,
		Metrics:          promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}),
		RequestTelemetry: telemetry.Middleware(rec, telemetry.DefaultSkipper),
		IngestMiddleware: opt.ingest,
		RoomEvents:       db, LiveKitWebhook: livekitHook, DailyWebhook: dailyHook,
		WebhookDefaultCategory: cfg.WebhookDefaultCategory, WebhookRejected: countRejection,
		QualityTokens: auth.NewQualityTokens(secret, cfg.QualityTokenTTL, nil), QualityOrigins: cfg.QualityOriginList(),
	})
	// Labelled by route template: the recorder learns the routes once they
	// exist, the timed ones only, so that each starts at zero on /metrics.
	rec.Register(telemetry.TimedRoutes(srv.Echo, telemetry.DefaultSkipper)...)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	httpSrv := &http.Server{
		Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := flusher.Run(bg); err != nil {
			log.Error("final telemetry flush failed", "err", err)
		}
	})
	wg.Go(func() { checker.Run(bg) })
	wg.Go(func() { pruner.Run(bg) })
	wg.Go(func() { evaluator.Run(bg) })
	wg.Go(func() { db.SamplePool(bg, 5*time.Second) })

	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	base := baseURL(ln.Addr())
	log.Info("pulse is listening", "url", base, "instance", instance, "dashboard", base+"/admin/dashboard", "swagger", base+"/swagger/index.html")
	if opt.ready != nil {
		go opt.ready(ctx, base)
	}

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down: draining requests")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = httpSrv.Shutdown(shutdownCtx)
		cancel()
	}
	// Background work stops after the last request, so the final flush holds it.
	stopBackground()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("pulse stopped")
	return err
}

func baseURL(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return "http://" + host + ":" + port
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
