package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/internal/pgtest"
	"github.com/goldmine-game/goldmine/store"
)

// The behavioural tests run against both databases: the same test, through
// the same store code, on a SQLite file and on a PostgreSQL database (see
// package pgtest for how one is found).

// backend is a kind of database the store runs on.
type backend struct {
	name string
	// newPath returns a fresh, empty database: a file path or a URL.
	newPath func(tb testing.TB) string
}

// open opens the store on a fresh database of this kind.
func (b backend) open(tb testing.TB, opts ...func(*store.Options)) *store.Store {
	tb.Helper()
	return openAt(tb, b.newPath(tb), opts...)
}

var backends = []backend{
	{"sqlite", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "goldmine.db") }},
	{"postgres", newPostgresDB},
}

// eachBackend runs f once per backend, as subtests.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// newPostgresDB is a fresh PostgreSQL database (package pgtest).
func newPostgresDB(tb testing.TB) string { return pgtest.NewDB(tb) }

func TestPostgresURLsAreRedacted(t *testing.T) {
	if !store.IsPostgres("postgres://u:secret@h/db") || !store.IsPostgres("postgresql://h/db") || store.IsPostgres("goldmine.db") {
		t.Fatal("IsPostgres")
	}
	_, err := store.Open(context.Background(), store.Options{Path: "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1", Log: quietLog})
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	if s := err.Error(); strings.Contains(s, "hunter2") {
		t.Fatalf("the password is in the error: %s", s)
	}
}

// TestOneProcessPerNodeID: a second store with the same node id on the
// same PostgreSQL database is refused while the first is open, and welcome
// once it closed; a node with another id joins beside it.
func TestOneProcessPerNodeID(t *testing.T) {
	dsn := newPostgresDB(t)
	ctx := context.Background()
	open := func(node string) (*store.Store, error) {
		return store.Open(ctx, store.Options{Path: dsn, Log: quietLog, Node: node})
	}
	first, err := open("a")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := open("a"); !errors.Is(err, store.ErrNodeRunning) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("a second node a: %v, want ErrNodeRunning", err)
	}
	other, err := open("b")
	if err != nil {
		t.Fatalf("node b beside node a: %v", err)
	}
	other.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := open("a")
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	second.Close()
}

// TestCloseReleasesTheNodeLock: once Close returns, the node lock is gone,
// so a restart (a new process with the same node id) is never refused by
// the store it just closed. PostgreSQL ends a session, and drops its
// locks, only some time after the client hung up; a busy server shows
// that gap to a store reopened at once.
func TestCloseReleasesTheNodeLock(t *testing.T) {
	dsn := newPostgresDB(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 20 {
		s, err := store.Open(ctx, store.Options{Path: dsn, Log: quietLog, Node: "a"})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
		// The node lock's first key is 0x601d0001 (store/postgres.go).
		var held int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND classid = x'601d0001'::int::oid AND objsubid = 2`).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if held != 0 {
			t.Fatalf("after close %d the node lock is still held", i)
		}
	}
}
