package httpapi

import (
	"github.com/labstack/echo/v4"
	echoSwagger "github.com/swaggo/echo-swagger"

	"pulse/internal/pulse"
)

// routes is every route of the service and its guard, on one screen.
func (s *Server) routes() {
	e := s.Echo

	// Probes and docs: open.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/swagger/doc.json", s.openAPIDocument) // what Swagger UI loads: the OpenAPI 3 document
	e.GET("/swagger/*", echoSwagger.WrapHandler)
	e.GET("/pulse-quality.js", s.qualityReporterScript) // the browser quality reporter; .mjs: the same as an ES module
	e.GET("/pulse-quality.mjs", s.qualityReporterModule)
	if s.metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.metrics))
	}

	// Ingestion by the platform's services: X-API-Key.
	ingest := e.Group("/api/sessions", append([]echo.MiddlewareFunc{s.requireAPIKey}, s.ingestMiddleware...)...)
	ingest.POST("", s.createSession)
	ingest.POST("/:id/quality", s.recordQuality)
	ingest.POST("/:id/end", s.endSession)

	// Admin sign-in: open to JSON from this origin, limited per address and per account.
	e.POST("/api/admin/auth/login", s.login, s.sameOriginJSON, s.loginLimiter())
	e.POST("/api/admin/auth/logout", s.logout, s.sameOriginJSON)
	e.GET("/api/admin/auth/me", s.me, s.requireRole(anyRole))

	// Metrics: SYSTEM_MONITOR and SUPER_ADMIN only.
	metrics := e.Group("/api/admin/metrics", s.requireRole(pulse.Role.CanViewMetrics))
	metrics.GET("/current", s.currentMetrics)
	metrics.GET("/sessions", s.sessionMetrics)
	metrics.GET("/errors", s.errorTrend)
	metrics.GET("/external-services", s.externalServices)
}
