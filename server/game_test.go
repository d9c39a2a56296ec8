package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
)

// startClassic seats Alice and Bob in a new classic room, with Carol
// watching, and returns the table right after game_started.
func startClassic(t *testing.T, h *harness, body map[string]any) (*table, string) {
	t.Helper()
	alice, bob, carol := h.player("Alice"), h.player("Bob"), h.player("Carol")
	if body == nil {
		body = map[string]any{"preset": "classic"}
	}
	id := h.room(alice, body)
	a := h.dial("alice", nil)
	wa := a.hello(alice.Token, id, "player")
	if you := wa.m["you"].(map[string]any); you["seat"] != float64(0) || you["role"] != "player" || you["name"] != "Alice" {
		t.Fatalf("alice's welcome: %s", wa.raw)
	}
	if r := wa.room(); r["status"] != "waiting" || r["seq"] != float64(1) {
		t.Fatalf("alice's welcome room: %s", wa.raw)
	}
	c := h.dial("carol", nil)
	wc := c.hello(carol.Token, id, "spectator")
	if you := wc.m["you"].(map[string]any); you["seat"] != nil || you["role"] != "spectator" {
		t.Fatalf("carol's welcome: %s", wc.raw)
	}
	b := h.dial("bob", nil)
	wb := b.hello(bob.Token, id, "player")
	if you := wb.m["you"].(map[string]any); you["seat"] != float64(1) {
		t.Fatalf("bob's welcome: %s", wb.raw)
	}
	if got := wb.room()["seq"]; got != float64(2) {
		t.Fatalf("bob's welcome seq = %v, want 2 (after his own join)", got)
	}
	for _, cl := range []*client{a, c} {
		if f := cl.expect("player_joined"); f.num("seq") != 2 || f.num("seat") != 1 || f.str("player_id") != bob.ID {
			t.Fatalf("%s: %s", cl.name, f.raw)
		}
	}
	rules := wb.room()["rules"].(map[string]any)
	tb := newTable(t, int(rules["rows"].(float64)), int(rules["cols"].(float64)), 2, 0, []*client{a, b}, c)
	started := tb.event("game_started")
	if started.num("turn") != 0 || len(started.str("commitment")) != 64 {
		t.Fatalf("game_started: %s", started.raw)
	}
	tb.layout = h.layout(id)
	return tb, id
}

func TestClassicGame(t *testing.T) {
	h := newHarness(t, fast)
	tb, id := startClassic(t, h, nil)
	started := tb.all[0].all[len(tb.all[0].all)-1]
	if started.m["deadline"] == nil {
		t.Fatal("classic has a 30 s timer: deadline must be set")
	}
	over := tb.playOut()

	// Strict alternation: every dug passes the turn.
	for _, d := range tb.lastDugs[:len(tb.lastDugs)-1] {
		if d.num("turn") == d.num("seat") {
			t.Fatalf("classic kept the turn: %s", d.raw)
		}
	}
	if over.str("reason") != "all_gold" {
		t.Fatalf("game_over: %s", over.raw)
	}
	layout, salt := over.str("layout"), over.str("salt")
	if layout != tb.layout {
		t.Fatalf("game_over layout %s, want %s", layout, tb.layout)
	}
	started = tb.all[0].all[2]
	if !game.Verify(started.str("commitment"), salt, layout) {
		t.Fatal("the commitment of game_started does not verify against game_over's salt and layout")
	}
	scores := over.m["scores"].([]any)
	if scores[0].(float64)+scores[1].(float64) != 10 {
		t.Fatalf("scores %v do not sum to the 10 gold", scores)
	}
	checkWinners(t, over)

	// The finished game is stored and served.
	var g map[string]any
	if code := h.do("GET", fmt.Sprintf("/api/games/%d", over.num("game_id")), "", nil, &g); code != 200 {
		t.Fatalf("GET game: %d", code)
	}
	if g["layout"] != layout || g["salt"] != salt || g["room_id"] != id || len(g["moves"].([]any)) != len(tb.lastDugs) {
		t.Fatalf("stored game: %v", g)
	}

	// Nothing about an undug cell left the server before game_over.
	for _, c := range tb.all {
		checkNoLeak(t, c, tb.cols, salt)
	}
	// A finished room's snapshot carries the result.
	tb.seats[0].send(map[string]string{"type": "resync"})
	snap := tb.seats[0].expect("snapshot").room()
	if snap["status"] != "finished" || snap["result"].(map[string]any)["layout"] != layout {
		t.Fatalf("finished snapshot: %v", snap)
	}
}

