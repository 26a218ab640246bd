package store

import (
	"context"
	"time"

	"pulse/internal/pulse"
)

var (
	_ pulse.AdminStore    = (*DB)(nil)
	_ pulse.APIKeyStore   = (*DB)(nil)
	_ pulse.CategoryStore = (*DB)(nil)
)

type adminRow struct {
	ID           int64
	Email        string
	Role         string
	PasswordHash string
	CreatedAt    time.Time
}

func (adminRow) TableName() string { return "admins" }

func (r adminRow) domain() pulse.Admin {
	return pulse.Admin{ID: r.ID, Email: r.Email, Role: pulse.Role(r.Role), PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC()}
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
	ID        int64
	Name      string
	Prefix    string
	KeyHash   string
	CreatedAt time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

// CreateAPIKey implements pulse.APIKeyStore; only the hash is stored.
func (db *DB) CreateAPIKey(ctx context.Context, k pulse.APIKey) (pulse.APIKey, error) {
	row := apiKeyRow{Name: k.Name, Prefix: k.Prefix, KeyHash: k.Hash, CreatedAt: utc(time.Now())}
	if err := db.with(ctx).Create(&row).Error; err != nil {
		return pulse.APIKey{}, translate(err)
	}
	return pulse.APIKey{ID: row.ID, Name: row.Name, Prefix: row.Prefix, Hash: row.KeyHash, CreatedAt: row.CreatedAt}, nil
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
	r := rows[0]
	return pulse.APIKey{ID: r.ID, Name: r.Name, Prefix: r.Prefix, Hash: r.KeyHash, CreatedAt: r.CreatedAt.UTC()}, nil
}

// CreateCategory implements pulse.CategoryStore.
func (db *DB) CreateCategory(ctx context.Context, name string) (pulse.Category, error) {
	if name == "" || len(name) > 100 {
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
