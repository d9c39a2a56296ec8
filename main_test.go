package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		code     int
		stdout   string // must contain
		stderr   string // must contain
		noStderr string // must not contain
	}{
		{name: "help", args: []string{"--help"}, code: 0, stderr: "--db-max-mb [GOLDMINE_DB_MAX_MB]"},
		{name: "help lists defaults", args: []string{"--help"}, code: 0, stderr: "(default :8080)"},
		{name: "unknown flag", args: []string{"--nope"}, code: 2, stderr: "flag provided but not defined: -nope"},
		{name: "bad duration", args: []string{"--grace", "soon"}, code: 2, stderr: "invalid value"},
		{name: "bad env", env: map[string]string{"GOLDMINE_GRACE": "soon"}, code: 2, stderr: "GOLDMINE_GRACE"},
		{name: "stray argument", args: []string{"serve"}, code: 2, stderr: `unexpected argument "serve"`},
		{name: "bad sync", args: []string{"--sync", "off", "--db", filepath.Join(dir, "a.db"), "--addr", "127.0.0.1:0"}, code: 1, stderr: "sync must be"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, code: 2, stderr: "log level"},
		{name: "version", args: []string{"version"}, code: 0, stdout: "goldmine"},
		{name: "backup without dest", args: []string{"backup"}, code: 2, stderr: "Usage: goldmine backup"},
		{name: "backup of a missing db", args: []string{"backup", "--db", filepath.Join(dir, "none.db"), filepath.Join(dir, "b.db")}, code: 1, stderr: "no such file"},
		{name: "address in use", args: []string{"--addr", "256.0.0.1:1", "--db", filepath.Join(dir, "c.db")}, code: 1, stderr: "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			getenv := func(k string) string { return tt.env[k] }
			code := run(context.Background(), tt.args, getenv, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\nstderr: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Fatalf("stdout %q does not contain %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("stderr %q does not contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestRunServesAndStops runs the server from the environment alone and
// stops it by cancelling its context, as a signal would.
func TestRunServesAndStops(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	env := map[string]string{"GOLDMINE_ADDR": "127.0.0.1:0", "GOLDMINE_DB": db}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncWriter
	done := make(chan int)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &bytes.Buffer{}, &stderr) }()
	for i := 0; !strings.Contains(stderr.String(), "goldmine: serving"); i++ {
		if i == 1000 {
			t.Fatalf("not serving:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "db="+db) {
		t.Fatalf("GOLDMINE_DB not used:\n%s", stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stopped cleanly") {
		t.Fatalf("no clean stop:\n%s", stderr.String())
	}
	// The backup command copies the database it left.
	var out, errb bytes.Buffer
	dest := filepath.Join(t.TempDir(), "copy.db")
	if code := run(context.Background(), []string{"backup", "--db", db, dest}, func(string) string { return "" }, &out, &errb); code != 0 {
		t.Fatalf("backup: %d %s", code, errb.String())
	}
}

type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
