package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/game"
)

// goldmineGoroutines returns the stacks of the other goroutines running
// Goldmine's code, leaving out the store's own (its writer, pruner and
// checkpointer run while the database is open, Start or not).
func goldmineGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 { // this test's own goroutine
			continue
		}
		if strings.Contains(g, "github.com/goldmine-game/goldmine/") && !strings.Contains(g, "github.com/goldmine-game/goldmine/store.") {
			out = append(out, g)
		}
	}
	return out
}

// settle waits, up to 5 s, for the goroutine count to come down to at most
// want, and returns the count it saw last.
func settle(want int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	return n
}

// TestNewRunsNothing: New builds a Goldmine that runs no work of its own
// (no hook runner, no quick-match rounds, no backup schedule: only the
// store's goroutines), its handler answers 503 until Start, and Close
// without Start leaves no goroutine behind.
func TestNewRunsNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	s, err := New(Config{DB: filepath.Join(t.TempDir(), "g.db"), Log: quiet(),
		Backups: BackupConfig{Dir: filepath.Join(t.TempDir(), "backups"), Every: time.Hour, Keep: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if running := goldmineGoroutines(); len(running) != 0 {
		s.Close(context.Background())
		t.Fatalf("New started %d goroutines of Goldmine's:\n\n%s", len(running), strings.Join(running, "\n\n"))
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"unavailable"`) {
		t.Fatalf("GET /healthz before Start: %d %q %s, want 503 unavailable with a Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := settle(before); after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before New, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	if err := s.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Start after Close: %v, want an error", err)
	}
}

// TestStartServesAGame: after Start, a whole game is played over a real
// WebSocket on 127.0.0.1, its game-over hook runs, and a second Start is
// refused.
func TestStartServesAGame(t *testing.T) {
	s, err := New(Config{DB: filepath.Join(t.TempDir(), "g.db"), Log: quiet(),
		Presets: []game.Rules{{Preset: "tiny", Rows: 5, Cols: 5, Gold: 3, MaxPlayers: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	over := make(chan Game, 1)
	s.OnGameOver(func(ctx context.Context, g Game) error { over <- g; return nil })
	if code := post(t, ts.URL+"/api/players", "", `{"name":"Ann"}`, nil); code != http.StatusServiceUnavailable {
		t.Fatalf("an API call before Start: %d, want 503", code)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Fatal("a second Start was accepted")
	}

	var players [2]struct {
		ID    string `json:"player_id"`
		Token string `json:"token"`
	}
	for i, name := range []string{"Ann", "Bob"} {
		if code := post(t, ts.URL+"/api/players", "", `{"name":"`+name+`"}`, &players[i]); code != 201 {
			t.Fatalf("create %s: %d", name, code)
		}
	}
	var snap struct{ ID string }
	if code := post(t, ts.URL+"/api/rooms", players[0].Token, `{"preset":"tiny"}`, &snap); code != 201 {
		t.Fatalf("create a room: %d", code)
	}
	var conns [2]*websocket.Conn
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		c.WriteJSON(map[string]any{"type": "hello", "token": players[i].Token, "room": snap.ID, "as": "player"})
		readUntil(t, c, "welcome")
	}
	started := readUntil(t, conns[0], "game_started")
	turn := int(started["turn"].(float64))
	dug := map[[2]int]bool{}
	apply := func(d map[string]any) {
		for _, x := range d["cells"].([]any) {
			c := x.(map[string]any)
			dug[[2]int{int(c["row"].(float64)), int(c["col"].(float64))}] = true
		}
	}
	for n := 0; ; n++ {
		if n == 25 {
			t.Fatal("25 digs and no end")
		}
		cell := [2]int{n / 5, n % 5}
		for dug[cell] {
			n++
			cell = [2]int{n / 5, n % 5}
		}
		id := fmt.Sprint("dig-", n)
		conns[turn].WriteJSON(map[string]any{"type": "dig", "row": cell[0], "col": cell[1], "id": id})
		// The other player's digs may come first; ours is the dug with our id.
		d := readUntil(t, conns[turn], "dug")
		for d["id"] != id {
			apply(d)
			d = readUntil(t, conns[turn], "dug")
		}
		apply(d)
		if d["turn"] == nil {
			break
		}
		turn = int(d["turn"].(float64))
	}
	readUntil(t, conns[0], "game_over")
	select {
	case g := <-over:
		if len(g.Players) != 2 || g.RoomID != snap.ID {
			t.Fatalf("the hook's game: %+v", g)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the game-over hook did not run")
	}
}

// post sends a JSON body, with a bearer token if given, and decodes the
// answer into out.
func post(t *testing.T, url, token, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
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

// readUntil reads frames until one of type typ, and fails on an error
// frame or after 10 s.
func readUntil(t *testing.T, c *websocket.Conn, typ string) map[string]any {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		if m["type"] == "error" {
			t.Fatalf("waiting for %s: %v", typ, m)
		}
		if m["type"] == typ {
			return m
		}
	}
}
