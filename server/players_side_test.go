package server_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSpectatorCount: the players' pages learn how many watch, from a
// spectators frame (an addition) when a spectator comes and goes.
func TestSpectatorCount(t *testing.T) {
	h := newHarness(t, fast)
	alice, carol := h.player("Alice"), h.player("Carol")
	id := h.room(alice, map[string]any{"preset": "classic"})
	a := h.dial("alice", nil)
	a.hello(alice.Token, id, "player")
	c := h.dial("carol", nil)
	if w := c.hello(carol.Token, id, "spectator"); w.room()["spectators"] != float64(1) {
		t.Fatalf("carol's welcome: %s", w.raw)
	}
	waitWatching(t, a, 1)
	c.send(map[string]any{"type": "leave"})
	waitWatching(t, a, 0)
}

func waitWatching(t *testing.T, c *client, want int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); c.watching != want; {
		if time.Now().After(deadline) {
			t.Fatalf("%s: watching=%d, want %d", c.name, c.watching, want)
		}
		c.quiet(20 * time.Millisecond)
	}
}

// TestChatHistory: a late arrival's welcome, and a resync, carry the last
// 50 chat lines (an addition).
func TestChatHistory(t *testing.T) {
	h := newHarness(t, fast)
	alice, dave := h.player("Alice"), h.player("Dave")
	id := h.room(alice, map[string]any{"preset": "classic"})
	a := h.dial("alice", nil)
	a.hello(alice.Token, id, "player")
	for i := 0; i < 55; i++ {
		if i > 0 && i%10 == 0 {
			h.clock.Advance(time.Second) // the room's chat rate, on the rooms' clock: 10 a second, in bursts of 20
		}
		a.send(map[string]any{"type": "chat", "text": "line " + itoa(i)})
		a.expect("chat")
	}
	d := h.dial("dave", nil)
	w := d.hello(dave.Token, id, "spectator")
	lines, _ := w.room()["chat"].([]any)
	if len(lines) != 50 {
		t.Fatalf("welcome chat has %d lines, want 50: %s", len(lines), w.raw)
	}
	first, last := lines[0].(map[string]any), lines[49].(map[string]any)
	if first["text"] != "line 5" || last["text"] != "line 54" || last["name"] != "Alice" || last["seat"] != float64(0) {
		t.Fatalf("chat lines %v .. %v", first, last)
	}
	d.send(map[string]any{"type": "resync"})
	if s := d.expect("snapshot"); len(s.room()["chat"].([]any)) != 50 {
		t.Fatalf("snapshot: %s", s.raw)
	}
	// The room API's snapshot leaves it out.
	var snap map[string]any
	h.do("GET", "/api/rooms/"+id, "", nil, &snap)
	if _, ok := snap["chat"]; ok {
		t.Fatalf("GET /api/rooms/{id} carries chat: %v", snap)
	}
}

// TestInvisibleNames: names without a visible character are refused.
func TestInvisibleNames(t *testing.T) {
	h := newHarness(t, fast)
	for _, name := range []string{"\u200b\u200b\u200b", "\u200d", "\ufeff\u2060", "\u3164", "\u2800\u2800", " \u200b "} {
		var out struct {
			Error struct{ Code string } `json:"error"`
		}
		if code := h.do("POST", "/api/players", "", map[string]string{"name": name}, &out); code != 400 || out.Error.Code != "invalid_name" {
			t.Fatalf("name %q: %d %v", name, code, out)
		}
	}
	for _, name := range []string{"👩‍💻", "王小明", "WWWWWWWWWWWWWWWWWWWWWWWW"} {
		if code := h.do("POST", "/api/players", "", map[string]string{"name": name}, nil); code != 201 {
			t.Fatalf("name %q: %d, want 201", name, code)
		}
	}
}

