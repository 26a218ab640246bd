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
} //	@name	CreateSessionResponse

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
//	@Description	The same (provider, external_id) again returns the existing session with 200, never a duplicate.
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
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, CreateSessionResponse{SessionID: sess.ID, StartedAt: sess.StartedAt})
}

// recordQuality godoc
//
//	@Summary		Add a connection quality sample
//	@Description	One sample of the session's connection quality; it also marks the session as seen (active) now. The dashboard averages the samples of the last hour.
//	@ID				recordQuality
//	@Tags			ingestion
//	@Accept			json
//	@Produce		json
//	@Param			id		path	string			true	"Session id"	format(uuid)
//	@Param			body	body	QualityRequest	true	"Sample"
//	@Success		204
//	@Failure		400	{object}	ErrorResponse	"malformed JSON"
//	@Failure		401	{object}	ErrorResponse	"missing, unknown or revoked API key"
//	@Failure		404	{object}	ErrorResponse	"unknown session"
//	@Failure		409	{object}	ErrorResponse	"session has ended"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit"
//	@Failure		422	{object}	ErrorResponse	"unknown quality"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Security		APIKey
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
