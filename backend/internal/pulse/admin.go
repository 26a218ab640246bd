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
	CreatedAt    time.Time
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

// AdminStore is the admin store.
type AdminStore interface {
	CreateAdmin(ctx context.Context, a Admin) (Admin, error) // ECONFLICT when the email exists
	AdminByEmail(ctx context.Context, email string) (Admin, error)
	AdminByID(ctx context.Context, id int64) (Admin, error)
}

// APIKey is a credential the platform's services ingest with. Only a hash of
// the secret is ever stored.
type APIKey struct {
	ID        int64
	Name      string
	Prefix    string // the first characters, to recognise a key in listings
	Hash      string
	CreatedAt time.Time
}

// APIKeyStore is the API key store.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k APIKey) (APIKey, error)
	APIKeyByHash(ctx context.Context, hash string) (APIKey, error) // ENOTFOUND when unknown
}

// Category is a counselor category sessions are grouped by.
type Category struct {
	ID   int64
	Name string
}

// CategoryStore is the category store.
type CategoryStore interface {
	CreateCategory(ctx context.Context, name string) (Category, error) // ECONFLICT when it exists
}
