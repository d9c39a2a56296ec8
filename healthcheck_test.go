package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startRun starts run() with args on 127.0.0.1:0 and a database in a temp
// folder unless args name them, waits until it serves, and returns its
// address and its log. The server stops at the end of the test.
func startRun(t *testing.T, args ...string) (addr string, log *syncWriter) {
	t.Helper()
	base := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "g.db")}
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncWriter{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append(base, args...), func(string) string { return "" }, &bytes.Buffer{}, log)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("exit code %d:\n%s", code, log.String())
		}
	})
	re := regexp.MustCompile(`goldmine: serving"? addr=(\S+)`)
	for i := 0; ; i++ {
		if m := re.FindStringSubmatch(log.String()); m != nil {
			return m[1], log
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("stopped with %d before serving:\n%s", code, log.String())
		case <-time.After(10 * time.Millisecond):
		}
		if i == 2000 {
			t.Fatalf("not serving:\n%s", log.String())
		}
	}
}

func TestHealthcheck(t *testing.T) {
	addr, _ := startRun(t)
	_, port, _ := strings.Cut(addr, ":")
	check := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"healthcheck"}, args...), func(string) string { return "" }, &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	t.Run("OK", func(t *testing.T) {
		if code, out := check("--addr", ":"+port); code != 0 {
			t.Fatalf("exit code %d: %s", code, out)
		}
	})
	t.Run("URL", func(t *testing.T) {
		if code, out := check("--url", "http://"+addr+"/healthz"); code != 0 {
			t.Fatalf("exit code %d: %s", code, out)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		if code, out := check("--url", "http://"+addr+"/nope"); code != 1 || !strings.Contains(out, "404") {
			t.Fatalf("exit code %d, want 1 with 404: %s", code, out)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		if code, out := check("--addr", "127.0.0.1:1", "--timeout", "2s"); code != 1 || !strings.Contains(out, "refused") {
			t.Fatalf("exit code %d, want 1, refused: %s", code, out)
		}
	})
	t.Run("BadAddr", func(t *testing.T) {
		if code, out := check("--addr", "nope"); code != 2 || !strings.Contains(out, "--addr") {
			t.Fatalf("exit code %d, want 2 naming --addr: %s", code, out)
		}
	})
}
