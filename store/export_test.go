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
