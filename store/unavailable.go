package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// unavailable wraps err with ErrUnavailable when the database, not the
// write, is at fault; other errors (a constraint, a bug) pass unchanged.
func unavailable(err error) error {
	if err == nil || errors.Is(err, domain.ErrUnavailable) || !storageFault(err) {
		return err
	}
	return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
}

func storageFault(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
			sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08 connection exception, 53 insufficient resources (53100 is a
		// full disk), 57 operator intervention (a shutdown), 58 system
		// error (I/O).
		switch pe.Code[:2] {
		case "08", "53", "57", "58":
			return true
		}
		return false
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) ||
		errors.As(err, &ce) || pgconn.Timeout(err) || strings.Contains(err.Error(), "conn closed")
}
