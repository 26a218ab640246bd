// Package telemetry measures the API traffic of this instance and answers
// questions about the traffic of all instances.
//
//   - Recorder counts every request in memory: per-minute slots (requests,
//     5xx errors, 4xx client errors, a latency Histogram) and cumulative
//     per-route counters. Recording is allocation-free and lock-free.
//   - Middleware feeds the Recorder from Echo.
//   - Flusher upserts the minute slots as pulse.Rollup rows into the shared
//     pulse.RollupStore and prunes old rows. The Recorder keeps an hour of
//     minutes (about 1.1 MB), so a database outage of up to an hour loses no
//     request; beyond that, what is overwritten is counted and logged.
//   - Service implements pulse.TelemetryService from the stored rollups of
//     every instance plus this instance's unflushed minutes.
//   - Collector exports the per-route counters, and the requests dropped, to a
//     Prometheus registry.
//
// Wiring, in cmd:
//
//	rec := telemetry.NewRecorder(telemetry.RecorderConfig{Instance: id, Logger: log})
//	e.Use(middleware.RequestID(), telemetry.Middleware(rec, nil), logger, middleware.Recover())
//	... register every route ...
//	rec.Register(telemetry.EchoRoutes(e)...)
//	reg.MustRegister(telemetry.NewCollector(rec))
//	go telemetry.NewFlusher(rec, store, telemetry.FlusherConfig{}).Run(ctx)
//	svc := telemetry.NewService(rec, store) // a pulse.TelemetryService
package telemetry
