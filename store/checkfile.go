package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
)

// ErrCorrupt is returned by CheckFile for a file that is not a sound
// SQLite database.
var ErrCorrupt = errors.New("store: not a sound database")

// CheckFile opens the SQLite database at path read-only, runs PRAGMA
// integrity_check on it, and returns the schema version it was migrated
// to. Backups are checked with it before the oldest is removed, and a
// restore before it replaces anything.
func CheckFile(ctx context.Context, path string) (version int, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("store: check %s: %w", path, err)
	}
	// mode=ro: a check must never change the file it checks, nor leave a
	// -wal or -shm beside it.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("store: check %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return 0, fmt.Errorf("store: check %s: %w: %v", path, ErrCorrupt, err)
	}
	if res != "ok" {
		return 0, fmt.Errorf("store: check %s: %w: integrity_check says %s", path, ErrCorrupt, res)
	}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&version); err != nil {
		return 0, fmt.Errorf("store: check %s: %w: no schema version (%v): is it a Goldmine database?", path, ErrCorrupt, err)
	}
	return version, nil
}

// SchemaLatest is the schema version this binary migrates SQLite
// databases to.
func SchemaLatest() (int, error) {
	all, err := migrations("migrations")
	if err != nil {
		return 0, err
	}
	return len(all), nil
}

// CheckFile is the package's CheckFile, as a method, so that a consumer
// that holds the Store (the scheduled backups, through app) can check its
// copies without importing this package.
func (s *Store) CheckFile(ctx context.Context, path string) (int, error) {
	return CheckFile(ctx, path)
}
