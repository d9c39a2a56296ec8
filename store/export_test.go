package store

import (
	"context"
	"database/sql"
	"testing"
)

// Conns returns the writer and reader pools, for tests that inspect them.
func Conns(s *Store) []*sql.DB { return []*sql.DB{s.w, s.r} }

// InsertPlayer adds a player with a chosen id, for tests that need
// readable ids.
func InsertPlayer(tb testing.TB, s *Store, id string) {
	tb.Helper()
	err := s.write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO players (id, name, created_at) VALUES (?, ?, 0)", id, string(id[0]-32)+id[1:])
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// Prune reads the journal's prune bound now, and lets the next commit
// delete below it.
func Prune(tb testing.TB, s *Store) {
	tb.Helper()
	if err := s.readPruneBound(context.Background()); err != nil {
		tb.Fatal(err)
	}
	for range 2 { // the second proves the first emptied the range
		if err := s.write(context.Background(), func(tx *sql.Tx) error { return nil }); err != nil {
			tb.Fatal(err)
		}
	}
}

// JournalRows counts the rows of the move journal.
func JournalRows(tb testing.TB, s *Store) int {
	tb.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM moves").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// OpenAtVersion creates a database at path (a SQLite file, or an empty
// PostgreSQL database's URL) migrated up to version only, runs setup in
// it, and closes it: a database as an older binary left it.
func OpenAtVersion(tb testing.TB, path string, version int, setup string) {
	tb.Helper()
	dir, timeType := "migrations", "INTEGER"
	var db *sql.DB
	var err error
	if IsPostgres(path) {
		dir, timeType = "migrations_pg", "BIGINT"
		db, err = openPostgres(path, SyncFull)
	} else {
		db, err = sql.Open("sqlite", dsn(path, SyncFull))
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	all, err := migrations(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at " + timeType + " NOT NULL)"); err != nil {
		tb.Fatal(err)
	}
	for _, m := range all[:version] {
		if _, err := db.Exec(m.sql); err != nil {
			tb.Fatal(err)
		}
		db.Exec("INSERT INTO schema_migrations VALUES (?, ?, 0)", m.version, m.name)
	}
	if _, err := db.Exec(setup); err != nil {
		tb.Fatal(err)
	}
}

// SetWALLimit sets the WAL size, in pages, past which the checkpointer
// starts the WAL over, and the size it is cut back to (twice that).
func SetWALLimit(s *Store, pages int) {
	s.ckptMu.Lock()
	s.walLimit = pages
	s.ckptMu.Unlock()
	err := s.write(context.Background(), func(tx *sql.Tx) error { return nil }, func() error { return s.limitWAL(context.Background()) })
	if err != nil {
		panic(err)
	}
}

// LastRestart is the mode of the checkpointer's last checkpoint that
// started the WAL over (RESTART or TRUNCATE), or "".
func LastRestart(s *Store) string {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	return s.lastRestart
}

// Checkpoint runs one round of the checkpointer now.
func Checkpoint(tb testing.TB, s *Store) {
	tb.Helper()
	s.checkpoint()
}
