// Package demo makes a first run look like a platform in motion, through the
// real code paths only: a load driver that calls the running server's HTTP API,
// a fault switch that makes a small, bursty share of ingestion requests fail
// with real 5xx answers, and a backfill that replays a past day of requests
// through the telemetry recorder and a past month of sessions through the store.
//
// Nothing here is reachable from `pulse serve`: only `pulse demo` wires it.
package demo
