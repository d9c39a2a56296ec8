package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestConnectionLimits(t *testing.T) {
	t.Run("PerIP", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) { o.limits.MaxConnsPerIP = 2 })
		a := h.dial("a", nil)
		h.dial("b", nil)
		_, err := h.tryDial(nil)
		if err == nil || !strings.Contains(err.Error(), "HTTP 429") {
			t.Fatalf("third connection from one address: %v, want HTTP 429", err)
		}
		a.ws.Close()
		waitDial(t, h, nil)
	})
	t.Run("Total", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) { o.limits.MaxConns = 1 })
		h.dial("a", nil)
		if _, err := h.tryDial(nil); err == nil || !strings.Contains(err.Error(), "HTTP 503") {
			t.Fatalf("connection past the total: %v, want HTTP 503", err)
		}
	})
	t.Run("PerPlayer", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) { o.limits.MaxConnsPerPlayer = 2 })
		alice := h.player("Alice")
		for i := 0; i < 2; i++ {
			id := h.room(alice, map[string]any{"preset": "classic"})
			h.dial("ok", nil).hello(alice.Token, id, "spectator")
		}
		id := h.room(alice, map[string]any{"preset": "classic"})
		c := h.dial("third", nil)
		c.send(map[string]any{"type": "hello", "token": alice.Token, "room": id, "as": "spectator"})
		if f := c.expect("error"); f.str("code") != "too_many_connections" {
			t.Fatalf("third connection of a player: %s", f.raw)
		}
		if code := c.closed(); code != 1008 {
			t.Fatalf("closed with %d, want 1008", code)
		}
		// Another player from the same address is not affected.
		bob := h.player("Bob")
		h.dial("bob", nil).hello(bob.Token, id, "spectator")
	})
	t.Run("TrustedProxy", func(t *testing.T) {
		fwd := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }
		h := newHarness(t, func(o *harnessOpts) {
			o.limits.MaxConnsPerIP = 1
			o.srv = func(c *serverConfig) { c.TrustedProxies = []string{"127.0.0.1"} }
		})
		h.dial("a", fwd("203.0.113.1"))
		h.dial("b", fwd("203.0.113.2"))
		if _, err := h.tryDial(fwd("203.0.113.1")); err == nil {
			t.Fatal("a second connection from 203.0.113.1 behind the proxy was let in")
		}
		// Without trusted proxies the header is ignored: everyone is 127.0.0.1.
		h2 := newHarness(t, func(o *harnessOpts) { o.limits.MaxConnsPerIP = 1 })
		h2.dial("a", fwd("203.0.113.1"))
		if _, err := h2.tryDial(fwd("203.0.113.2")); err == nil {
			t.Fatal("an untrusted X-Forwarded-For dodged the per-address limit")
		}
	})
}

// waitDial retries a dial while the server releases a closed connection's
// slot; the release happens when that connection's handler returns.
func waitDial(t *testing.T, h *harness, header http.Header) *client {
	t.Helper()
	for i := 0; ; i++ {
		c, err := h.tryDial(header)
		if err == nil {
			return c
		}
		if i == 200 {
			t.Fatalf("dial: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAPIRateLimit(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) { o.limits.APIRate, o.limits.APIBurst = 1, 3 })
	for i := 0; i < 3; i++ {
		if code := h.do("GET", "/api/rooms", "", nil, nil); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	req, _ := http.NewRequest("GET", h.ts.URL+"/api/leaderboard", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 {
		t.Fatalf("request past the burst: %d, want 429", resp.StatusCode)
	}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q, want a number of seconds", resp.Header.Get("Retry-After"))
	}
	// Health checks and WebSockets are not API requests.
	if code := h.do("GET", "/healthz", "", nil, nil); code != 200 {
		t.Fatalf("healthz under the API limit: %d", code)
	}
	h.dial("ws", nil)
}

func TestMaxBody(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) { o.limits.MaxBody = 100 })
	if code := h.do("POST", "/api/players", "", `{"name":"`+strings.Repeat(" ", 100)+`Bob"}`, nil); code != 413 {
		t.Fatalf("body over --max-body: %d, want 413", code)
	}
	if code := h.do("POST", "/api/players", "", `{"name":"Bob"}`, nil); code != 201 {
		t.Fatalf("small body: %d", code)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.srv = func(c *serverConfig) { c.MetricsToken = "scrape-me" } })
	if code := h.do("GET", "/metrics", "", nil, nil); code != 401 {
		t.Fatalf("/metrics without the token: %d, want 401", code)
	}
	if code := h.do("GET", "/metrics", "wrong", nil, nil); code != 401 {
		t.Fatalf("/metrics with a wrong token: %d, want 401", code)
	}
	tb, _ := startClassic(t, h, nil)
	tb.playOut()
	body := scrape(t, h, "scrape-me")
	for _, want := range []string{
		"goldmine_games_finished_total 1",
		`goldmine_rooms{status="finished"} 1`,
		`goldmine_rooms{status="playing"} 0`,
		"goldmine_ws_connections 3",
		fmt.Sprintf("goldmine_moves_total %d", len(tb.lastDugs)),
		fmt.Sprintf("goldmine_move_broadcast_seconds_count %d", len(tb.lastDugs)),
		"goldmine_store_commit_seconds_count",
		"goldmine_ws_closed_slow_total 0",
		`goldmine_rate_limited_total{kind="ws"} 0`,
		`goldmine_connections_refused_total{limit="ip"} 0`,
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, body)
		}
	}
	// Without a token /metrics is not on the main handler at all.
	h2 := newHarness(t)
	if code := h2.do("GET", "/metrics", "", nil, nil); code != 404 {
		t.Fatalf("/metrics with no token configured: %d, want 404", code)
	}
	// MetricsHandler is what --metrics-addr serves.
	mh := httptestServe(t, h2.srv.MetricsHandler())
	resp, err := http.Get(mh + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("MetricsHandler: %d", resp.StatusCode)
	}
}

