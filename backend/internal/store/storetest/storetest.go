// Package storetest opens fresh, migrated stores for tests: a SQLite file in
// the test's temp dir, and, when PULSE_TEST_DATABASE_URL is set, a PostgreSQL
// schema of its own per test so that packages and tests run in parallel.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"pulse/internal/config"
	"pulse/internal/store"
)

// EnvPostgres names the PostgreSQL server tests run against.
const EnvPostgres = "PULSE_TEST_DATABASE_URL"

// Engine is one database engine a test runs against.
type Engine struct {
	Name string
	// Open returns a fresh migrated store and its DSN, closed at cleanup.
	Open func(tb testing.TB) (*store.DB, string)
}

// Engines lists SQLite always and PostgreSQL when configured. In CI
// (CI=true) a missing PostgreSQL fails the run rather than skipping it.
func Engines(tb testing.TB) []Engine {
	tb.Helper()
	es := []Engine{{Name: "sqlite", Open: MustOpenSQLite}}
	if os.Getenv(EnvPostgres) != "" {
		es = append(es, Engine{Name: "postgres", Open: MustOpenPostgres})
	} else if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not set: the PostgreSQL tests must run in CI", EnvPostgres)
	}
	return es
}

// Each runs fn as a parallel subtest per engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			db, _ := e.Open(t)
			fn(t, db)
		})
	}
}

// MustOpenSQLite opens a migrated SQLite store in a temp dir.
func MustOpenSQLite(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	dsn := filepath.Join(tb.TempDir(), "pulse.db")
	return mustOpen(tb, dsn), dsn
}

// MustOpenPostgres creates a schema of its own, opens a migrated store on it,
// and drops the schema at cleanup.
func MustOpenPostgres(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	base := postgresURL(tb)
	ctx := context.Background()
	schema := "pulse_test_" + randomHex(tb, 6)
	admin, err := pgx.Connect(ctx, base)
	require.NoError(tb, err, "connect to %s", EnvPostgres)
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		_ = admin.Close(context.Background())
	})
	u, err := url.Parse(base)
	require.NoError(tb, err)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	dsn := u.String()
	return mustOpen(tb, dsn), dsn
}

// postgresURL returns PULSE_TEST_DATABASE_URL; without it the test is
// skipped, or fails in CI (CI=true), where the PostgreSQL tests must run.
func postgresURL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: the PostgreSQL tests must run in CI", EnvPostgres)
		}
		tb.Skipf("%s not set", EnvPostgres)
	}
	return base
}

func mustOpen(tb testing.TB, dsn string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{MaxOpenConns: 10, MaxIdleConns: 5, Writers: config.Defaults().DBWriters})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	require.NoError(tb, db.Migrate(context.Background()))
	return db
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(tb, err)
	return hex.EncodeToString(b)
}
