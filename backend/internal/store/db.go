// Package store is Pulse's persistence adapter: GORM over PostgreSQL (production)
// or SQLite (the embedded default). It speaks in domain types and turns driver
// errors into the domain's error codes.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

//go:embed migrations
var migrations embed.FS

// Options tune the connection pool.
type Options struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// Writers is how many group-commit writers send ingestion statements
	// to PostgreSQL (see groupcommit.go); each holds a pool connection
	// while it commits. Ignored on SQLite, which has one writer.
	Writers int
}

// DB is the store. Every method is safe for concurrent use.
type DB struct {
	gorm     *gorm.DB
	sql      *sql.DB
	postgres bool
	pool     *poolSampler
	leader   *leader
	writes   *groupCommit // PostgreSQL only
}

// Open connects to dsn: a postgres:// or postgresql:// URL selects PostgreSQL,
// anything else is a SQLite file path (its directory is created).
func Open(ctx context.Context, dsn string, o Options) (*DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	db := &DB{postgres: isPostgres(dsn)}
	var dialector gorm.Dialector
	if db.postgres {
		dsn = withConnectTimeout(dsn)
		dialector = postgres.Open(dsn)
	} else {
		if dir := filepath.Dir(dsn); dir != "." && dsn != ":memory:" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create %s: %w", dir, err)
			}
		}
		dialector = sqlite.Open(sqliteDSN(dsn))
	}
	g, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, translate(err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	sqlDB.SetMaxIdleConns(o.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(o.ConnMaxLifetime)
	db.gorm, db.sql = g, sqlDB
	db.pool = newPoolSampler(sqlDB)
	db.leader = &leader{dsn: dsn, postgres: db.postgres, conns: map[string]*pgx.Conn{}}
	if err := db.Ping(ctx); err != nil {
		_ = sqlDB.Close() // the ping's error is the one to report
		return nil, err
	}
	if db.postgres {
		db.writes = newGroupCommit(sqlDB, o.Writers)
	}
	return db, nil
}

// sqliteDSN turns on what lets the CLI write while the server runs: WAL (readers
// never block the writer), a busy timeout (writers queue instead of failing),
// and immediate transactions (no deadlock when a reader upgrades to a writer).
func sqliteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// withConnectTimeout bounds how long a connection attempt may hang (a
// partitioned network answers nothing), unless the URL says otherwise.
func withConnectTimeout(dsn string) string {
	if strings.Contains(dsn, "connect_timeout=") {
		return dsn
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "connect_timeout=5"
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Migrate applies every pending migration. On PostgreSQL a session lock keeps
// replicas that start together from migrating twice.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrations()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return translate(fmt.Errorf("store: migrate: %w", err))
	}
	return nil
}

func (db *DB) migrations() (*goose.Provider, error) {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	var opts []goose.ProviderOption
	if db.postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, db.sql, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return translate(db.sql.PingContext(ctx))
}

// Close releases leadership and closes the pool.
func (db *DB) Close() error {
	db.leader.releaseAll()
	if db.writes != nil {
		db.writes.close()
	}
	return db.sql.Close()
}

// SQL exposes the pool for its statistics.
func (db *DB) SQL() *sql.DB { return db.sql }

func (db *DB) with(ctx context.Context) *gorm.DB { return db.gorm.WithContext(ctx) }

// utc normalises a time the way every column stores it: UTC, microseconds
// (PostgreSQL's precision), so SQLite's text timestamps compare in order.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dayOf is the UTC calendar day of t, as the summary table keys it.
func dayOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