func scrape(t *testing.T, h *harness, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", h.ts.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	return b.String()
}

// TestNoSecretsInLogs does everything that handles a secret (tokens in
// bearer headers and hellos, forged tokens, the metrics token) and checks
// that no log line and no error reply holds one.
func TestNoSecretsInLogs(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.srv = func(c *serverConfig) { c.MetricsToken = "metrics-secret-token" } })
	alice, bob := h.player("Alice"), h.player("Bob")
	forged := alice.ID + ".AAAAforgedAAAAsignatureAAAA"
	var replies []string
	for _, tok := range []string{alice.Token, forged, "garbage-token-xyz"} {
		var out map[string]any
		h.do("POST", "/api/rooms", tok, map[string]any{"preset": "classic"}, &out)
		replies = append(replies, fmt.Sprint(out))
	}
	id := h.room(alice, map[string]any{"preset": "classic"})
	c := h.dial("x", nil)
	for _, tok := range []string{forged, "garbage-token-xyz"} {
		c.send(map[string]any{"type": "hello", "token": tok, "room": id})
		replies = append(replies, c.expect("error").raw)
	}
	c.hello(alice.Token, id, "player")
	h.dial("bob", nil).hello(bob.Token, id, "player")
	scrape(t, h, "metrics-secret-token")
	h.do("GET", "/metrics", "metrics-wrong-token", nil, nil)
	h.close()
	logs := h.logs.String()
	for _, secret := range []string{alice.Token, bob.Token, strings.Split(alice.Token, ".")[1], forged, "garbage-token-xyz",
		"metrics-secret-token", "metrics-wrong-token"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("a secret (%.12s…) is in the logs:\n%s", secret, logs)
		}
		for _, r := range replies {
			if strings.Contains(r, secret) {
				t.Fatalf("a secret (%.12s…) is in an error reply: %s", secret, r)
			}
		}
	}
}

// TestLayoutNeverServedBeforeGameOver reads every HTTP view of a room and
// its games during play: none may hold the board's layout. After game_over
// the stored game does.
func TestLayoutNeverServedBeforeGameOver(t *testing.T) {
	h := newHarness(t, fast)
	tb, id := startClassic(t, h, nil)
	alice := tb.seats[0].all[0].m["you"].(map[string]any)["player_id"].(string)
	paths := []string{"/api/rooms/" + id, "/api/rooms", "/api/rooms?status=playing", "/api/games", "/api/games?player=" + alice, "/api/games/1"}
	check := func() {
		for _, p := range paths {
			var raw any
			h.do("GET", p, "", nil, &raw)
			if s := fmt.Sprint(raw); strings.Contains(s, tb.layout) || strings.Contains(s, "layout") || strings.Contains(s, "salt") {
				t.Fatalf("GET %s during play serves the layout: %s", p, s)
			}
		}
	}
	check()
	for i := 0; i < 10; i++ {
		if tb.over != nil {
			break // a gold dig (see undug) ended the game
		}
		r, c := tb.undug(0)
		tb.dig(tb.turn, r, c)
		check()
	}
	tb.playOut()
	var g map[string]any
	h.do("GET", fmt.Sprintf("/api/games/%d", tb.over.num("game_id")), "", nil, &g)
	if g["layout"] != tb.layout {
		t.Fatalf("after game_over the game record holds %v, want the layout", g["layout"])
	}
}

func TestAccessLogSkipsHealthz(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 3; i++ {
		h.do("GET", "/healthz", "", nil, nil)
	}
	h.do("GET", "/api/rooms?status=waiting", "", nil, nil)
	logs := h.logs.String()
	if strings.Contains(logs, "path=/healthz") {
		t.Fatalf("health checks are in the access log:\n%s", logs)
	}
	if !strings.Contains(logs, "path=/api/rooms status=200") || strings.Contains(logs, "status=waiting") {
		t.Fatalf("the access log must show the path without its query:\n%s", logs)
	}
}
