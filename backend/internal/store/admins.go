package store

import (
	"context"
	"time"

	"pulse/internal/pulse"
)

var (
	_ pulse.AdminStore        = (*DB)(nil)
	_ pulse.APIKeyStore       = (*DB)(nil)
	_ pulse.CategoryStore     = (*DB)(nil)
	_ pulse.RevokedTokenStore = (*DB)(nil)
)

type adminRow struct {
	ID           int64
	Email        string
	Role         string
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

func (adminRow) TableName() string { return "admins" }

func (r adminRow) domain() pulse.Admin {
	return pulse.Admin{ID: r.ID, Email: r.Email, Role: pulse.Role(r.Role), PasswordHash: r.PasswordHash,
		Disabled: r.DisabledAt != nil, CreatedAt: r.CreatedAt.UTC()}
}

// CreateAdmin implements pulse.AdminStore.
func (db *DB) CreateAdmin(ctx context.Context, a pulse.Admin) (pulse.Admin, error) {
	row := adminRow{Email: a.Email, Role: string(a.Role), PasswordHash: a.PasswordHash, CreatedAt: utc(time.Now())}
	if err := db.with(ctx).Create(&row).Error; err != nil {
		if uniqueViolation(err) {
			return pulse.Admin{}, pulse.Errorf(pulse.ECONFLICT, "an admin with email %s already exists", a.Email)
		}
		return pulse.Admin{}, translate(err)
	}
	return row.domain(), nil
}

// AdminByEmail implements pulse.AdminStore.
func (db *DB) AdminByEmail(ctx context.Context, email string) (pulse.Admin, error) {
	return db.adminWhere(ctx, "email = ?", email)
}

// AdminByID implements pulse.AdminStore.
func (db *DB) AdminByID(ctx context.Context, id int64) (pulse.Admin, error) {
	return db.adminWhere(ctx, "id = ?", id)
}

// SetAdminRole implements pulse.AdminStore.
func (db *DB) SetAdminRole(ctx context.Context, email string, r pulse.Role) (pulse.Admin, error) {
	if _, err := pulse.ParseRole(string(r)); err != nil {
		return pulse.Admin{}, err
	}
	return db.updateAdmin(ctx, email, `UPDATE admins SET role = ? WHERE email = ?`, string(r), email)
}

// SetAdminDisabled implements pulse.AdminStore. Disabling again keeps the
// time of the first disabling.
func (db *DB) SetAdminDisabled(ctx context.Context, email string, disabled bool) (pulse.Admin, error) {
	if disabled {
		return db.updateAdmin(ctx, email, `UPDATE admins SET disabled_at = COALESCE(disabled_at, ?) WHERE email = ?`, utc(time.Now()), email)
	}
	return db.updateAdmin(ctx, email, `UPDATE admins SET disabled_at = NULL WHERE email = ?`, email)
}

func (db *DB) updateAdmin(ctx context.Context, email, query string, args ...any) (pulse.Admin, error) {
	res := db.with(ctx).Exec(query, args...)
	if res.Error != nil {
		return pulse.Admin{}, translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return pulse.Admin{}, pulse.Errorf(pulse.ENOTFOUND, "no admin with email %s", email)
	}
	return db.AdminByEmail(ctx, email)
}

func (db *DB) adminWhere(ctx context.Context, cond string, arg any) (pulse.Admin, error) {
	var rows []adminRow
	if err := db.with(ctx).Where(cond, arg).Limit(1).Find(&rows).Error; err != nil {
		return pulse.Admin{}, translate(err)
	}
	if len(rows) == 0 {
		return pulse.Admin{}, pulse.Errorf(pulse.ENOTFOUND, "no such admin")
	}
	return rows[0].domain(), nil
}

type apiKeyRow struct {
	ID         int64
	Name       string
	Prefix     string
	KeyHash    string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

func (r apiKeyRow) domain() pulse.APIKey {
	k := pulse.APIKey{ID: r.ID, Name: r.Name, Prefix: r.Prefix, Hash: r.KeyHash, CreatedAt: r.CreatedAt.UTC()}
	if r.LastUsedAt != nil {
		k.LastUsedAt = r.LastUsedAt.UTC()
	}
	if r.RevokedAt != nil {
		k.RevokedAt = r.RevokedAt.UTC()
	}
	return k
}

// CreateAPIKey implements pulse.APIKeyStore; only the hash is stored.
func (db *DB) CreateAPIKey(ctx context.Context, k pulse.APIKey) (pulse.APIKey, error) {
	row := apiKeyRow{Name: k.Name, Prefix: k.Prefix, KeyHash: k.Hash, CreatedAt: utc(time.Now())}
	if err := db.with(ctx).Create(&row).Error; err != nil {
		return pulse.APIKey{}, translate(err)
	}
	return row.domain(), nil
}

// APIKeyByHash implements pulse.APIKeyStore.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (pulse.APIKey, error) {
	var rows []apiKeyRow
	if err := db.with(ctx).Where("key_hash = ?", hash).Limit(1).Find(&rows).Error; err != nil {
		return pulse.APIKey{}, translate(err)
	}
	if len(rows) == 0 {
		return pulse.APIKey{}, pulse.Errorf(pulse.ENOTFOUND, "unknown API key")
	}
	return rows[0].domain(), nil
}

// ListAPIKeys implements pulse.APIKeyStore.
func (db *DB) ListAPIKeys(ctx context.Context) ([]pulse.APIKey, error) {
	var rows []apiKeyRow
	if err := db.with(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	keys := make([]pulse.APIKey, len(rows))
	for i, r := range rows {
		keys[i] = r.domain()
	}
	return keys, nil
}

// RevokeAPIKey implements pulse.APIKeyStore.
func (db *DB) RevokeAPIKey(ctx context.Context, id int64, at time.Time) error {
	res := db.with(ctx).Exec(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, utc(at), id)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := db.with(ctx).Raw(`SELECT COUNT(*) FROM api_keys WHERE id = ?`, id).Scan(&n).Error; err != nil {
		return translate(err)
	}
	if n == 0 {
		return pulse.Errorf(pulse.ENOTFOUND, "no API key with id %d", id)
	}
	return pulse.Errorf(pulse.ECONFLICT, "API key %d is already revoked", id)
}

// TouchAPIKey implements pulse.APIKeyStore. Replicas touching the same key
// at once never move its time backwards.
func (db *DB) TouchAPIKey(ctx context.Context, id int64, at time.Time) error {
	at = utc(at)
	return translate(db.with(ctx).Exec(`UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
		at, id, at).Error)
}

// RevokeToken implements pulse.RevokedTokenStore.
func (db *DB) RevokeToken(ctx context.Context, id string, expiresAt time.Time) error {
	return translate(db.with(ctx).Exec(`INSERT INTO revoked_tokens (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
		id, utc(expiresAt)).Error)
}

// RevokedTokens implements pulse.RevokedTokenStore.
func (db *DB) RevokedTokens(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := db.with(ctx).Raw(`SELECT id FROM revoked_tokens WHERE expires_at > ?`, utc(now)).Scan(&ids).Error
	return ids, translate(err)
}

// PruneRevokedTokens implements pulse.RevokedTokenStore.
func (db *DB) PruneRevokedTokens(ctx context.Context, t time.Time) (int64, error) {
	res := db.with(ctx).Exec(`DELETE FROM revoked_tokens WHERE expires_at <= ?`, utc(t))
	return res.RowsAffected, translate(res.Error)
}

// CreateCategory implements pulse.CategoryStore.
func (db *DB) CreateCategory(ctx context.Context, name string) (pulse.Category, error) {
	if !pulse.ValidCategoryName(name) {
		return pulse.Category{}, pulse.Errorf(pulse.EINVALID, "a category name has 1 to 100 characters")
	}
	var c pulse.Category
	err := db.with(ctx).Raw(`INSERT INTO categories (name, created_at) VALUES (?, ?) RETURNING id, name`, name, utc(time.Now())).Scan(&c).Error
	if uniqueViolation(err) {
		return c, pulse.Errorf(pulse.ECONFLICT, "category %q already exists", name)
	}
	return c, translate(err)
}

// CountAdminsOutside counts admins whose email does not end with suffix: the
// demo refuses to plant known passwords in a database real people use.
func (db *DB) CountAdminsOutside(ctx context.Context, suffix string) (int64, error) {
	var n int64
	err := db.with(ctx).Raw(`SELECT COUNT(*) FROM admins WHERE email NOT LIKE ?`, "%"+suffix).Scan(&n).Error
	return n, translate(err)
}