func checkWinners(t *testing.T, over frame) {
	t.Helper()
	scores := over.m["scores"].([]any)
	best := slices.MaxFunc(scores, func(a, b any) int { return int(a.(float64) - b.(float64)) })
	var want []any
	for s, v := range scores {
		if v == best {
			want = append(want, float64(s))
		}
	}
	if got := over.m["winners"].([]any); !slices.Equal(got, want) {
		t.Fatalf("winners %v, want %v (scores %v)", got, want, scores)
	}
}

// checkNoLeak scans every frame a client got before game_over: a board may
// show only cells that dug events revealed before it, and no frame may
// carry the layout or the salt.
func checkNoLeak(t *testing.T, c *client, cols int, salt string) {
	t.Helper()
	revealed := map[int]bool{}
	for _, f := range c.all {
		if f.typ() == "game_over" {
			return
		}
		if strings.Contains(f.raw, salt) || f.m["layout"] != nil || f.m["salt"] != nil {
			t.Fatalf("%s: frame before game_over carries the salt or layout: %s", c.name, f.raw)
		}
		if cells, ok := f.m["cells"].([]any); ok {
			for _, x := range cells {
				cell := x.(map[string]any)
				revealed[int(cell["row"].(float64))*cols+int(cell["col"].(float64))] = true
			}
		}
		r := f.room()
		if r == nil {
			continue
		}
		if r["result"] != nil {
			t.Fatalf("%s: a result before game_over: %s", c.name, f.raw)
		}
		for i, row := range r["board"].([]any) {
			for j, v := range row.([]any) {
				if v != nil && !revealed[i*cols+j] {
					t.Fatalf("%s: board shows (%d,%d) before it was dug: %s", c.name, i, j, f.raw)
				}
			}
		}
		for _, x := range r["gold_found"].([]any) {
			gf := x.(map[string]any)
			if !revealed[int(gf["row"].(float64))*cols+int(gf["col"].(float64))] {
				t.Fatalf("%s: gold_found names an undug cell: %s", c.name, f.raw)
			}
		}
	}
	t.Fatalf("%s never got game_over", c.name)
}

