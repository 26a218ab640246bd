// Package pulse is the domain at the centre of the service: sessions and their
// connection quality, admins and roles, request telemetry, provider health and
// the rules that turn all of them into one system health verdict.
//
// It imports no framework. The store, the HTTP layer, the telemetry recorder and
// the provider checkers speak to each other only in the types defined here.
package pulse
