package httpapi

import (
	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"

	"pulse/internal/pulse"
)

// routes is every route of the service and its guard, on one screen.
//
// Guards are given per route, not to e.Group: a group with middleware
// catches every path under it, so a wrong method there was a 404 (after the
// guard) instead of the 405 with Allow that other routes answer.
func (s *Server) routes() {
	e := s.Echo

	// Probes, docs and the browser quality reporter: open.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/swagger/doc.json", s.openAPIDocument) // what Swagger UI loads: the OpenAPI 3 document
	e.GET("/swagger/*", echoSwagger.WrapHandler)
	e.GET("/pulse-quality.js", s.qualityReporterScript) // .mjs: the same as an ES module
	e.GET("/pulse-quality.mjs", s.qualityReporterModule)
	if s.metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.metrics))
	}

	// Ingestion by the platform's services: X-API-Key.
	apiKey := append([]echo.MiddlewareFunc{s.requireAPIKey}, s.ingestMiddleware...)
	e.POST("/api/sessions", s.createSession, apiKey...)
	e.GET("/api/sessions/by-external/:provider/:external_id", s.sessionByExternalID, apiKey...)
	e.POST("/api/sessions/:id/end", s.endSession, apiKey...)

	// Quality samples: X-API-Key, or the session's own quality token from a
	// participant's browser (CORS for PULSE_QUALITY_ORIGINS, this route only).
	cors := s.qualityCORS()
	e.POST("/api/sessions/:id/quality", s.recordQuality,
		append([]echo.MiddlewareFunc{cors, s.requireAPIKeyOrQualityToken}, s.ingestMiddleware...)...)
	e.OPTIONS("/api/sessions/:id/quality", noContent, allowMethods("OPTIONS, POST"), cors) // the preflight, answered by cors itself

	// Provider webhooks: the provider's own signature (401, counted, when missing or wrong).
	e.POST("/api/webhooks/livekit", s.livekitWebhook)
	e.POST("/api/webhooks/daily", s.dailyWebhook)

	// Admin sign-in: open to JSON from this origin, limited per address and per account.
	e.POST("/api/admin/auth/login", s.login, s.sameOriginJSON, s.loginLimiter())
	e.POST("/api/admin/auth/logout", s.logout, s.sameOriginJSON)
	e.GET("/api/admin/auth/me", s.me, s.requireRole(anyRole))

	// Metrics: SYSTEM_MONITOR and SUPER_ADMIN only.
	viewMetrics := s.requireRole(pulse.Role.CanViewMetrics)
	e.GET("/api/admin/metrics/current", s.currentMetrics, viewMetrics)
	e.GET("/api/admin/metrics/sessions", s.sessionMetrics, viewMetrics)
	e.GET("/api/admin/metrics/errors", s.errorTrend, viewMetrics)
	e.GET("/api/admin/metrics/external-services", s.externalServices, viewMetrics)

	// Alerts: incidents for SYSTEM_MONITOR and SUPER_ADMIN; silences for SUPER_ADMIN only.
	e.GET("/api/admin/incidents", s.listIncidents, viewMetrics)
	manageSilences := s.requireRole(pulse.Role.CanManageSilences)
	e.GET("/api/admin/silences", s.listSilences, manageSilences)
	e.POST("/api/admin/silences", s.createSilence, manageSilences)
	e.DELETE("/api/admin/silences/:id", s.deleteSilence, manageSilences)
}
