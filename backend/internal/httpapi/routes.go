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
	if s.metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.metrics))
	}

	// Guards are given per route, not to e.Group: a group with middleware
	// catches every path under it, so a wrong method there was a 404 (after
	// the guard) instead of the 405 with Allow that other routes answer.

	// Ingestion by the platform's services: X-API-Key.
	apiKey := append([]echo.MiddlewareFunc{s.requireAPIKey}, s.ingestMiddleware...)
	ingest := e.Group("/api/sessions")
	ingest.POST("", s.createSession, apiKey...)
	ingest.POST("/:id/quality", s.recordQuality, apiKey...)
	ingest.POST("/:id/end", s.endSession, apiKey...)

	// Admin sign-in: open, rate limited.
	e.POST("/api/admin/auth/login", s.login, s.loginLimiter())
	e.POST("/api/admin/auth/logout", s.logout)
	e.GET("/api/admin/auth/me", s.me, s.requireRole(anyRole))

	// Metrics: SYSTEM_MONITOR and SUPER_ADMIN only.
	viewMetrics := s.requireRole(pulse.Role.CanViewMetrics)
	metrics := e.Group("/api/admin/metrics")
	metrics.GET("/current", s.currentMetrics, viewMetrics)
	metrics.GET("/sessions", s.sessionMetrics, viewMetrics)
	metrics.GET("/errors", s.errorTrend, viewMetrics)
	metrics.GET("/external-services", s.externalServices, viewMetrics)
}
