package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/pulse"
)

// CreateSessionRequest starts a session. No student or counselor identity is accepted.
type CreateSessionRequest struct {
	Category   string `json:"category" example:"Mental Health"`
	Provider   string `json:"provider" enums:"daily,livekit,beyond_presence" example:"daily"`
	ExternalID string `json:"external_id,omitempty" example:"room-8f3a"`
} //	@name	CreateSessionRequest

// CreateSessionResponse identifies the session for later calls.
type CreateSessionResponse struct {
	SessionID string    `json:"session_id" format:"uuid" example:"5b0c3c1e-8a0b-4c58-9e36-0d1f2f7c8b11"`
	StartedAt time.Time `json:"started_at" format:"date-time"`
	QualityGrant
} //	@name	CreateSessionResponse

// QualityGrant is what the platform hands the participant's browser: a token
// that lets it post quality samples of this one session (POST
// /api/sessions/{id}/quality with Authorization: Bearer) and nothing else,
// until the session ends or the token expires. Absent for an ended session.
type QualityGrant struct {
	QualityToken          string     `json:"quality_token,omitempty"`
	QualityTokenExpiresAt *time.Time `json:"quality_token_expires_at,omitempty" format:"date-time"`
}

// SessionResponse is a session as the platform's lookup sees it.
type SessionResponse struct {
	SessionID  string     `json:"session_id" format:"uuid"`
	Provider   string     `json:"provider" enums:"daily,livekit,beyond_presence"`
	ExternalID string     `json:"external_id"`
	Category   string     `json:"category"`
	StartedAt  time.Time  `json:"started_at" format:"date-time"`
	EndedAt    *time.Time `json:"ended_at,omitempty" format:"date-time"`
	QualityGrant
} //	@name	SessionResponse

// qualityGrant issues the session's quality token while it is open.
func (s *Server) qualityGrant(sess pulse.Session) (QualityGrant, error) {
	if s.qualityTokens == nil || sess.EndedAt != nil {
		return QualityGrant{}, nil
	}
	tok, exp, err := s.qualityTokens.Issue(sess.ID)
	if err != nil {
		return QualityGrant{}, err
	}
	return QualityGrant{QualityToken: tok, QualityTokenExpiresAt: &exp}, nil
}

// QualityRequest is one connection quality sample.
type QualityRequest struct {
	Quality string `json:"quality" enums:"excellent,good,fair,poor" example:"good"`
} //	@name	QualityRequest

// EndSessionResponse says when the session ended.
type EndSessionResponse struct {
	SessionID string    `json:"session_id" format:"uuid"`
	EndedAt   time.Time `json:"ended_at" format:"date-time"`
} //	@name	EndSessionResponse

// createSession godoc
//
//	@Summary		Start a session
//	@Description	The same (provider, external_id) again returns the existing session with 200, never a duplicate. The answer carries the session's quality token (for the participant's browser) while the session is open.
//	@ID				createSession
//	@Tags			ingestion
//	@Accept			json
//	@Produce		json
//	@Param			body	body		CreateSessionRequest	true	"Session"
//	@Success		201		{object}	CreateSessionResponse	"created"
//	@Success		200		{object}	CreateSessionResponse	"already known (same provider and external_id)"
//	@Failure		400		{object}	ErrorResponse			"malformed JSON"
//	@Failure		401		{object}	ErrorResponse			"missing, unknown or revoked API key"
//	@Failure		413		{object}	ErrorResponse			"request body over the limit"
//	@Failure		422		{object}	ErrorResponse			"unknown category or provider"
//	@Failure		500		{object}	ErrorResponse			"internal error"
//	@Failure		503		{object}	ErrorResponse			"database unreachable"
//	@Security		APIKey
//	@Router			/api/sessions [post]
func (s *Server) createSession(c echo.Context) error {
	var req CreateSessionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The store validates: it is the one place every caller (API, demo) passes through.
	n := pulse.NewSession{Category: req.Category, Provider: pulse.Provider(req.Provider), ExternalID: req.ExternalID}
	sess, created, err := s.sessions.CreateSession(c.Request().Context(), n, s.now())
	if err != nil {
		return err
	}
	grant, err := s.qualityGrant(sess)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, CreateSessionResponse{SessionID: sess.ID, StartedAt: sess.StartedAt, QualityGrant: grant})
}

