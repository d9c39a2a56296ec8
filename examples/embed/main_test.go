package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/app"
)

// syncBuf is a log sink the test can read while the server writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestHost runs the example host on a real port: its own routes beside
// Goldmine's under /game, a login of its own, a whole game played over
// /game/ws with the host's tokens, and the game-over hook writing the
// result to the host's table exactly once. Meanwhile one hook sleeps 10 s
// and another panics: the moves must not wait for the first, and the room
// must play on after the second.
func TestHost(t *testing.T) {
	logs := &syncBuf{}
	h, err := newHost(t.TempDir(), slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var slept atomic.Bool
	h.gm.OnPlayer(func(ctx context.Context, n app.Notice) error {
		if slept.CompareAndSwap(false, true) {
			time.Sleep(10 * time.Second) // a slow hook that ignores its context
		}
		return nil
	})
	h.gm.OnRoom(func(ctx context.Context, n app.Notice) error {
		if n.Kind == app.RoomCreated {
			panic("a hook's bug")
		}
		return nil
	})
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		h.Close(ctx)
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	if err := h.gm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}

	// 1. The host's own route, and Goldmine under /game.
	for path, want := range map[string]string{
		"/":                 "The host site",
		"/game/healthz":     `"ok"`,
		"/game/":            `<meta name="goldmine-base" content="/game">`,
		"/game/api/presets": `"blitz"`,
		"/game/admin/login": `action="/game/admin/login"`,
	} {
		if code, body := get(t, ts.URL+path, ""); code != 200 || !strings.Contains(body, want) {
			t.Fatalf("GET %s: %d, want 200 with %q:\n%s", path, code, want, body)
		}
	}
	if code, _ := get(t, ts.URL+"/api/rooms", ""); code != 404 {
		t.Fatalf("Goldmine answered outside its prefix: %d", code)
	}
	// Goldmine's own sign-up is off: the host signs players in.
	resp, err := http.Post(ts.URL+"/game/api/players", "application/json", strings.NewReader(`{"name":"Eve"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotImplemented {
		t.Fatalf("POST /game/api/players: %d, want 501", resp.StatusCode)
	}

	// 2. Two players sign in through the host, and play a whole game.
	alice, bob := login(t, ts.URL, "Alice"), login(t, ts.URL, "Bob")
	if code, _ := get(t, ts.URL+"/game/api/rooms", "not-a-session"); code != 200 {
		t.Fatalf("listing rooms: %d", code)
	}
	var created struct{ ID string }
	if code := post(t, ts.URL+"/game/api/rooms", "not-a-session", `{"preset":"blitz"}`, nil); code != 401 {
		t.Fatalf("a room with a bad token: %d, want 401", code)
	}
	if code := post(t, ts.URL+"/game/api/rooms", alice["token"], `{"preset":"blitz","turn_seconds":0}`, &created); code != 201 {
		t.Fatalf("create room: %d", code)
	}
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/game/ws"
	players := map[int]*websocket.Conn{}
	for _, p := range []map[string]string{alice, bob} {
		c, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.WriteJSON(map[string]any{"type": "hello", "token": p["token"], "room": created.ID})
		f := read(t, c, "welcome")
		you := f["you"].(map[string]any)
		if you["player_id"] != p["player_id"] || you["name"] != p["name"] {
			t.Fatalf("welcome: you = %v, want %v", you, p)
		}
		players[int(you["seat"].(float64))] = c
	}
	started := read(t, players[0], "game_started")
	rules := map[string]int{"rows": 6, "cols": 6}
	turn := int(started["turn"].(float64))
	dug := map[[2]int]bool{}
	var over map[string]any
	for moves := 0; over == nil; moves++ {
		if moves > 36 {
			t.Fatal("the game did not end")
		}
		cell := [2]int{-1, -1}
		for i := 0; i < rules["rows"]*rules["cols"] && cell[0] < 0; i++ {
			if c := [2]int{i / rules["cols"], i % rules["cols"]}; !dug[c] {
				cell = c
			}
		}
		sent := time.Now()
		players[turn].WriteJSON(map[string]any{"type": "dig", "row": cell[0], "col": cell[1]})
		f := read(t, players[turn], "dug")
		read(t, players[1-turn], "dug") // keep the other socket in step
		// The 10-second hook is asleep all this while: a move that waited
		// for it would take seconds.
		if took := time.Since(sent); took > 2*time.Second {
			t.Fatalf("move %d took %v: the hooks hold the room up", moves, took)
		}
		for _, c := range f["cells"].([]any) {
			cm := c.(map[string]any)
			dug[[2]int{int(cm["row"].(float64)), int(cm["col"].(float64))}] = true
		}
		if f["turn"] == nil {
			over = read(t, players[turn], "game_over")
			break
		}
		turn = int(f["turn"].(float64))
	}
	gameID := int64(over["game_id"].(float64))

	// The hook writes the result to the host's table once the sleeping
	// hook before it is done.
	var results []struct {
		GameID  int64  `json:"game_id"`
		Winner  string `json:"winner"`
		Players string `json:"players"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(results) == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		_, body := get(t, ts.URL+"/results", "")
		json.Unmarshal([]byte(body), &results)
	}
	if len(results) != 1 || results[0].GameID != gameID || results[0].Players != "Alice, Bob" || results[0].Winner == "" {
		t.Fatalf("the host's results: %+v, want game %d of Alice and Bob, once", results, gameID)
	}
	// Exactly once: nothing more comes.
	time.Sleep(300 * time.Millisecond)
	_, body := get(t, ts.URL+"/results", "")
	json.Unmarshal([]byte(body), &results)
	if len(results) != 1 {
		t.Fatalf("the result was recorded %d times", len(results))
	}
	// The panicking hook was logged, and the room played on regardless.
	if !strings.Contains(logs.String(), "hook panicked: a hook's bug") {
		t.Fatalf("the hook's panic is not in the log:\n%s", logs.String())
	}
	// The game is Goldmine's as much as the host's.
	var g struct {
		Players []struct {
			PlayerID string `json:"player_id"`
		}
	}
	if code := getJSON(t, fmt.Sprintf("%s/game/api/games/%d", ts.URL, gameID), &g); code != 200 || len(g.Players) != 2 || g.Players[0].PlayerID != alice["player_id"] {
		t.Fatalf("GET /game/api/games/%d: %d %+v", gameID, code, g)
	}
}

func login(t *testing.T, base, name string) map[string]string {
	t.Helper()
	resp, err := http.PostForm(base+"/login", url.Values{"name": {name}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out["token"] == "" {
		t.Fatalf("login: %v %v", out, err)
	}
	return out
}

func get(t *testing.T, u, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	code, body := get(t, u, "")
	json.Unmarshal([]byte(body), out)
	return code
}

func post(t *testing.T, u, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// read returns the next frame of type typ, skipping others (presence,
// player_joined, ...).
func read(t *testing.T, c *websocket.Conn, typ string) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var f map[string]any
		if err := c.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f["type"] == "error" {
			t.Fatalf("waiting for %s: %v", typ, f)
		}
		if f["type"] == typ {
			return f
		}
	}
}
