package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"pulse/internal/auth"
	"pulse/internal/pulse"
)

// LoginRequest signs an admin in.
type LoginRequest struct {
	Email    string `json:"email" example:"monitor@example.org"`
	Password string `json:"password" example:"correct horse battery"`
} //	@name	LoginRequest

// AdminView is an admin as the dashboard sees them.
type AdminView struct {
	Email string `json:"email" example:"monitor@example.org"`
	Role  string `json:"role" enums:"SUPER_ADMIN,SYSTEM_MONITOR,CONTENT_MANAGER" example:"SYSTEM_MONITOR"`
} //	@name	AdminView

// LoginResponse is the signed-in admin and when the session ends.
type LoginResponse struct {
	Admin     AdminView `json:"admin"`
	ExpiresAt time.Time `json:"expires_at" format:"date-time"`
} //	@name	LoginResponse

// tokenCookie carries the admin token for the dashboard.
const tokenCookie = "admin_token"

// badCredentials is the one answer to any failed sign-in: it does not say
// whether the email exists.
var badCredentials = pulse.Errorf(pulse.EUNAUTHORIZED, "Wrong email or password.")

// login godoc
//
//	@Summary		Sign in
//	@Description	Sets the HttpOnly cookie admin_token (SameSite=Strict). The token is also accepted as Authorization: Bearer.
//	@Description	Only Content-Type: application/json from Pulse's own origin (or PULSE_ALLOWED_ORIGINS) is accepted.
//	@Description	After PULSE_LOGIN_FREE_FAILURES consecutive failures for one email, each attempt must wait 1s, 2s, 4s… (429, Retry-After).
//	@ID				login
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	LoginResponse
//	@Failure		400		{object}	ErrorResponse	"malformed JSON"
//	@Failure		401		{object}	ErrorResponse	"wrong email or password, or the account is disabled"
//	@Failure		403		{object}	ErrorResponse	"sent from another site"
//	@Failure		408		{object}	ErrorResponse	"the body did not arrive in time"
//	@Failure		413		{object}	ErrorResponse	"request body over the limit"
//	@Failure		415		{object}	ErrorResponse	"not Content-Type: application/json"
//	@Failure		429		{object}	ErrorResponse	"too many attempts from this address or for this account; see Retry-After"
//	@Failure		500		{object}	ErrorResponse	"internal error"
//	@Failure		503		{object}	ErrorResponse	"database unreachable"
//	@Router			/api/admin/auth/login [post]
func (s *Server) login(c echo.Context) error {
	var req LoginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	email, err := pulse.NormalizeEmail(req.Email)
	if err != nil {
		auth.BurnPasswordCheck(req.Password)
		return badCredentials
	}
	ctx := c.Request().Context()
	// Nothing is counted when the database does not answer: the error is
	// EUNAVAILABLE, a 503 like any other sign-in the database cannot judge.
	try, wait, err := s.signIns.BeginSignIn(ctx, email, s.backoff, s.now())
	if err != nil {
		return err
	}
	if wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return pulse.Errorf(pulse.ERATELIMITED, "Too many failed sign-ins for this account; try again in %d s.", secs)
	}
	admin, err := s.admins.AdminByEmail(ctx, email)
	switch {
	case pulse.ErrorCode(err) == pulse.ENOTFOUND:
		auth.BurnPasswordCheck(req.Password)
		return badCredentials
	case err != nil:
		// Best effort: when the database is gone for this too, the
		// attempt stays counted.
		if rerr := s.signIns.RefundSignIn(ctx, try); rerr != nil {
			s.log.WarnContext(ctx, "sign-in attempt not refunded", "err", rerr)
		}
		return err
	case !auth.CheckPassword(admin.PasswordHash, req.Password):
		return badCredentials
	case admin.Disabled:
		// Said only to someone who knows the password.
		return pulse.Errorf(pulse.EUNAUTHORIZED, "This account is disabled.")
	}
	if err := s.signIns.SignInSucceeded(ctx, try); err != nil {
		// The password was right; the account's failures are cleared at
		// its next success, or forgotten.
		s.log.WarnContext(ctx, "sign-in backoff not cleared", "err", err)
	}
	token, exp, err := s.tokens.Issue(admin)
	if err != nil {
		return err
	}
	setTokenCookie(c, token, exp, s.cookieSecure)
	s.log.InfoContext(ctx, "admin signed in", "admin_id", admin.ID, "role", admin.Role)
	return c.JSON(http.StatusOK, LoginResponse{Admin: AdminView{Email: admin.Email, Role: string(admin.Role)}, ExpiresAt: exp})
}

// logout godoc
//
//	@Summary		Sign out
//	@Description	Revokes the token (cookie or Bearer) server-side: within 5 s no replica accepts it, copies included. Without a valid token it only clears the cookie. When the database cannot record the sign-out the answer is 503 and the cookie is kept, so that signing out can be retried. Like sign-in, only Content-Type: application/json from Pulse's own origin is accepted (the body is ignored).
//	@ID				logout
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Success		204
//	@Failure		403	{object}	ErrorResponse	"sent from another site"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit"
//	@Failure		415	{object}	ErrorResponse	"not Content-Type: application/json"
//	@Failure		500	{object}	ErrorResponse	"internal error: not signed out"
//	@Failure		503	{object}	ErrorResponse	"database unreachable: not signed out"
//	@Router			/api/admin/auth/logout [post]
func (s *Server) logout(c echo.Context) error {
	if claims, err := s.tokens.Verify(bearerOrCookie(c)); err == nil {
		if err := s.revocations.Revoke(c.Request().Context(), claims.TokenID, claims.ExpiresAt); err != nil {
			return err
		}
		s.log.InfoContext(c.Request().Context(), "admin signed out", "admin_id", claims.AdminID)
	}
	clearTokenCookie(c, s.cookieSecure)
	return c.NoContent(http.StatusNoContent)
}

// me godoc
//
//	@Summary		The signed-in admin
//	@Description	The admin's current role, which may differ from the role they signed in with.
//	@ID				getMe
//	@Tags			auth
//	@Produce		json
//	@Success		200	{object}	LoginResponse
//	@Failure		401	{object}	ErrorResponse	"not signed in, signed out, deleted or disabled"
//	@Failure		413	{object}	ErrorResponse	"request body over the limit (the limit applies to every request)"
//	@Failure		500	{object}	ErrorResponse	"internal error"
//	@Security		BearerAuth
//	@Router			/api/admin/auth/me [get]
func (s *Server) me(c echo.Context) error {
	a, cl := adminOf(c), claimsOf(c)
	return c.JSON(http.StatusOK, LoginResponse{Admin: AdminView{Email: a.Email, Role: string(a.Role)}, ExpiresAt: cl.ExpiresAt.UTC()})
}

func setTokenCookie(c echo.Context, token string, expires time.Time, secure bool) {
	c.SetCookie(&http.Cookie{
		Name: tokenCookie, Value: token, Path: "/", Expires: expires, MaxAge: int(time.Until(expires).Seconds()),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode,
	})
}

func clearTokenCookie(c echo.Context, secure bool) {
	c.SetCookie(&http.Cookie{Name: tokenCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteStrictMode})
}
