package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestRestore: a backup taken while the server runs is refused while it
// still runs, a corrupt file is refused, and a good one replaces the
// database, keeps the old one beside it, and the server starts on it.
func TestRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "goldmine.db")
	backup := filepath.Join(t.TempDir(), "copy.db")
	corrupt := filepath.Join(t.TempDir(), "corrupt.db")
	t.Run("WhileServing", func(t *testing.T) {
		startRun(t, "--db", db)
		if code, _, errs := runCmd(t, "backup", "--db", db, backup); code != 0 {
			t.Fatalf("backup: %d %s", code, errs)
		}
		before, _ := os.ReadFile(db)
		code, _, errs := runCmd(t, "restore", "--db", db, backup)
		if code != 1 || !strings.Contains(errs, "in use") || !strings.Contains(errs, "stop it first") {
			t.Fatalf("restore while serving: %d %q, want refused", code, errs)
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
			t.Fatal("a refused restore changed the database")
		}
	}) // the server stops here
	t.Run("Corrupt", func(t *testing.T) {
		good, _ := os.ReadFile(backup)
		bad := append([]byte{}, good...)
		for i := 4096; i < len(bad); i++ {
			bad[i] ^= 0x5a
		}
		os.WriteFile(corrupt, bad, 0o600)
		os.WriteFile(corrupt+"-text", []byte("not a database at all"), 0o600)
		for _, f := range []string{corrupt, corrupt + "-text", filepath.Join(dir, "missing.db")} {
			before, _ := os.ReadFile(db)
			code, _, errs := runCmd(t, "restore", "--db", db, f)
			if code != 1 || !strings.Contains(errs, "refused") {
				t.Fatalf("restore %s: %d %q, want refused", f, code, errs)
			}
			if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
				t.Fatalf("a refused restore of %s changed the database", f)
			}
		}
	})
	t.Run("OK", func(t *testing.T) {
		old, _ := os.ReadFile(db)
		code, out, errs := runCmd(t, "restore", "--db", db, backup)
		if code != 0 || !strings.Contains(out, "schema version") || !strings.Contains(out, "kept as") {
			t.Fatalf("restore: %d %q %q", code, out, errs)
		}
		want, _ := os.ReadFile(backup)
		if got, _ := os.ReadFile(db); !bytes.Equal(got, want) {
			t.Fatal("the database is not the backup")
		}
		kept, _ := filepath.Glob(db + ".replaced-*")
		if len(kept) != 1 {
			t.Fatalf("replaced files %v, want one", kept)
		}
		if got, _ := os.ReadFile(kept[0]); !bytes.Equal(got, old) {
			t.Fatal("the kept file is not the replaced database")
		}
		// And the server starts on it.
		startRun(t, "--db", db)
	})
	t.Run("Postgres", func(t *testing.T) {
		if code, _, errs := runCmd(t, "restore", "--db", "postgres://x@127.0.0.1:1/x", backup); code != 1 || !strings.Contains(errs, "pg_restore") {
			t.Fatalf("restore into postgres: %d %q", code, errs)
		}
	})
}
