// Package providers checks the video providers' APIs (Daily.co, LiveKit,
// Beyond Presence) in the background and serves their health from memory.
//
// A Checker runs one round of checks immediately when Run starts and then
// every CheckInterval. Each round is run by one instance only (the one that
// wins pulse.Leader); it calls the three providers concurrently, judges each
// raw Outcome with the pure Rules (rules.go), keeps the verdict in memory and
// in the pulse.ProviderCheckStore. Every other instance refreshes its memory
// from the store instead. Providers and Current answer from that memory and
// never call a provider.
//
// In the same round the leader reads what the providers say of themselves:
// their Statuspage summary.json (statuspage.go), and their own count of live
// rooms where the API gives one (LiveKit's ListRooms answer, Daily's
// /presence). Both are stored with the checks, so followers show them too.
package providers
