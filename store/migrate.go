package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The SQLite schema's history is in migrations/, PostgreSQL's in
// migrations_pg/: the same tables and columns, in each one's types.
//
//go:embed migrations/*.sql migrations_pg/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order. Their file names are
// NNNN_name.sql; numbers start at 1 and have no gaps.
func migrations(dir string) ([]migration, error) {
	files, err := fs.Glob(migrationFS, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		base := path.Base(f)
		num, name, ok := strings.Cut(strings.TrimSuffix(base, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || len(num) != 4 {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", base)
		}
		body, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %04d_%s: expected number %04d", m.version, m.name, i+1)
		}
	}
	return out, nil
}

// migrate applies, each in its own transaction, the migrations the database
// lacks, and refuses a database that a newer binary migrated further.
func (s *Store) migrate(ctx context.Context) error {
	dir, timeType := "migrations", "INTEGER"
	if s.d.postgres {
		dir, timeType = "migrations_pg", "BIGINT"
	}
	all, err := migrations(dir)
	if err != nil {
		return err
	}
	if s.d.postgres {
		// Nodes of a cluster may start together: one migrates at a time,
		// and the others find the work done. The lock is the writer
		// connection's, released when migrate returns.
		if _, err := s.w.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrateLockKey); err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer s.w.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrateLockKey)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at `+timeType+` NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	var current int
	if err := s.w.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("store: schema version: %w", err)
	}
	if latest := len(all); current > latest {
		return fmt.Errorf("store: %s is at schema version %d, this binary knows up to %d: %w; run a newer goldmine or restore a backup",
			s.path, current, latest, ErrSchemaTooNew)
	}
	for _, m := range all[current:] {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migration %04d: %w", m.version, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %04d_%s: %w", m.version, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.version, m.name, ms(s.now())); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: record migration %04d: %w", m.version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: commit migration %04d: %w", m.version, err)
		}
		s.log.Info("store: migrated", "version", m.version, "name", m.name)
	}
	return nil
}

// SchemaVersion returns the version the database is at.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}
