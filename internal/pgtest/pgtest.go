// Package pgtest gives tests a PostgreSQL database of their own.
//
// GOLDMINE_TEST_POSTGRES is the URL of a PostgreSQL server's maintenance
// database (postgres://postgres@127.0.0.1:54329/postgres?sslmode=disable,
// say), on which each test creates a database and drops it when it ends.
// .ci/run starts one. Without it the tests that need one skip and say so,
// or fail when CI=true.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to create and drop test databases
)

// Env names the variable that holds the test server's URL.
const Env = "GOLDMINE_TEST_POSTGRES"

// ServerURL returns the test server's URL, skipping (or, with CI=true,
// failing) the test when there is none.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(Env)
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server)", Env)
		}
		tb.Skipf("no PostgreSQL to test against: set %s to a server's URL (see .ci/run)", Env)
	}
	return u
}

// NewDB creates an empty database on the test server, dropped when the
// test ends, and returns its URL.
func NewDB(tb testing.TB) string {
	tb.Helper()
	admin := ServerURL(tb)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "goldmine_test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		db.Close()
		tb.Fatalf("create a test database on %s: %v", admin, err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
