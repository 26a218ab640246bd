// Package webhooks verifies the providers' webhook deliveries and translates
// them into pulse.RoomEvent: one file per provider (livekit.go, daily.go),
// each an adapter named after what it wraps. Nothing here touches the store
// or HTTP routing; the HTTP layer reads the body (within the global limit),
// calls Receive, and hands the event to the store.
package webhooks
