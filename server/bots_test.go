package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// watchUntil reads frames, moving the clock whenever none comes, until a
// frame of type typ; it checks that seq never skips.
func (h *harness) watchUntil(c *client, seq int, typ string) frame {
	h.t.Helper()
	for range 3000 {
		f, ok := c.tryNext(50 * time.Millisecond)
		if !ok {
			h.clock.Advance(time.Second)
			continue
		}
		if s := f.num("seq"); s != -999 {
			if s != seq+1 {
				h.t.Fatalf("%s: seq %d after %d: %s", c.name, s, seq, f.raw)
			}
			seq = s
		}
		if f.typ() == typ {
			return f
		}
	}
	h.t.Fatalf("%s: no %s", c.name, typ)
	return frame{}
}

// TestHardAgainstHardOverWebSocket seats two hard bots through the API and
// watches their game over a real WebSocket, to its end.
func TestHardAgainstHardOverWebSocket(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.bots = true })
	host := h.player("Host")
	id := h.room(host, map[string]any{"preset": "classic"})
	var ids []string
	for range 2 {
		var out map[string]any
		if code := h.do("POST", "/api/rooms/"+id+"/bots", host.Token, map[string]string{"level": "hard"}, &out); code != 201 ||
			out["level"] != "hard" || out["bot"] != true || !strings.Contains(out["name"].(string), "hard bot") {
			t.Fatalf("add a bot: %d %v", code, out)
		}
		ids = append(ids, out["player_id"].(string))
	}
	watcher := h.dial("watcher", nil)
	watcher.send(map[string]any{"type": "hello", "token": host.Token, "room": id, "as": "spectator"})
	w := watcher.expect("welcome")
	for i, p := range w.room()["players"].([]any) {
		p := p.(map[string]any)
		if p["bot"] != true || p["bot_level"] != "hard" || p["player_id"] != ids[i] {
			t.Fatalf("seat %d: %v", i, p)
		}
	}
	over := h.watchUntil(watcher, int(w.room()["seq"].(float64)), "game_over")
	if over.str("reason") != "all_gold" {
		t.Fatalf("game over: %s", over.raw)
	}
	digs := 0
	for _, f := range watcher.all {
		if f.typ() == "dug" {
			digs++
			if !strings.HasPrefix(f.str("id"), "bot-") {
				t.Fatalf("a bot's dig without its id: %s", f.raw)
			}
		}
	}
	if digs < 10 {
		t.Fatalf("%d digs for 10 gold", digs)
	}
	var games struct{ Games []map[string]any }
	if code := h.do("GET", "/api/games?player="+url.QueryEscape(ids[0]), "", nil, &games); code != 200 || len(games.Games) != 1 {
		t.Fatalf("the bot's games: %d %v", code, games)
	}
	var board struct{ Players []map[string]any }
	h.do("GET", "/api/leaderboard", "", nil, &board)
	if len(board.Players) != 0 {
		t.Fatalf("bots on the leaderboard: %v", board.Players)
	}
}

// TestABotTakesOverOnTheWire: a room that asks for it hands the seat of a
// player who does not come back to a bot, and says so to the others.
func TestABotTakesOverOnTheWire(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.bots = true })
	alice, bob := h.player("Alice"), h.player("Bob")
	id := h.room(alice, map[string]any{"preset": "classic", "turn_seconds": 0, "bot_substitute": "normal"})
	a := h.dial("alice", nil)
	a.send(map[string]any{"type": "hello", "token": alice.Token, "room": id})
	if w := a.expect("welcome"); w.room()["bot_substitute"] != "normal" {
		t.Fatalf("welcome: %s", w.raw)
	}
	b := h.dial("bob", nil)
	b.send(map[string]any{"type": "hello", "token": bob.Token, "room": id})
	b.expect("welcome")
	a.expect("player_joined")
	started := a.expect("game_started")
	// Alice digs on her turns.
	play := func(f frame) {
		turn, ok := f.m["turn"].(float64)
		if ok && turn == 0 && (f.typ() == "dug" || f.typ() == "turn_skipped" || f.typ() == "game_started") {
			cell := undugCell(t, h, id)
			a.send(map[string]any{"type": "dig", "row": cell[0], "col": cell[1]})
		}
	}
	b.ws.Close()
	play(started)
	seq := started.num("seq")
	var replaced frame
	for range 3000 {
		f, ok := a.tryNext(50 * time.Millisecond)
		if !ok {
			h.clock.Advance(5 * time.Second)
			continue
		}
		if f.num("seq") != seq+1 {
			t.Fatalf("seq %d after %d", f.num("seq"), seq)
		}
		seq = f.num("seq")
		if f.typ() == "player_replaced" {
			replaced = f
		}
		if f.typ() == "game_over" {
			break
		}
		play(f)
	}
	if replaced.m == nil || replaced.str("replaced") != bob.ID || replaced.num("seat") != 1 || replaced.str("bot_level") != "normal" {
		t.Fatalf("player_replaced: %v", replaced.raw)
	}
	last := a.all[len(a.all)-1]
	if last.typ() != "game_over" || last.str("reason") != "all_gold" {
		t.Fatalf("the game ended with %s", last.raw)
	}
}

