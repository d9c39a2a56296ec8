package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestForwardedForWarningHourly: the warning about X-Forwarded-For from an
// untrusted peer comes the first time, then at most once an hour.
func TestForwardedForWarningHourly(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{cfg: Config{Limits: Limits{MaxBody: 100}, TrustedProxies: []string{"10.0.0.0/8"}},
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	g, err := s.newGuard(http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	send := func(peer string) {
		r := httptest.NewRequest("GET", "/api/rooms", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", "203.0.113.7")
		g.ServeHTTP(httptest.NewRecorder(), r)
	}
	for _, step := range []struct {
		after time.Duration
		peer  string
		want  int
	}{
		{0, "192.0.2.1:1000", 1},
		{time.Minute, "192.0.2.2:1000", 1},
		{58 * time.Minute, "192.0.2.1:1000", 1},
		{time.Minute + time.Second, "192.0.2.1:1000", 2},
		{2 * time.Hour, "10.1.2.3:1000", 2}, // a trusted proxy: no warning
		{0, "[fe80::1%eth0]:1000", 3},
	} {
		now = now.Add(step.after)
		send(step.peer)
		if got := strings.Count(logs.String(), "not a trusted proxy"); got != step.want {
			t.Fatalf("after %v from %s: %d warnings, want %d", step.after, step.peer, got, step.want)
		}
	}
}
