package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"pulse/internal/pulse"
)

func TestTranslateServerErrors(t *testing.T) {
	for code, want := range map[string]string{
		"08006": pulse.EUNAVAILABLE, // connection_failure
		"08001": pulse.EUNAVAILABLE, // sqlclient_unable_to_establish_sqlconnection
		"57P01": pulse.EUNAVAILABLE, // admin_shutdown: pg_terminate_backend, a fast shutdown
		"57P02": pulse.EUNAVAILABLE, // crash_shutdown
		"57P03": pulse.EUNAVAILABLE, // cannot_connect_now: starting up, in recovery
		"57P04": pulse.EUNAVAILABLE, // database_dropped
		"57014": pulse.EUNAVAILABLE, // query_canceled: statement_timeout
		"53300": pulse.EUNAVAILABLE, // too_many_connections
		"53100": pulse.EUNAVAILABLE, // disk_full
		"3D000": pulse.EUNAVAILABLE, // invalid_catalog_name: the database is gone
		"28000": pulse.EUNAVAILABLE, // invalid_authorization_specification
		"28P01": pulse.EUNAVAILABLE, // invalid_password: a rotated password
		"55000": pulse.EINTERNAL,    // object_not_in_prerequisite_state on a live connection: a statement's fault
		"22021": pulse.EINVALID,     // character_not_in_repertoire: the caller's value
		"22003": pulse.EINVALID,     // numeric_value_out_of_range
		"23505": pulse.EINTERNAL,    // unique_violation: callers that expect one check uniqueViolation
		"42P01": pulse.EINTERNAL,    // undefined_table: a bug
		"XX000": pulse.EINTERNAL,    // internal_error
	} {
		t.Run(code, func(t *testing.T) {
			err := fmt.Errorf("query: %w", &pgconn.PgError{Severity: "ERROR", Code: code, Message: "server says no"})
			assert.Equal(t, want, pulse.ErrorCode(translate(err)))
		})
	}
}

// Whatever the server answers while a connection opens, the database cannot
// be reached: pgx hands it over as a *pgconn.ConnectError around the
// *pgconn.PgError, and the code inside must not decide.
func TestTranslateConnectRefusals(t *testing.T) {
	for _, code := range []string{
		"55000", // database "x" is not currently accepting connections
		"3D000", // database "x" does not exist
		"28P01", // password authentication failed
		"28000", // role "x" is not permitted to log in / no pg_hba.conf entry
		"53300", // sorry, too many clients already
		"57P03", // the database system is starting up
		"XX000", // anything else refused at connect time
	} {
		t.Run(code, func(t *testing.T) {
			_, err := pgconn.Connect(t.Context(), refusingServer(t, code))
			require.Error(t, err)
			var connErr *pgconn.ConnectError
			require.ErrorAs(t, err, &connErr)
			var pgErr *pgconn.PgError
			require.ErrorAs(t, err, &pgErr)
			assert.Equal(t, code, pgErr.Code)

			assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(translate(err)))
		})
	}
	t.Run("NoServer", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		_, err = pgconn.Connect(t.Context(), "postgres://pulse@"+addr+"/pulse?sslmode=disable&connect_timeout=2")
		require.Error(t, err)
		assert.Equal(t, pulse.EUNAVAILABLE, pulse.ErrorCode(translate(err)))
	})
}

func TestTranslateOtherErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		err  error
		want string
	}{
		"Nil":               {nil, ""},
		"DeadlineExceeded":  {fmt.Errorf("read: %w", context.DeadlineExceeded), pulse.EUNAVAILABLE},
		"DroppedMidQuery":   {io.ErrUnexpectedEOF, pulse.EUNAVAILABLE},
		"BadConn":           {driver.ErrBadConn, pulse.EUNAVAILABLE},
		"SQLiteLocked":      {errors.New("database is locked (5) (SQLITE_BUSY)"), pulse.EUNAVAILABLE},
		"SQLiteUnopenable":  {errors.New("unable to open database file: out of memory (14)"), pulse.EUNAVAILABLE},
		"DomainErrorKept":   {pulse.Errorf(pulse.ENOTFOUND, "no such session"), pulse.ENOTFOUND},
		"AnythingElseIsBug": {errors.New("sql: Scan error on column index 0"), pulse.EINTERNAL},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, pulse.ErrorCode(translate(tc.err)))
		})
	}
}

// refusingServer is a PostgreSQL server that answers every startup with a
// FATAL error of the given SQLSTATE, the way a real one refuses a
// connection; it returns a DSN for it.
func refusingServer(t *testing.T, code string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = conn.Close() }()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				be := pgproto3.NewBackend(conn, conn)
				if _, err := be.ReceiveStartupMessage(); err != nil {
					return
				}
				be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: "refused for the test"})
				_ = be.Flush()
			}()
		}
	}()
	return "postgres://pulse@" + ln.Addr().String() + "/pulse?sslmode=disable&connect_timeout=2"
}