func TestDigErrors(t *testing.T) {
	// This test sends three messages per case as fast as it can: lift the
	// rate limit, which has its own test.
	h := newHarness(t, func(o *harnessOpts) { o.ws.Rate, o.ws.Burst = 1000, 1000 })
	alice := h.player("Alice")
	id := h.room(alice, map[string]any{"preset": "classic"})
	a := h.dial("alice", nil)
	a.hello(alice.Token, id, "player")
	a.send(map[string]any{"type": "dig", "row": 0, "col": 0, "id": 1})
	if f := a.expect("error"); f.str("code") != "not_started" || f.num("id") != 1 {
		t.Fatalf("dig before start: %s", f.raw)
	}
	a.send(map[string]any{"type": "start"})
	if f := a.expect("error"); f.str("code") != "not_enough_players" {
		t.Fatalf("start alone: %s", f.raw)
	}
	bob := h.player("Bob")
	b := h.dial("bob", nil)
	b.hello(bob.Token, id, "player")
	a.expect("player_joined")
	tb := newTable(t, 9, 9, 2, 0, []*client{a, b})
	tb.event("game_started")
	tb.layout = h.layout(id)
	r, c := tb.undug(0)
	tb.dig(0, r, c)
	dugCell := tb.lastDugs[0].m["cells"].([]any)[0].(map[string]any)

	tests := []struct {
		name string
		by   *client
		msg  string
		code string
	}{
		{"not_your_turn", a, `{"type":"dig","row":8,"col":8,"id":"x1"}`, "not_your_turn"},
		{"already_dug", b, fmt.Sprintf(`{"type":"dig","row":%v,"col":%v,"id":"x2"}`, dugCell["row"], dugCell["col"]), "already_dug"},
		{"out_of_bounds/row", b, `{"type":"dig","row":9,"col":0,"id":"x3"}`, "out_of_bounds"},
		{"out_of_bounds/negative", b, `{"type":"dig","row":0,"col":-1,"id":"x4"}`, "out_of_bounds"},
		{"bad_message/no col", b, `{"type":"dig","row":1}`, "bad_message"},
		{"bad_message/float", b, `{"type":"dig","row":1.5,"col":1}`, "bad_message"},
		{"bad_message/string row", b, `{"type":"dig","row":"1","col":1}`, "bad_message"},
		{"bad_message/huge", b, `{"type":"dig","row":99999999999999999999,"col":1}`, "bad_message"},
		{"bad_message/object id", b, `{"type":"dig","row":1,"col":1,"id":{"a":1}}`, "bad_message"},
		{"bad_message/not json", b, `dig 1 1`, "bad_message"},
		{"bad_message/array", b, `[1,2]`, "bad_message"},
		{"bad_message/no type", b, `{"row":1}`, "bad_message"},
		{"bad_message/unknown type", b, `{"type":"explode"}`, "bad_message"},
		{"bad_message/two objects", b, `{"type":"resync"}{"type":"resync"}`, "bad_message"},
		{"bad_message/long chat", b, `{"type":"chat","text":"` + strings.Repeat("é", 201) + `"}`, "bad_message"},
		{"bad_message/empty chat", b, `{"type":"chat","text":"   "}`, "bad_message"},
		{"bad_message/second hello", b, fmt.Sprintf(`{"type":"hello","token":%q,"room":%q}`, bob.Token, id), "bad_message"},
		{"already_started", a, `{"type":"start"}`, "already_started"},
		{"not_finished", a, `{"type":"rematch"}`, "not_finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := resync(t, tt.by)
			tt.by.send(tt.msg)
			f := tt.by.expect("error")
			if f.str("code") != tt.code || f.str("message") == "" {
				t.Fatalf("%s: got %s, want code %s", tt.msg, f.raw, tt.code)
			}
			if strings.Contains(tt.msg, `"id":"x`) && f.m["id"] == nil {
				t.Fatalf("error does not echo the move id: %s", f.raw)
			}
			if after := resync(t, tt.by); after != before {
				t.Fatalf("a refused message changed the room:\n%s\n%s", before, after)
			}
		})
	}
	// The connection stays usable: a legal dig still works.
	r, c = tb.undug(0)
	tb.dig(1, r, c)
}

// resync returns the room snapshot as JSON.
func resync(t *testing.T, c *client) string {
	t.Helper()
	c.send(map[string]string{"type": "resync"})
	f := c.expect("snapshot")
	b, _ := json.Marshal(f.room())
	return string(b)
}

func TestDuplicateMoveID(t *testing.T) {
	h := newHarness(t)
	tb, _ := startClassic(t, h, map[string]any{"preset": "classic", "extra_turn_on_gold": true})
	r, c := tb.undug(1) // gold: the turn stays, so a resend would be legal
	tb.digID(0, r, c, "same")
	// The same id again, for the same cell (a resend) or another one.
	for _, cell := range [][2]int{{r, c}, {-1, -1}} {
		if cell[0] < 0 {
			cell[0], cell[1] = tb.undug(1)
		}
		tb.seats[0].send(map[string]any{"type": "dig", "row": cell[0], "col": cell[1], "id": "same"})
		if f := tb.seats[0].expect("error"); f.str("code") != "duplicate_move" || f.str("id") != "same" {
			t.Fatalf("repeated id: %s", f.raw)
		}
	}
	for _, cl := range tb.all[1:] {
		cl.quiet(100 * time.Millisecond)
	}
	// A numeric id is its own id, and is remembered as well.
	r, c = tb.undug(1)
	tb.seats[0].send(map[string]any{"type": "dig", "row": r, "col": c, "id": 7})
	tb.event("dug")
	tb.seats[0].send(`{"type":"dig","row":0,"col":0,"id":7}`)
	if f := tb.seats[0].expect("error"); f.str("code") != "duplicate_move" || f.num("id") != 7 {
		t.Fatalf("repeated numeric id: %s", f.raw)
	}
}