// TestOccupiedRooms: ?occupied=1 lists only rooms someone is connected to;
// without it the list is as before.
func TestOccupiedRooms(t *testing.T) {
	h := newHarness(t, fast)
	alice := h.player("Alice")
	empty := h.room(alice, map[string]any{"preset": "classic", "name": "Empty"})
	full := h.room(alice, map[string]any{"preset": "classic", "name": "Busy"})
	a := h.dial("alice", nil)
	a.hello(alice.Token, full, "player")
	ids := func(q string) []string {
		var out struct {
			Rooms []struct {
				ID string `json:"id"`
			} `json:"rooms"`
		}
		if code := h.do("GET", "/api/rooms"+q, "", nil, &out); code != 200 {
			t.Fatalf("GET /api/rooms%s: %d", q, code)
		}
		var ids []string
		for _, r := range out.Rooms {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	want := []string{empty, full}
	slices.Sort(want)
	if got := ids(""); !slices.Equal(got, want) {
		t.Fatalf("all rooms: %v, want %v", got, want)
	}
	if got := ids("?occupied=1"); !slices.Equal(got, []string{full}) {
		t.Fatalf("occupied rooms: %v, want [%s]", got, full)
	}
	if code := h.do("GET", "/api/rooms?occupied=yes", "", nil, nil); code != 400 {
		t.Fatalf("occupied=yes: %d, want 400", code)
	}
}

// TestNotFoundPages: a browser gets a page for an unknown path, an API
// client JSON; and there is a favicon.
func TestNotFoundPages(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	get := func(path, accept string) (int, string, string) {
		req, _ := http.NewRequest("GET", h.ts.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	code, ct, body := get("/nope", "text/html,application/xhtml+xml,*/*;q=0.8")
	if code != 404 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, `href="/"`) {
		t.Fatalf("browser: %d %s %q", code, ct, body)
	}
	code, ct, body = get("/nope", "")
	if code != 404 || !strings.HasPrefix(ct, "application/json") || !strings.Contains(body, `"not_found"`) {
		t.Fatalf("API client: %d %s %q", code, ct, body)
	}
	code, ct, _ = get("/api/nope", "text/html")
	if code != 404 || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("API path from a browser: %d %s", code, ct)
	}
	code, ct, body = get("/favicon.ico", "")
	if code != 200 || !strings.HasPrefix(ct, "image/svg+xml") || !strings.Contains(body, "<svg") {
		t.Fatalf("favicon: %d %s", code, ct)
	}
}

// TestRename: PATCH /api/players/me renames the player, keeping its id
// and stats; the name rules apply.
func TestRename(t *testing.T) {
	h := newHarness(t, fast)
	alice := h.player("Alice")
	var out map[string]any
	if code := h.do("PATCH", "/api/players/me", alice.Token, map[string]string{"name": "  Alicia "}, &out); code != 200 ||
		out["name"] != "Alicia" || out["player_id"] != alice.ID {
		t.Fatalf("rename: %d %v", code, out)
	}
	var me map[string]any
	h.do("GET", "/api/players/me", alice.Token, nil, &me)
	if me["name"] != "Alicia" || me["player_id"] != alice.ID {
		t.Fatalf("me after the rename: %v", me)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if code := h.do("PATCH", "/api/players/me", alice.Token, map[string]string{"name": "\u200b"}, &e); code != 400 || e.Error.Code != "invalid_name" {
		t.Fatalf("invisible rename: %d %v", code, e)
	}
	if code := h.do("PATCH", "/api/players/me", "", map[string]string{"name": "X"}, nil); code != 401 {
		t.Fatalf("rename without a token: %d", code)
	}
	// A room joined after the rename shows the new name.
	id := h.room(alice, map[string]any{"preset": "classic"})
	a := h.dial("alice", nil)
	if w := a.hello(alice.Token, id, "player"); w.m["you"].(map[string]any)["name"] != "Alicia" {
		t.Fatalf("welcome: %s", w.raw)
	}
}
