// Package telemetry measures the API traffic of this instance and answers
// questions about the traffic of all instances.
//
//   - Recorder counts every request in memory: per-minute slots (requests,
//     5xx errors, 4xx client errors, a latency Histogram) and cumulative
//     per-route counters. Recording is allocation-free and lock-free.
//   - Middleware feeds the Recorder from Echo.
//   - Flusher upserts the minute slots as pulse.Rollup rows into the shared
//     pulse.RollupStore (old rows go in the lifecycle pass). The Recorder keeps an hour of
//     minutes (about 1.1 MB), so a database outage of up to an hour loses no
//     request; beyond that, what is overwritten is counted and logged.
//   - Service implements pulse.TelemetryService from the stored rollups of
//     every instance plus this instance's unflushed minutes.
//   - Collector exports the per-route counters, and the requests dropped, to a
//     Prometheus registry.
//
// Wiring, as cmd/pulse/serve.go does it:
//
//	rec := telemetry.NewRecorder(telemetry.RecorderConfig{Instance: id, Logger: log})
//	flusher := telemetry.NewFlusher(rec, store, telemetry.FlusherConfig{FlushInterval: …})
//	reg.MustRegister(telemetry.NewCollector(rec))
//	srv := httpapi.New(httpapi.Deps{
//		Telemetry:        telemetry.NewService(rec, store), // a pulse.TelemetryService
//		RequestTelemetry: telemetry.Middleware(rec, telemetry.DefaultSkipper),
//		…
//	})
//	rec.Register(telemetry.TimedRoutes(srv.Echo, telemetry.DefaultSkipper)...) // label by route template, each at zero from the start
//	go flusher.Run(ctx)
package telemetry
