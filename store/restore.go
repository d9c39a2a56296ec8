package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrInUse is returned by Restore while a server holds the database.
var ErrInUse = errors.New("store: the database is in use")

// RestoreResult says what Restore did.
type RestoreResult struct {
	Version  int    // schema version of the restored copy
	Replaced string // where the replaced database was kept ("" if there was none)
}

// Restore replaces the SQLite database at db with the backup at src. It
// checks src first (integrity_check, and a schema version this binary
// knows), refuses while another process holds db, and keeps the replaced
// database beside it as db.replaced-TIME, with its -wal if one was left.
func Restore(ctx context.Context, src, db string, now time.Time) (RestoreResult, error) {
	if IsPostgres(db) {
		return RestoreResult{}, errors.New("store: restore: goldmine restore replaces SQLite files; restore a PostgreSQL database with pg_restore or psql")
	}
	version, err := CheckFile(ctx, src)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("store: restore: %s is refused: %w", src, err)
	}
	latest, err := SchemaLatest()
	if err != nil {
		return RestoreResult{}, err
	}
	if version > latest {
		return RestoreResult{}, fmt.Errorf("store: restore: %s is at schema version %d, this binary knows up to %d: %w; restore it with the newer goldmine that made it",
			src, version, latest, ErrSchemaTooNew)
	}
	if err := ensureUnused(ctx, db); err != nil {
		return RestoreResult{}, err
	}
	tmp := db + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return RestoreResult{}, fmt.Errorf("store: restore: %w", err)
	}
	res := RestoreResult{Version: version}
	if _, err := os.Stat(db); err == nil {
		res.Replaced = db + ".replaced-" + now.UTC().Format("20060102T150405Z")
		for _, ext := range []string{"", "-wal"} {
			if err := os.Rename(db+ext, res.Replaced+ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
				os.Remove(tmp)
				return RestoreResult{}, fmt.Errorf("store: restore: keep the replaced database: %w", err)
			}
		}
	}
	// A -shm left beside the old file describes its WAL, not the new file.
	os.Remove(db + "-shm")
	if err := os.Rename(tmp, db); err != nil {
		return res, fmt.Errorf("store: restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(db)); err == nil {
		d.Sync() // the renames, durable
		d.Close()
	}
	return res, nil
}

// ensureUnused takes SQLite's exclusive lock on db for a moment: a server
// that has the database open holds a shared lock as long as it runs, so
// the lock is refused exactly while one does. Closing the connection also
// checkpoints a WAL left by a crash into the file, so that the replaced
// file is whole.
func ensureUnused(ctx context.Context, db string) error {
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	h, err := sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?_pragma=busy_timeout(0)")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	conn, err := h.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: restore: open %s: %w", db, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA locking_mode=EXCLUSIVE"); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		if strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "locked") {
			return fmt.Errorf("store: restore: %s: %w by a running server: stop it first (systemctl stop goldmine), then restore", db, ErrInUse)
		}
		return fmt.Errorf("store: restore: lock %s: %w", db, err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	return nil
}

func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
