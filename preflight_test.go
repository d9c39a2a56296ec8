package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreflight starts the server with inputs that cannot work and wants
// each refused before anything is written: the message names the flag and
// the fix, the folder stays as it was, and no setup link is logged.
func TestPreflight(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "a-folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	busy := held.Addr().String()
	db := filepath.Join(dir, "g.db")
	pg := "postgres://nobody@127.0.0.1:1/none"
	tests := []struct {
		name string
		args []string
		want []string // all in stderr
	}{
		{"missing folder", []string{"--db", filepath.Join(dir, "nope", "g.db")},
			[]string{"--db", "does not exist", "mkdir -p " + filepath.Join(dir, "nope")}},
		{"folder is a file", []string{"--db", filepath.Join(file, "g.db")}, []string{"--db", "is not a folder"}},
		{"db is a folder", []string{"--db", filepath.Join(dir, "a-folder")}, []string{"--db", "is a folder", "a-folder/goldmine.db"}},
		{"port in use", []string{"--addr", busy, "--db", db}, []string{"--addr " + busy, "in use", "choose another port with --addr"}},
		{"metrics port in use", []string{"--metrics-addr", busy, "--db", db}, []string{"--metrics-addr " + busy, "in use"}},
		{"debug port in use", []string{"--debug-addr", busy, "--db", db}, []string{"--debug-addr", "in use"}},
		{"no such address", []string{"--addr", "256.0.0.1:1", "--db", db}, []string{"--addr 256.0.0.1:1", "listen"}},
		{"backups on postgres", []string{"--db", pg, "--backup-dir", filepath.Join(dir, "b")}, []string{"--backup-dir", "pg_dump"}},
		{"backup keep 0", []string{"--db", db, "--backup-dir", filepath.Join(dir, "b"), "--backup-keep", "0"}, []string{"--backup-keep 0", "at least 1"}},
		{"backup every 1s", []string{"--db", db, "--backup-dir", filepath.Join(dir, "b"), "--backup-every", "1s"}, []string{"--backup-every 1s", "once a minute"}},
		{"backups beside the db", []string{"--db", db, "--backup-dir", dir}, []string{"--backup-dir", "folder of their own"}},
		{"backup dir is a file", []string{"--db", db, "--backup-dir", file}, []string{"--backup-dir", "not a folder"}},
		{"backup dir nowhere", []string{"--db", db, "--backup-dir", filepath.Join(dir, "x", "y")}, []string{"--backup-dir", "mkdir -p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := listDir(t, dir)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, tt.args...), func(string) string { return "" }, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit code %d, want 1\nstderr: %s", code, stderr.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q does not contain %q", stderr.String(), want)
				}
			}
			for _, not := range []string{"migrated", "setup", "serving"} {
				if strings.Contains(stderr.String(), not) {
					t.Errorf("stderr %q: got as far as %q", stderr.String(), not)
				}
			}
			if after := listDir(t, dir); after != before {
				t.Errorf("the folder changed: %s, then %s", before, after)
			}
		})
	}
}

// listDir names the files under dir.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		names = append(names, path)
		return nil
	})
	return strings.Join(names, " ")
}

// TestSetupLinkIsWhole: the first start logs one setup link, and it is a
// URL a browser opens as it is, built from the listen address.
func TestSetupLinkIsWhole(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, log := startRun(t, "--addr", addr)
	if got := strings.Count(log.String(), "/admin/setup?token="); got != 1 {
		t.Fatalf("%d setup links in the log, want 1:\n%s", got, log.String())
	}
	if want := `url="http://` + addr + `/admin/setup?token=`; !strings.Contains(log.String(), want) {
		t.Fatalf("log has no %s:\n%s", want, log.String())
	}
}