// sessionByExternalID godoc
//
//	@Summary		Find a session by its provider's room id
//	@Description	For sessions started by a provider's webhook: the platform finds the session of its room (LiveKit room sid, Daily meeting id) and hands its quality token to the participant's browser. A LiveKit room sid also finds the beyond_presence session the room became when the avatar joined. The token is issued while the session is open.
//	@ID				getSessionByExternalID
//	@Tags			ingestion
//	@Produce		json
//	@Param			provider	path		string	true	"Provider"	Enums(daily, livekit, beyond_presence)
//	@Param			external_id	path		string	true	"The provider's room id"
//	@Success		200			{object}	SessionResponse
//	@Failure		401			{object}	ErrorResponse	"missing, unknown or revoked API key"
//	@Failure		404			{object}	ErrorResponse	"no such session"
//	@Failure		413			{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		422			{object}	ErrorResponse	"unknown provider"
//	@Failure		500			{object}	ErrorResponse	"internal error"
//	@Failure		503			{object}	ErrorResponse	"database unreachable"
//	@Security		APIKey
//	@Router			/api/sessions/by-external/{provider}/{external_id} [get]
func (s *Server) sessionByExternalID(c echo.Context) error {
	sess, err := s.sessions.SessionByExternalID(c.Request().Context(), pulse.Provider(c.Param("provider")), c.Param("external_id"))
	if err != nil {
		return err
	}
	grant, err := s.qualityGrant(sess)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SessionResponse{
		SessionID: sess.ID, Provider: string(sess.Provider), ExternalID: sess.ExternalID, Category: sess.Category,
		StartedAt: sess.StartedAt, EndedAt: sess.EndedAt, QualityGrant: grant,
	})
}

// recordQuality godoc
//
//	@Summary		Add a connection quality sample
//	@Description	With the platform's X-API-Key, or from the participant's browser with the session's own quality token (Authorization: Bearer; CORS for the origins in PULSE_QUALITY_ORIGINS). After the session ends every sample is refused with 409, whichever credential came with it: the browser stops reporting.
//	@ID				recordQuality
//	@Tags			ingestion
//	@Accept			json
//	@Produce		json
//	@Param			id		path	string			true	"Session id"	format(uuid)
//	@Param			body	body	QualityRequest	true	"Sample"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse	"malformed JSON"
//	@Failure		401	{object}	ErrorResponse	"no credentials, or an unknown or revoked API key, or an invalid or expired quality token"
//	@Failure		403	{object}	ErrorResponse	"a quality token of another session"
//	@Failure		404	{object}	ErrorResponse	"unknown session"
//	@Failure		409	{object}	ErrorResponse	"session has ended"
//	@Failure		413	{object}	ErrorResponse	"body over the limit"
//	@Failure		422	{object}	ErrorResponse	"unknown quality"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		APIKey
//	@Security		QualityToken
//	@Router			/api/sessions/{id}/quality [post]
func (s *Server) recordQuality(c echo.Context) error {
	var req QualityRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// The store validates the class, as it does the session: every caller (API, demo) passes through it.
	if err := s.sessions.RecordQuality(c.Request().Context(), c.Param("id"), pulse.Quality(req.Quality), s.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// endSession godoc
//
//	@Summary		End a session
//	@Description	Idempotent: ending again returns the first ended_at. No request body is read.
//	@ID				endSession
//	@Tags			ingestion
//	@Produce		json
//	@Param			id	path		string	true	"Session id"	format(uuid)
//	@Success		200	{object}	EndSessionResponse
//	@Failure		401	{object}	ErrorResponse	"missing, unknown or revoked API key"
//	@Failure		404	{object}	ErrorResponse	"unknown session"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		APIKey
//	@Router			/api/sessions/{id}/end [post]
func (s *Server) endSession(c echo.Context) error {
	sess, err := s.sessions.EndSession(c.Request().Context(), c.Param("id"), s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, EndSessionResponse{SessionID: sess.ID, EndedAt: *sess.EndedAt})
}