func TestSpectator(t *testing.T) {
	h := newHarness(t, fast)
	tb, _ := startClassic(t, h, nil)
	spec := tb.all[2]
	spec.send(map[string]any{"type": "dig", "row": 0, "col": 0})
	if f := spec.expect("error"); f.str("code") != "not_a_player" {
		t.Fatalf("spectator dig: %s", f.raw)
	}
	spec.send(map[string]any{"type": "start"})
	if f := spec.expect("error"); f.str("code") != "not_a_player" {
		t.Fatalf("spectator start: %s", f.raw)
	}
	spec.send(map[string]any{"type": "chat", "text": "go Alice"})
	if f := tb.event("chat"); f.m["seat"] != nil || f.str("name") != "Carol" || f.str("text") != "go Alice" {
		t.Fatalf("spectator chat: %s", f.raw)
	}
	// The spectator gets every event: event() checks all three receivers.
	tb.playOut()
}

func TestPing(t *testing.T) {
	h := newHarness(t)
	c := h.dial("x", nil)
	c.send(`{"type":"ping","t":12345}`)
	if f := c.expect("pong"); f.num("t") != 12345 {
		t.Fatalf("pong: %s", f.raw)
	}
	c.send(`{"type":"ping"}`)
	if f := c.expect("pong"); f.m["t"] != nil {
		t.Fatalf("pong without t: %s", f.raw)
	}
	c.send(`{"type":"dig","row":1,"col":1}`)
	if f := c.expect("error"); f.str("code") != "bad_message" {
		t.Fatalf("dig before hello: %s", f.raw)
	}
}

// TestDuplicateMoveIDEscaped resends a move id spelt another way in JSON:
// "\u0064up1" is "dup1" to every client, so it is the same id.
func TestDuplicateMoveIDEscaped(t *testing.T) {
	h := newHarness(t)
	tb, _ := startClassic(t, h, map[string]any{"preset": "classic", "extra_turn_on_gold": true})
	r, c := tb.undug(1) // gold: the turn stays, so a resend would be legal
	tb.digID(0, r, c, "dup1")
	for _, id := range []string{`"\u0064up1"`, `"d\u0075p\u0031"`} {
		r, c = tb.undug(1)
		tb.seats[0].send(fmt.Sprintf(`{"type":"dig","row":%d,"col":%d,"id":%s}`, r, c, id))
		if f := tb.seats[0].expect("error"); f.str("code") != "duplicate_move" || f.str("id") != "dup1" {
			t.Fatalf("id %s after \"dup1\": %s", id, f.raw)
		}
	}
	// Numbers too: 7, 7.0 and 7e0 are one value.
	r, c = tb.undug(1)
	tb.seats[0].send(fmt.Sprintf(`{"type":"dig","row":%d,"col":%d,"id":7}`, r, c))
	tb.event("dug")
	for _, id := range []string{`7.0`, `7e0`, `0.7e1`} {
		r, c = tb.undug(1)
		tb.seats[0].send(fmt.Sprintf(`{"type":"dig","row":%d,"col":%d,"id":%s}`, r, c, id))
		if f := tb.seats[0].expect("error"); f.str("code") != "duplicate_move" || f.num("id") != 7 {
			t.Fatalf("id %s after 7: %s", id, f.raw)
		}
	}
	for _, cl := range tb.all[1:] {
		cl.quiet(100 * time.Millisecond)
	}
}

// TestRateLimitedEchoesID floods digs: each one the rate limit drops is
// answered with its own id, as every other refused dig is.
func TestRateLimitedEchoesID(t *testing.T) {
	h := newHarness(t)
	tb, _ := startClassic(t, h, nil)
	bob := tb.seats[1] // not his turn: every dig that gets through is refused too
	const n = defaultBurst + 5
	for i := 0; i < n; i++ {
		bob.send(fmt.Sprintf(`{"type":"dig","row":0,"col":0,"id":"d%d"}`, i))
	}
	seen := map[string]string{}
	for i := 0; i < n; i++ {
		f := bob.expect("error")
		id := f.str("id")
		if id == "" || seen[id] != "" {
			t.Fatalf("error %d: %s (ids so far %v)", i, f.raw, seen)
		}
		seen[id] = f.str("code")
	}
	limited := 0
	for _, code := range seen {
		if code == "rate_limited" {
			limited++
		}
	}
	if limited == 0 {
		t.Fatalf("no dig was rate limited: %v", seen)
	}
}
