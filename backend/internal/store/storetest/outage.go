package storetest

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// PostgresDatabase is a PostgreSQL database of a test's own (not a schema):
// a whole database can be told to refuse connections, the way a server does
// during maintenance, a failover or after a drop.
type PostgresDatabase struct {
	Name string
	// DSN connects to it.
	DSN   string
	admin *pgx.Conn
}

// MustCreatePostgresDatabase creates a database named prefix_<random> and
// drops it (WITH (FORCE)) at cleanup, after letting it take connections
// again. Without PULSE_TEST_DATABASE_URL the test is skipped (fails in CI).
func MustCreatePostgresDatabase(tb testing.TB, prefix string) *PostgresDatabase {
	tb.Helper()
	base := postgresURL(tb)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	require.NoError(tb, err, "connect to %s", EnvPostgres)
	d := &PostgresDatabase{Name: prefix + "_" + randomHex(tb, 6), admin: admin}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+d.Name)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+d.Name+" ALLOW_CONNECTIONS true")
		if _, err := admin.Exec(ctx, "DROP DATABASE "+d.Name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop database %s: %v", d.Name, err)
		}
		_ = admin.Close(ctx)
	})
	u, err := url.Parse(base)
	require.NoError(tb, err)
	u.Path = "/" + d.Name
	d.DSN = u.String()
	return d
}

// RefuseConnections makes the database refuse new connections and ends the
// ones it has: from then on every connection attempt fails with SQLSTATE
// 55000 ("database … is not currently accepting connections").
func (d *PostgresDatabase) RefuseConnections(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	_, err := d.admin.Exec(ctx, "ALTER DATABASE "+d.Name+" ALLOW_CONNECTIONS false")
	require.NoError(tb, err)
	_, err = d.admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, d.Name)
	require.NoError(tb, err)
	// pg_terminate_backend only signals; wait until the backends are gone.
	require.Eventually(tb, func() bool {
		var n int
		err := d.admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = $1`, d.Name).Scan(&n)
		return err == nil && n == 0
	}, 10*time.Second, 20*time.Millisecond, "the backends of %s did not end", d.Name)
}

// AllowConnections undoes RefuseConnections.
func (d *PostgresDatabase) AllowConnections(tb testing.TB) {
	tb.Helper()
	_, err := d.admin.Exec(context.Background(), "ALTER DATABASE "+d.Name+" ALLOW_CONNECTIONS true")
	require.NoError(tb, err)
}
