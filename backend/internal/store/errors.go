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
	// Checked before the server's code: whatever the server answered while we
	// connected (not accepting connections, unknown database, password
	// rejected, starting up, too many clients), no query ran and the database
	// cannot be reached. pgx wraps those answers, *pgconn.PgError included,
	// in a *pgconn.ConnectError.
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return unavailableCode(pgErr.Code)
	}
	if pgconn.Timeout(err) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true // a connection that hung or dropped mid-query
	}
	var netErr net.Error
	switch {
	case errors.As(err, &netErr),
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

// unavailableCode tells the SQLSTATEs that mean "the database cannot serve
// this now" rather than "this statement is wrong". 55000
// (object_not_in_prerequisite_state) is not among them: on a connection that
// already runs it is a statement's fault (currval before nextval); when a
// database refuses connections it arrives inside a ConnectError instead.
func unavailableCode(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case strings.HasPrefix(code, "53"): // insufficient resources: too many connections, disk full, out of memory
		return true
	case strings.HasPrefix(code, "57P"): // the server or database shuts down, crashed, starts up, was dropped, idle timeout
		return true
	}
	switch code {
	case "57014", // query_canceled: a statement timeout, the database too slow to answer
		"3D000",          // invalid_catalog_name: the database was dropped or renamed
		"28000", "28P01": // authentication failed (a rotated password, a revoked login)
		return true
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
