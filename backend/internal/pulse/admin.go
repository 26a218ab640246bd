package pulse

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is an admin's role on the platform.
type Role string

const (
	RoleSuperAdmin     Role = "SUPER_ADMIN"
	RoleSystemMonitor  Role = "SYSTEM_MONITOR"
	RoleContentManager Role = "CONTENT_MANAGER"
)

// Roles lists every role.
var Roles = []Role{RoleSuperAdmin, RoleSystemMonitor, RoleContentManager}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if Role(s) == r {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown role %q; allowed: SUPER_ADMIN, SYSTEM_MONITOR, CONTENT_MANAGER", s)
}

// CanViewMetrics is the dashboard's access rule (acceptance criterion 10).
func (r Role) CanViewMetrics() bool { return r == RoleSuperAdmin || r == RoleSystemMonitor }

// Admin is a person who signs in to the dashboard.
type Admin struct {
	ID           int64
	Email        string
	Role         Role
	PasswordHash string
	// Disabled admins cannot sign in, and the tokens they hold are refused.
	Disabled  bool
	CreatedAt time.Time
}

// NormalizeEmail lower-cases and validates an address.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return "", Errorf(EINVALID, "%q is not a valid email address", s)
	}
	return s, nil
}

// MinPasswordLength is the shortest password an admin may be given.
const MinPasswordLength = 10

// AdminStore is the admin store. Lookups and updates answer ENOTFOUND for an
// admin that does not exist.
type AdminStore interface {
	CreateAdmin(ctx context.Context, a Admin) (Admin, error) // ECONFLICT when the email exists
	AdminByEmail(ctx context.Context, email string) (Admin, error)
	AdminByID(ctx context.Context, id int64) (Admin, error)
	SetAdminRole(ctx context.Context, email string, r Role) (Admin, error)
	SetAdminDisabled(ctx context.Context, email string, disabled bool) (Admin, error)
}

// RevokedTokenStore remembers signed-out admin tokens by their id (JWT jti)
// until they would have expired anyway.
type RevokedTokenStore interface {
	// RevokeToken records id; revoking it again changes nothing.
	RevokeToken(ctx context.Context, id string, expiresAt time.Time) error
	// RevokedTokens lists the ids of revoked tokens that expire after now.
	RevokedTokens(ctx context.Context, now time.Time) ([]string, error)
	// PruneRevokedTokens forgets ids whose tokens expired before t.
	PruneRevokedTokens(ctx context.Context, t time.Time) (int64, error)
}

// SignInThrottleStore keeps each account's failed sign-ins (SignInFailures)
// where every replica sees them, so that N replicas do not give a guesser N
// times the attempts. Accounts are keyed by a hash of the normalised email,
// known or not. Errors are EUNAVAILABLE when the database does not answer.
type SignInThrottleStore interface {
	// BeginSignIn applies b.Begin to email's record atomically: parallel
	// attempts, from any replica, all count. It returns the reserved attempt,
	// or how long to wait.
	BeginSignIn(ctx context.Context, email string, b SignInBackoff, now time.Time) (SignInAttempt, time.Duration, error)
	// SignInSucceeded clears the account: the right password ends the backoff.
	SignInSucceeded(ctx context.Context, a SignInAttempt) error
	// RefundSignIn takes back an attempt that could not be judged
	// (SignInFailures.Refund).
	RefundSignIn(ctx context.Context, a SignInAttempt) error
	// PruneSignInThrottle deletes the records forgotten at now (Forgotten):
	// a spray of made-up emails does not grow the table for ever.
	PruneSignInThrottle(ctx context.Context, now time.Time) (int64, error)
}

// APIKey is a credential the platform's services ingest with. Only a hash of
// the secret is ever stored.
type APIKey struct {
	ID        int64
	Name      string
	Prefix    string // the first characters, to recognise a key in listings
	Hash      string
	CreatedAt time.Time
	// LastUsedAt is when the key last let a request in, to about a minute;
	// zero when never.
	LastUsedAt time.Time
	// RevokedAt is when the key was revoked; zero while it is active.
	RevokedAt time.Time
}

// Revoked reports whether the key may no longer be used.
func (k APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// APIKeyStore is the API key store.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k APIKey) (APIKey, error)
	// APIKeyByHash finds a key, revoked ones included; ENOTFOUND when unknown.
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error)
	// ListAPIKeys lists every key, revoked ones included, oldest first.
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
	// RevokeAPIKey revokes an active key: ENOTFOUND when there is no such
	// key, ECONFLICT when it is already revoked.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	// TouchAPIKey moves the key's LastUsedAt forward to at (never back).
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
}

// Category is a counselor category sessions are grouped by.
type Category struct {
	ID   int64
	Name string
}

// ValidCategoryName reports whether name (already trimmed) can name a
// category: 1 to 100 characters.
func ValidCategoryName(name string) bool { return name != "" && len(name) <= 100 }

// CategoryStore is the category store.
type CategoryStore interface {
	CreateCategory(ctx context.Context, name string) (Category, error) // ECONFLICT when it exists
}
