package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"pulse/internal/pulse"
)

// translate turns a driver error into the domain vocabulary: a database that
// cannot be reached becomes EUNAVAILABLE (503), anything else stays an internal
// error whose details only reach the logs.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var perr *pulse.Error
	if errors.As(err, &perr) {
		return err
	}
	if unavailable(err) {
		return pulse.Wrap(err, pulse.EUNAVAILABLE, "The database cannot be reached; try again shortly.")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "22") {
		// Class 22, data exception: a value the database cannot take (bad
		// encoding, out of range). The caller sent it; it is not a server fault.
		return pulse.Wrap(err, pulse.EINVALID, "A value in the request cannot be stored.")
	}
	return err
}

func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: shutting down; 53300: too many connections.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || pgErr.Code == "53300"
	}
	if pgconn.Timeout(err) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true // a connection that hung or dropped mid-query
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, syscall.ECONNREFUSED):
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"database is locked", "sqlite_busy", "unable to open database", "failed to connect", "connection refused", "sql: database is closed", "closed pool", "conn closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// uniqueViolation reports a duplicate key on either engine.
func uniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
