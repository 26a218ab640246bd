package httpapi

import (
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// claimsKey and adminKey are where the guard leaves the verified claims and
// the admin as they are now, for handlers.
const (
	claimsKey = "pulse.claims"
	adminKey  = "pulse.admin"
)

// requireRole admits a request carrying a valid admin token that was not
// signed out, of an admin who still exists, is not disabled and whose
// current role is allowed: 401 otherwise, 403 for a role that is not allowed.
//
// The current role comes from the store through a per-replica cache at most
// access.MaxAge (5 s) old, so a demotion, a deletion, a disabling or a
// sign-out reaches every replica within 5 s for about one query per admin
// every 5 s. While the database is down, the dashboard stays usable: the rule
// is "the last known state, else the token". The last answer the store gave
// about the admin (or the revoked-token list) is used however old it is; an
// admin this replica never looked up is admitted on the role signed into the
// token, and that is logged. An admin who was demoted or signed out during an
// outage, on a replica that never saw them, keeps their old access until the
// database answers again: a monitoring dashboard that locks everyone out
// during the incident it should show is worse.
func (s *Server) requireRole(allowed func(pulse.Role) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			claims, err := s.tokens.Verify(bearerOrCookie(c))
			if err != nil {
				return err
			}
			revoked, _, err := s.revocations.Revoked(ctx, claims.TokenID)
			switch {
			case pulse.ErrorCode(err) == pulse.EUNAVAILABLE:
				s.log.WarnContext(ctx, "database unavailable and no revoked-token list yet: not checking sign-outs", "admin_id", claims.AdminID)
			case err != nil:
				return err
			case revoked:
				return signIn
			}
			admin, stale, err := s.currentAdmins.Lookup(ctx, claims.AdminID)
			switch {
			case pulse.ErrorCode(err) == pulse.ENOTFOUND:
				return signIn
			case pulse.ErrorCode(err) == pulse.EUNAVAILABLE:
				s.log.WarnContext(ctx, "database unavailable and admin not cached: trusting the token's role",
					"admin_id", claims.AdminID, "role", claims.Role)
				admin = pulse.Admin{ID: claims.AdminID, Email: claims.Email, Role: claims.Role}
			case err != nil:
				return err
			case stale:
				s.log.DebugContext(ctx, "database unavailable: using the last known admin", "admin_id", admin.ID)
			}
			if admin.Disabled {
				return pulse.Errorf(pulse.EUNAUTHORIZED, "This account is disabled.")
			}
			if !allowed(admin.Role) {
				return pulse.Errorf(pulse.EFORBIDDEN, "Your role (%s) may not view system metrics.", admin.Role)
			}
			c.Set(claimsKey, claims)
			c.Set(adminKey, admin)
			return next(c)
		}
	}
}

// signIn is the answer to a token that no longer stands for anyone.
var signIn = pulse.Errorf(pulse.EUNAUTHORIZED, "Sign in to continue.")

func anyRole(pulse.Role) bool { return true }

func claimsOf(c echo.Context) auth.Claims {
	cl, _ := c.Get(claimsKey).(auth.Claims)
	return cl
}

func adminOf(c echo.Context) pulse.Admin {
	a, _ := c.Get(adminKey).(pulse.Admin)
	return a
}

func bearerOrCookie(c echo.Context) string {
	if h := c.Request().Header.Get(echo.HeaderAuthorization); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t)
		}
		return ""
	}
	if ck, err := c.Cookie(tokenCookie); err == nil {
		return ck.Value
	}
	return ""
}

// requireAPIKey admits the platform's services by the X-API-Key header. A
// revoked key is refused on every replica within access.MaxAge.
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("X-API-Key")
		if key == "" {
			return pulse.Errorf(pulse.EUNAUTHORIZED, "An API key is required in the X-API-Key header.")
		}
		if _, err := s.apiKeys.Verify(c.Request().Context(), key); err != nil {
			return err
		}
		return next(c)
	}
}

// requireAPIKeyOrQualityToken admits the platform's services by X-API-Key,
// or a participant's browser by the quality token of the very session in the
// path: 401 for a bad token, 403 for another session's.
func (s *Server) requireAPIKeyOrQualityToken(next echo.HandlerFunc) echo.HandlerFunc {
	withKey := s.requireAPIKey(next)
	return func(c echo.Context) error {
		if c.Request().Header.Get("X-API-Key") != "" {
			return withKey(c)
		}
		tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok || s.qualityTokens == nil {
			return pulse.Errorf(pulse.EUNAUTHORIZED, "An API key (X-API-Key) or the session's quality token (Authorization: Bearer) is required.")
		}
		sid, err := s.qualityTokens.Verify(strings.TrimSpace(tok))
		if err != nil {
			return err
		}
		if id, err := uuid.Parse(c.Param("id")); err != nil || id.String() != sid {
			return pulse.Errorf(pulse.EFORBIDDEN, "This quality token is for another session.")
		}
		return next(c)
	}
}

// qualityCORS lets the browsers of PULSE_QUALITY_ORIGINS (and only those)
// post quality samples: preflights answered, no cookies.
func (s *Server) qualityCORS() echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOriginFunc: func(origin string) (bool, error) { return s.qualityOrigins[origin], nil },
		AllowMethods:    []string{http.MethodPost},
		AllowHeaders:    []string{echo.HeaderAuthorization, echo.HeaderContentType},
		MaxAge:          600,
	})
}

func noContent(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

// allowMethods hands the CORS middleware the path's methods, which it sends
// as Allow, as Echo's router does for every path without an OPTIONS route of
// its own: a preflight route would otherwise answer without Allow.
func allowMethods(methods string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(echo.ContextKeyHeaderAllow, methods)
			return next(c)
		}
	}
}

// loginLimiter bounds login attempts per client address (addressBucket).
func (s *Server) loginLimiter() echo.MiddlewareFunc {
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(float64(s.loginRatePerMinute) / 60), Burst: s.loginRatePerMinute, ExpiresIn: 3 * time.Minute,
		}),
		IdentifierExtractor: func(c echo.Context) (string, error) { return addressBucket(c.RealIP()), nil },
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "60")
			return pulse.Errorf(pulse.ERATELIMITED, "Too many sign-in attempts; try again in a minute.")
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return pulse.Wrap(err, pulse.EINTERNAL, "Internal error.")
		},
	})
}

// addressBucket is what the per-address login limit counts: an IPv4 address,
// or an IPv6 client's /64 — the block one subscriber or host is given, all
// of whose 2^64 addresses it can use, so counting single IPv6 addresses
// would hand it a fresh budget per attempt.
func addressBucket(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// sameOriginJSON guards the routes that set or clear the admin cookie
// against use from other sites. A request that the browser marks
// cross-origin is refused (403): by Sec-Fetch-Site, or, from browsers that
// do not send it, an Origin other than the request's host and
// PULSE_ALLOWED_ORIGINS (net/http's CrossOriginProtection; clients without
// either header, such as curl, are not browsers and pass). And the body
// must be declared JSON (415): an HTML form or a no-cors fetch cannot send
// that type, so no page elsewhere can sign a visitor in or out.
func (s *Server) sameOriginJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if err := s.crossOrigin.Check(req); err != nil {
			return pulse.Errorf(pulse.EFORBIDDEN, "Requests from another site are not accepted here.")
		}
		if mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType)); err != nil || mt != echo.MIMEApplicationJSON {
			return pulse.Errorf(pulse.EMEDIATYPE, "The request must be sent as Content-Type: application/json.")
		}
		return next(c)
	}
}