// undugCell finds an undug cell from the room's public snapshot.
func undugCell(t *testing.T, h *harness, id string) [2]int {
	t.Helper()
	var snap map[string]any
	h.do("GET", "/api/rooms/"+id, "", nil, &snap)
	for r, row := range snap["board"].([]any) {
		for c, v := range row.([]any) {
			if v == nil {
				return [2]int{r, c}
			}
		}
	}
	t.Fatal("no undug cell")
	return [2]int{}
}

func TestAddBotAPI(t *testing.T) {
	h := newHarness(t, fast, func(o *harnessOpts) { o.bots = true })
	host, other := h.player("Host"), h.player("Other")
	id := h.room(host, map[string]any{"preset": "classic"})
	full := h.room(host, map[string]any{"preset": "classic"})
	for range 2 {
		if code := h.do("POST", "/api/rooms/"+full+"/bots", host.Token, map[string]string{"level": "easy"}, nil); code != 201 {
			t.Fatalf("fill a room with bots: %d", code)
		}
	}
	for _, tt := range []struct {
		name, room, token string
		body              any
		status            int
		code              string
	}{
		{"no token", id, "", map[string]string{}, 401, "unauthorized"},
		{"not the creator", id, other.Token, map[string]string{}, 403, "not_creator"},
		{"unknown room", "ZZZZZZ", host.Token, map[string]string{}, 404, "unknown_room"},
		{"unknown level", id, host.Token, map[string]string{"level": "genius"}, 400, "invalid_level"},
		{"level of the wrong type", id, host.Token, map[string]any{"level": 3}, 400, "bad_request"},
		{"a room in play", full, host.Token, map[string]string{}, 409, "room_full"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out struct {
				Error struct{ Code string }
			}
			if code := h.do("POST", "/api/rooms/"+tt.room+"/bots", tt.token, tt.body, &out); code != tt.status || out.Error.Code != tt.code {
				t.Fatalf("%d %s, want %d %s", code, out.Error.Code, tt.status, tt.code)
			}
		})
	}
	// No level is normal.
	var out map[string]any
	if code := h.do("POST", "/api/rooms/"+strings.ToLower(id)+"/bots", host.Token, map[string]string{}, &out); code != 201 || out["level"] != "normal" {
		t.Fatalf("a bot with no level: %d %v", code, out)
	}
	var bad struct{ Error struct{ Code string } }
	if code := h.do("POST", "/api/rooms", host.Token, map[string]any{"bot_substitute": "genius"}, &bad); code != 400 || bad.Error.Code != "invalid_level" {
		t.Fatalf("bot_substitute genius: %d %v", code, bad)
	}

	plain := newHarness(t, fast)
	p := plain.player("P")
	r := plain.room(p, map[string]any{})
	var no struct{ Error struct{ Code string } }
	if code := plain.do("POST", "/api/rooms/"+r+"/bots", p.Token, map[string]string{}, &no); code != 501 || no.Error.Code != "not_configured" {
		t.Fatalf("a server without bots: %d %v", code, no)
	}
}
