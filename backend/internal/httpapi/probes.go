package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pulse/internal/apidoc"
)

// Probe is the body of /healthz and /readyz.
type Probe struct {
	Status string `json:"status" example:"ok"`
} //	@name	Probe

// healthz godoc
//
//	@Summary		Liveness: the process is up
//	@Description	Answers without touching the database: restart the process only when this fails.
//	@ID				healthz
//	@Tags			probes
//	@Produce		json
//	@Success		200	{object}	Probe
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Router			/healthz [get]
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Probe{Status: "ok"})
}

// readyz godoc
//
//	@Summary		Readiness: the database answers
//	@Description	Pings the database (2 s at most): send traffic to this replica only while it answers 200.
//	@ID				readyz
//	@Tags			probes
//	@Produce		json
//	@Success		200	{object}	Probe
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Failure		503	{object}	ErrorResponse	"database unreachable"
//	@Router			/readyz [get]
func (s *Server) readyz(c echo.Context) error {
	if err := s.db.Ping(c.Request().Context()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, Probe{Status: "ready"})
}

// openAPIDocument serves the embedded OpenAPI 3 document (api/openapi.json).
func (s *Server) openAPIDocument(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, apidoc.OpenAPI)
}
