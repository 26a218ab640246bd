package httpapi

import (
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// WebhookReceiver verifies one provider's webhook delivery and translates it
// (internal/webhooks): ok=false for a delivery Pulse does not act on,
// EUNAUTHORIZED for a missing or bad signature.
type WebhookReceiver interface {
	Receive(h http.Header, body []byte) (e pulse.RoomEvent, ok bool, err error)
}

// WebhookResponse says what Pulse did with a delivery; providers only look
// at the status code.
type WebhookResponse struct {
	Status    string `json:"status" enums:"applied,duplicate,no_session,ignored" example:"applied"`
	SessionID string `json:"session_id,omitempty" format:"uuid"`
} //	@name	WebhookResponse

// livekitWebhook godoc
//
//	@Summary		Receive a LiveKit webhook
//	@Description	LiveKit's own signature: the Authorization JWT, signed with PULSE_LIVEKIT_API_SECRET, carries the body's SHA-256. room_started starts the room's session (external id: the room sid), room_finished ends it, participant_joined/left mark it seen; a room the Beyond Presence avatar agent joins is a beyond_presence session. The category is the room metadata's "category", else the longest room-name prefix rule, else PULSE_WEBHOOK_DEFAULT_CATEGORY. A redelivered event id changes nothing; other events are acknowledged and ignored.
//	@ID				receiveLiveKitWebhook
//	@Tags			webhooks
//	@Accept			application/webhook+json
//	@Produce		json
//	@Param			body	body		object			true	"A LiveKit WebhookEvent"
//	@Success		200		{object}	WebhookResponse	"applied, duplicate or ignored"
//	@Failure		400		{object}	ErrorResponse	"signed, but not a webhook event"
//	@Failure		401		{object}	ErrorResponse	"signature missing or invalid (counted in pulse_webhook_rejected_total)"
//	@Failure		404		{object}	ErrorResponse	"LiveKit webhooks are not configured"
//	@Failure		413		{object}	ErrorResponse	"body over the limit"
//	@Failure		500		{object}	ErrorResponse	"internal error (LiveKit retries)"
//	@Failure		503		{object}	ErrorResponse	"database unreachable (LiveKit retries)"
//	@Security		LiveKitWebhook
//	@Router			/api/webhooks/livekit [post]
func (s *Server) livekitWebhook(c echo.Context) error {
	return s.receiveWebhook(c, pulse.ProviderLiveKit, s.livekitHook, "PULSE_LIVEKIT_API_KEY and PULSE_LIVEKIT_API_SECRET")
}

// dailyWebhook godoc
//
//	@Summary		Receive a Daily webhook
//	@Description	Daily's signature: X-Webhook-Signature is the base64 HMAC-SHA256, keyed with the base64-decoded PULSE_DAILY_WEBHOOK_SECRET, of X-Webhook-Timestamp + "." + the body; a timestamp more than 5 minutes away is refused. meeting.started starts the meeting's session (external id: meeting_id), meeting.ended ends it, participant.joined/left mark the room's open session seen. The category is the longest room-name prefix rule, else PULSE_WEBHOOK_DEFAULT_CATEGORY. A body that is not one of these events (Daily's set-up test request included) is acknowledged at once, unverified, and has no effect; a redelivered event id changes nothing.
//	@ID				receiveDailyWebhook
//	@Tags			webhooks
//	@Accept			json
//	@Produce		json
//	@Param			X-Webhook-Signature	header		string			false	"base64 HMAC-SHA256; required on the events Pulse applies"
//	@Param			X-Webhook-Timestamp	header		string			false	"Unix seconds (or milliseconds); required with the signature"
//	@Param			body				body		object			true	"A Daily webhook event"
//	@Success		200					{object}	WebhookResponse	"applied, duplicate, no_session or ignored"
//	@Failure		401					{object}	ErrorResponse	"signature missing, invalid or stale (counted in pulse_webhook_rejected_total)"
//	@Failure		404					{object}	ErrorResponse	"Daily webhooks are not configured"
//	@Failure		413					{object}	ErrorResponse	"body over the limit"
//	@Failure		500					{object}	ErrorResponse	"internal error (Daily retries)"
//	@Failure		503					{object}	ErrorResponse	"database unreachable (Daily retries)"
//	@Router			/api/webhooks/daily [post]
func (s *Server) dailyWebhook(c echo.Context) error {
	return s.receiveWebhook(c, pulse.ProviderDaily, s.dailyHook, "PULSE_DAILY_WEBHOOK_SECRET")
}

// receiveWebhook is both routes' straight line: read (within the body limit),
// verify and translate, apply, answer. The body is never logged.
func (s *Server) receiveWebhook(c echo.Context, p pulse.Provider, recv WebhookReceiver, settings string) error {
	if recv == nil {
		return pulse.Errorf(pulse.ENOTFOUND, "%s webhooks are not configured on this server (set %s).", p.Name(), settings)
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err // the body limit's 413, or a dropped connection
	}
	ev, ok, err := recv.Receive(c.Request().Header, body)
	if pulse.ErrorCode(err) == pulse.EUNAUTHORIZED {
		s.webhookRejected(p)
		s.log.WarnContext(c.Request().Context(), "webhook refused", "provider", p, "reason", err,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if err != nil {
		return err
	}
	if !ok {
		return c.JSON(http.StatusOK, WebhookResponse{Status: "ignored"})
	}
	ev.DefaultCategory = s.webhookDefaultCategory
	res, err := s.roomEvents.ApplyRoomEvent(c.Request().Context(), ev, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, WebhookResponse{Status: string(res.Outcome), SessionID: res.Session.ID})
}
