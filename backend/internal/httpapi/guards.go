package httpapi

import (
	"mime"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// claimsKey is where the guard leaves the verified claims for handlers.
const claimsKey = "pulse.claims"

// requireRole admits a request carrying a valid admin token whose role is
// allowed: 401 without a valid token, 403 for any other role. The role is
// taken from the signed token, so the guard works while the database is down.
func (s *Server) requireRole(allowed func(pulse.Role) bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			claims, err := s.tokens.Verify(bearerOrCookie(c))
			if err != nil {
				return err
			}
			if !allowed(claims.Role) {
				return pulse.Errorf(pulse.EFORBIDDEN, "Your role (%s) may not view system metrics.", claims.Role)
			}
			c.Set(claimsKey, claims)
			return next(c)
		}
	}
}

func anyRole(pulse.Role) bool { return true }

func claimsOf(c echo.Context) auth.Claims {
	cl, _ := c.Get(claimsKey).(auth.Claims)
	return cl
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

// requireAPIKey admits the platform's services by the X-API-Key header.
func (s *Server) requireAPIKey(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("X-API-Key")
		if key == "" {
			return pulse.Errorf(pulse.EUNAUTHORIZED, "An API key is required in the X-API-Key header.")
		}
		if _, err := s.apiKeys.APIKeyByHash(c.Request().Context(), auth.HashAPIKey(key)); err != nil {
			if pulse.ErrorCode(err) == pulse.ENOTFOUND {
				return pulse.Errorf(pulse.EUNAUTHORIZED, "The API key is not valid.")
			}
			return err
		}
		return next(c)
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
