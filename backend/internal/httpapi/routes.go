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

	// Ingestion by the platform's services: X-API-Key.
	ingest := e.Group("/api/sessions", append([]echo.MiddlewareFunc{s.requireAPIKey}, s.ingestMiddleware...)...)
	ingest.POST("", s.createSession)
	ingest.POST("/:id/quality", s.recordQuality)
	ingest.POST("/:id/end", s.endSession)

	// Admin sign-in: open, rate limited.
	e.POST("/api/admin/auth/login", s.login, s.loginLimiter())
	e.POST("/api/admin/auth/logout", s.logout)
	e.GET("/api/admin/auth/me", s.me, s.requireRole(anyRole))

	// Metrics: SYSTEM_MONITOR and SUPER_ADMIN only.
	metrics := e.Group("/api/admin/metrics", s.requireRole(pulse.Role.CanViewMetrics))
	metrics.GET("/current", s.currentMetrics)
	metrics.GET("/sessions", s.sessionMetrics)
	metrics.GET("/errors", s.errorTrend)
	metrics.GET("/external-services", s.externalServices)

	// Alerts: incidents for SYSTEM_MONITOR and SUPER_ADMIN; silences for SUPER_ADMIN only.
	e.GET("/api/admin/incidents", s.listIncidents, s.requireRole(pulse.Role.CanViewMetrics))
	silences := e.Group("/api/admin/silences", s.requireRole(pulse.Role.CanManageSilences))
	silences.GET("", s.listSilences)
	silences.POST("", s.createSilence)
	silences.DELETE("/:id", s.deleteSilence)
}
