package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the database at src to dest, with
// VACUUM INTO. It reads inside one transaction, so a server may keep
// writing to src meanwhile (WAL lets both run), and the copy is compact and
// ready to use as it is. dest must not exist.
func Backup(ctx context.Context, src, dest string) error {
	if IsPostgres(src) {
		return errors.New("store: backup: goldmine backup copies SQLite files; back a PostgreSQL database up with pg_dump")
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("store: backup: %s exists", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	db, err := sql.Open("sqlite", dsn(src, SyncFull))
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("store: backup to %s: %w", dest, err)
	}
	return nil
}

// Backup writes a consistent copy of the open database to dest.
func (s *Store) Backup(ctx context.Context, dest string) error { return Backup(ctx, s.path, dest) }

// IntegrityCheck runs PRAGMA integrity_check and returns nil when SQLite
// says "ok".
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("store: integrity check: %s", res)
	}
	return nil
}
