package server_test

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestReconnect(t *testing.T) {
	h := newHarness(t, fast)
	tb, id := startClassic(t, h, nil)
	for i := 0; i < 5; i++ {
		r, c := tb.undug(0)
		tb.dig(tb.turn, r, c)
	}
	bob := tb.seats[1]
	bobToken := h.tokenOf(bob, "Bob")
	bob.ws.Close()
	<-bob.done
	tb.all = []*client{tb.seats[0], tb.all[2]}
	if f := tb.event("presence"); f.num("seat") != 1 || f.m["connected"] != false {
		t.Fatalf("presence: %s", f.raw)
	}
	// Bob is back, on a new connection, with his token. His welcome shows
	// the room at the last seq, then everyone, Bob too, hears he is back.
	b2 := h.dial("bob2", nil)
	w := b2.hello(bobToken, id, "player")
	if you := w.m["you"].(map[string]any); you["seat"] != float64(1) {
		t.Fatalf("bob did not get his seat back: %s", w.raw)
	}
	if int(w.room()["seq"].(float64)) != tb.seq {
		t.Fatalf("welcome seq %v, want %d", w.room()["seq"], tb.seq)
	}
	tb.all = append(tb.all, b2)
	if f := tb.event("presence"); f.num("seat") != 1 || f.m["connected"] != true {
		t.Fatalf("presence: %s", f.raw)
	}
	// His snapshot equals the live state as the others see it.
	if got, want := resync(t, b2), resync(t, tb.seats[0]); got != want {
		t.Fatalf("reconnect snapshot differs from the live room:\n got %s\nwant %s", got, want)
	}
	for _, k := range []string{"board", "players", "turn", "gold_left", "commitment"} {
		got, _ := json.Marshal(w.room()[k])
		want, _ := json.Marshal(tb.seats[0].all[len(tb.seats[0].all)-1].room()[k])
		if k != "players" && string(got) != string(want) {
			t.Fatalf("welcome %s = %s, want %s", k, got, want)
		}
	}
	tb.seats[1] = b2
	tb.playOut()
}

// tokenOf finds the token a client said hello with.
func (h *harness) tokenOf(c *client, name string) string {
	for _, f := range c.all {
		if f.typ() == "welcome" {
			return h.tokens.Issue(f.m["you"].(map[string]any)["player_id"].(string))
		}
	}
	h.t.Fatalf("%s said no hello", name)
	return ""
}

func TestSecondConnectionReplacesFirst(t *testing.T) {
	h := newHarness(t)
	tb, id := startClassic(t, h, nil)
	old := tb.seats[0]
	fresh := h.dial("alice2", nil)
	w := fresh.hello(h.tokenOf(old, "Alice"), id, "player")
	if you := w.m["you"].(map[string]any); you["seat"] != float64(0) {
		t.Fatalf("welcome: %s", w.raw)
	}
	if code := old.closed(); code != 4001 {
		t.Fatalf("old connection closed with %d, want 4001", code)
	}
	// No presence event: the seat never looked disconnected.
	tb.seats[1].quiet(100 * time.Millisecond)
	tb.seats[0] = fresh
	tb.all = []*client{fresh, tb.seats[1], tb.all[2]}
	r, c := tb.undug(0)
	tb.dig(0, r, c)
}

func TestTurnTimer(t *testing.T) {
	h := newHarness(t)
	tb, _ := startClassic(t, h, nil)
	resync(t, tb.seats[0]) // the room has armed its timer once this returns
	h.clock.Advance(29 * time.Second)
	tb.seats[0].quiet(50 * time.Millisecond)
	h.clock.Advance(time.Second)
	f := tb.event("turn_skipped")
	if f.num("seat") != 0 || f.str("reason") != "timeout" || f.num("turn") != 1 {
		t.Fatalf("turn_skipped: %s", f.raw)
	}
	want := h.clock.Now().Add(30 * time.Second).UnixMilli()
	if int64(f.m["deadline"].(float64)) != want {
		t.Fatalf("deadline %v, want %d", f.m["deadline"], want)
	}
	// A dig restarts the clock for the next turn.
	h.clock.Advance(10 * time.Second)
	r, c := tb.undug(0)
	tb.dig(1, r, c)
	resync(t, tb.seats[0])
	h.clock.Advance(29 * time.Second)
	tb.seats[0].quiet(50 * time.Millisecond)
	h.clock.Advance(time.Second)
	if f := tb.event("turn_skipped"); f.num("seat") != 0 {
		t.Fatalf("turn_skipped: %s", f.raw)
	}
}

func TestAbsentSkipAndGrace(t *testing.T) {
	h := newHarness(t)
	tb, id := startClassic(t, h, map[string]any{"preset": "classic", "turn_seconds": 0})
	if tb.all[0].all[len(tb.all[0].all)-1].m["deadline"] != nil {
		t.Fatal("turn_seconds 0 must give a null deadline")
	}
	bob := tb.seats[1]
	bob.ws.Close()
	<-bob.done
	tb.all = []*client{tb.seats[0], tb.all[2]}
	tb.event("presence")
	r, c := tb.undug(0)
	tb.seats[1] = nil
	tb.dig(0, r, c) // now it is absent Bob's turn
	resync(t, tb.seats[0])
	h.clock.Advance(14 * time.Second)
	tb.seats[0].quiet(50 * time.Millisecond)
	h.clock.Advance(time.Second)
	if f := tb.event("turn_skipped"); f.num("seat") != 1 || f.str("reason") != "absent" || f.num("turn") != 0 {
		t.Fatalf("turn_skipped: %s", f.raw)
	}
	// Alice has no timer; Bob's grace runs out 120 s after he left.
	h.clock.Advance(104 * time.Second)
	tb.seats[0].quiet(50 * time.Millisecond)
	h.clock.Advance(time.Second)
	if f := tb.event("player_left"); f.num("seat") != 1 || f.str("reason") != "timeout" {
		t.Fatalf("player_left: %s", f.raw)
	}
	over := tb.event("game_over")
	if over.str("reason") != "forfeit" || over.m["winners"].([]any)[0] != float64(0) {
		t.Fatalf("game_over: %s", over.raw)
	}
	// Bob's token no longer gives him a seat: he forfeited.
	b2 := h.dial("bob2", nil)
	b2.send(map[string]any{"type": "hello", "token": h.tokenOf(bob, "Bob"), "room": id})
	if f := b2.expect("error"); f.str("code") != "room_full" {
		t.Fatalf("hello after forfeit: %s", f.raw)
	}
}

func TestGraceWhileWaitingFreesTheSeat(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.player("Alice"), h.player("Bob")
	id := h.room(alice, map[string]any{"preset": "party"})
	a := h.dial("alice", nil)
	a.hello(alice.Token, id, "player")
	b := h.dial("bob", nil)
	b.hello(bob.Token, id, "player")
	a.expect("player_joined")
	a.ws.Close()
	<-a.done
	if f := b.expect("presence"); f.num("seat") != 0 || f.m["connected"] != false {
		t.Fatalf("presence: %s", f.raw)
	}
	resync(t, b)
	h.clock.Advance(120 * time.Second)
	if f := b.expect("player_left"); f.num("seat") != 0 || f.str("reason") != "timeout" {
		t.Fatalf("player_left: %s", f.raw)
	}
	// Seats move down: Bob is seat 0 now.
	b.send(map[string]string{"type": "resync"})
	players := b.expect("snapshot").room()["players"].([]any)
	if len(players) != 1 || players[0].(map[string]any)["player_id"] != bob.ID || players[0].(map[string]any)["seat"] != float64(0) {
		t.Fatalf("seats after the free: %v", players)
	}
}

func TestFlagsRules(t *testing.T) {
	h := newHarness(t, fast)
	tb, _ := startClassic(t, h, map[string]any{"preset": "flags"})
	// Gold keeps the turn.
	r, c := tb.undug(1)
	if f := tb.dig(0, r, c); f.num("turn") != 0 || f.m["gold"] != true {
		t.Fatalf("flags gold: %s", f.raw)
	}
	// A number passes it.
	r, c = tb.undug(0)
	if f := tb.dig(0, r, c); f.num("turn") != 1 {
		t.Fatalf("flags number: %s", f.raw)
	}
	// Bob finds 26 of the 51: 26 > 0 + 25 left, so the game is decided.
	for tb.over == nil {
		r, c := tb.undug(1)
		tb.dig(1, r, c)
	}
	if tb.over.str("reason") != "decided" || tb.scores[1] != 26 {
		t.Fatalf("game_over %s with scores %v", tb.over.raw, tb.scores)
	}
	if tb.over.m["winners"].([]any)[0] != float64(1) {
		t.Fatalf("winners: %s", tb.over.raw)
	}
}

func TestPartyWithForfeit(t *testing.T) {
	h := newHarness(t, fast)
	names := []string{"Ann", "Ben", "Cat", "Dan"}
	owner := h.player("Ann")
	id := h.room(owner, map[string]any{"preset": "party"})
	var seats []*client
	for i, n := range names {
		p := owner
		if i > 0 {
			p = h.player(n)
		}
		c := h.dial(n, nil)
		c.hello(p.Token, id, "player")
		for _, prev := range seats {
			prev.expect("player_joined")
		}
		seats = append(seats, c)
	}
	seats[2].send(map[string]any{"type": "start"})
	tb := newTable(t, 14, 14, 4, 0, seats)
	if f := tb.event("game_started"); f.num("turn") != 0 || len(f.m["players"].([]any)) != 4 {
		t.Fatalf("game_started: %s", f.raw)
	}
	tb.layout = h.layout(id)
	for i := 0; i < 6; i++ {
		r, c := tb.undug(1)
		tb.dig(tb.turn, r, c)
	}
	// Cat leaves mid-game: she forfeits, and the game goes on without her.
	cat := seats[2]
	cat.send(map[string]any{"type": "leave"})
	tb.all = []*client{seats[0], seats[1], seats[3], cat}
	f := tb.event("player_left")
	if f.num("seat") != 2 || f.str("reason") != "left" {
		t.Fatalf("player_left: %s", f.raw)
	}
	if code := cat.closed(); code != 1000 {
		t.Fatalf("leaving closed with %d, want 1000", code)
	}
	tb.all = []*client{seats[0], seats[1], seats[3]}
	tb.turn = f.num("turn")
	for tb.over == nil {
		if tb.turn == 2 {
			t.Fatal("the turn reached a forfeited seat")
		}
		r, c := tb.undug(-1)
		tb.dig(tb.turn, r, c)
	}
	over := *tb.over
	if over.str("reason") != "all_gold" {
		t.Fatalf("game_over: %s", over.raw)
	}
	ranking := over.m["ranking"].([]any)
	last := ranking[len(ranking)-1].(map[string]any)
	if last["seat"] != float64(2) || last["forfeited"] != true {
		t.Fatalf("the forfeited seat must rank last: %s", over.raw)
	}
}

func TestRematch(t *testing.T) {
	h := newHarness(t, fast)
	tb, _ := startClassic(t, h, nil)
	first := tb.playOut()
	tb.seats[0].send(map[string]any{"type": "rematch"})
	if f := tb.event("rematch"); f.num("seat") != 0 {
		t.Fatalf("rematch: %s", f.raw)
	}
	tb.seats[1].send(map[string]any{"type": "rematch"})
	tb.event("rematch")
	started := tb.event("game_started")
	if started.num("turn") != 1 || started.num("game") != 2 {
		t.Fatalf("the first mover rotates: %s", started.raw)
	}
	if started.str("commitment") == tb.all[0].all[2].str("commitment") {
		t.Fatal("a rematch must deal a new board")
	}
	// A fresh board and fresh scores.
	tb.dug, tb.scores, tb.over, tb.turn, tb.lastDugs = map[int]bool{}, []int{0, 0}, nil, 1, nil
	snap := resync(t, tb.seats[0])
	if !strings.Contains(snap, `"status":"playing"`) || strings.Contains(snap, `"score":1`) {
		t.Fatalf("rematch snapshot: %s", snap)
	}
	tb.layout = ""
	second := tb.playOut()
	if second.num("game_id") == first.num("game_id") {
		t.Fatal("both games got the same id")
	}
}

func TestLimits(t *testing.T) {
	t.Run("BadOrigin", func(t *testing.T) {
		h := newHarness(t)
		_, err := h.tryDial(http.Header{"Origin": {"https://evil.example"}})
		if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
			t.Fatalf("dial from a foreign origin: %v, want HTTP 403", err)
		}
		h.dial("same origin", http.Header{"Origin": {h.ts.URL}})
		h.dial("no origin", nil)
	})
	t.Run("AllowedOrigin", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) {
			o.srv = func(c *serverConfig) { c.AllowedOrigins = []string{"https://game.example"} }
		})
		h.dial("allowed", http.Header{"Origin": {"https://game.example"}})
		if _, err := h.tryDial(http.Header{"Origin": {"https://other.example"}}); err == nil {
			t.Fatal("an origin not in the list was let in")
		}
	})
	t.Run("FrameTooBig", func(t *testing.T) {
		h := newHarness(t)
		c := h.dial("big", nil)
		c.send(`{"type":"chat","text":"` + strings.Repeat("a", 4096-25) + `"}`) // exactly 4096 bytes: accepted
		if f := c.expect("error"); f.str("code") != "bad_message" {
			t.Fatalf("4096-byte frame: %s", f.raw)
		}
		c.send(strings.Repeat("x", 5<<10))
		if code := c.closed(); code != 1009 {
			t.Fatalf("5 KiB frame: close %d, want 1009", code)
		}
	})
	t.Run("Flood", func(t *testing.T) {
		h := newHarness(t)
		c := h.dial("flood", nil)
		// A burst past the limit, then a slow trickle until the server
		// hangs up. The trickle matters: a socket closed with unread input
		// sends a reset, and a reset can throw away frames the client has
		// not read yet.
		for i := 0; i < 200; i++ {
			if i >= defaultBurst+10+1 { // the burst, 10 strikes, and the last straw
				select {
				case <-c.done:
				case <-time.After(10 * time.Millisecond):
				}
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
				break
			}
		}
		pongs, limited := 0, 0
		for f := range c.frames {
			switch f.str("code") {
			case "rate_limited":
				limited++
			case "":
				pongs++
			}
		}
		if pongs < 20 || limited == 0 {
			t.Fatalf("%d pongs and %d rate_limited, want >= 20 (the promised burst) and > 0", pongs, limited)
		}
		if ce := c.closeErr(); ce == nil || ce.Code != 1008 {
			t.Fatalf("flood closed with %v, want 1008", ce)
		}
	})
	t.Run("SustainedRateIsFine", func(t *testing.T) {
		h := newHarness(t)
		c := h.dial("steady", nil)
		for i := 0; i < 30; i++ { // 10 per second for 3 s, after a burst of 20
			c.send(`{"type":"ping"}`)
			if f := c.next(); f.typ() != "pong" {
				t.Fatalf("message %d at 10/s: %s", i, f.raw)
			}
			if i >= 20 {
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
	t.Run("NoHello", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) { o.ws.HelloTimeout = 200 * time.Millisecond })
		c := h.dial("silent", nil)
		if code := c.closed(); code != 1008 {
			t.Fatalf("no hello: close %d, want 1008", code)
		}
	})
	t.Run("InvalidUTF8", func(t *testing.T) {
		h := newHarness(t)
		c := h.dial("utf8", nil)
		c.send("{\"type\":\"chat\",\"text\":\"\xff\xfe\"}")
		if code := c.closed(); code != 1007 {
			t.Fatalf("invalid UTF-8: close %d, want 1007", code)
		}
	})
	t.Run("RefusedHellos", func(t *testing.T) {
		h := newHarness(t)
		alice, bob, carl := h.player("Alice"), h.player("Bob"), h.player("Carl")
		id := h.room(alice, map[string]any{"preset": "classic"})
		c := h.dial("x", nil)
		for _, tt := range []struct{ token, room, as, code string }{
			{"nope", id, "player", "unauthorized"},
			{alice.Token + "x", id, "player", "unauthorized"},
			{alice.Token, "ZZZZZZ", "player", "unknown_room"},
			{alice.Token, "0O1I00", "player", "unknown_room"},
			{alice.Token, id, "referee", "bad_message"},
		} {
			c.send(map[string]any{"type": "hello", "token": tt.token, "room": tt.room, "as": tt.as})
			if f := c.expect("error"); f.str("code") != tt.code {
				t.Fatalf("hello %+v: %s", tt, f.raw)
			}
		}
		// The connection stays usable: a good hello still works, by a
		// lower-case id too.
		c.hello(alice.Token, strings.ToLower(id), "player")
		d := h.dial("bob", nil)
		d.hello(bob.Token, id, "player")
		c.expect("player_joined")
		c.expect("game_started")
		e := h.dial("carl", nil)
		e.send(map[string]any{"type": "hello", "token": carl.Token, "room": id, "as": "player"})
		if f := e.expect("error"); f.str("code") != "room_full" {
			t.Fatalf("hello into a full room: %s", f.raw)
		}
	})
	t.Run("SpectatorCap", func(t *testing.T) {
		h := newHarness(t, func(o *harnessOpts) { o.room.MaxSpectators = 2 })
		alice := h.player("Alice")
		id := h.room(alice, map[string]any{"preset": "classic"})
		for i := 0; i < 2; i++ {
			h.dial("spec", nil).hello(alice.Token, id, "spectator")
		}
		c := h.dial("third", nil)
		c.send(map[string]any{"type": "hello", "token": alice.Token, "room": id, "as": "spectator"})
		if f := c.expect("error"); f.str("code") != "room_full" {
			t.Fatalf("third spectator: %s", f.raw)
		}
	})
}

// TestSlowClientIsClosed has a spectator that never reads, on a tiny TCP
// window. Its buffer fills and the server closes it; the others get every
// event in order meanwhile.
func TestSlowClientIsClosed(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) {
		o.ws.Rate, o.ws.Burst, o.ws.Buffer = 10000, 10000, 8
		o.room.ChatRate = -1 // chat is how this test fills the buffer
	})
	tb, id := startClassic(t, h, nil)
	dialer := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(1024)
		}
		return c, err
	}}
	url := "ws" + strings.TrimPrefix(h.ts.URL, "http") + "/ws"
	slow, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	carl := h.player("Carl")
	slow.WriteJSON(map[string]any{"type": "hello", "token": carl.Token, "room": id, "as": "spectator"})
	// Chat until the server gives up on the slow client. Loopback buffers
	// absorb a few hundred KB first; 20,000 lines is far more than that.
	text := strings.Repeat("gold ", 39)
	for i := 0; !strings.Contains(h.logs.String(), "does not keep up"); i++ {
		if i == 20000 {
			t.Fatal("the slow client was never closed")
		}
		tb.seats[i%2].send(map[string]any{"type": "chat", "text": text})
		tb.event("chat")
	}
	if n := strings.Count(h.logs.String(), "does not keep up"); n != 1 {
		t.Fatalf("the slow client was reported %d times, want once", n)
	}
	// The server drops the session: three remain, and the room counts one
	// spectator again. (This client never reads again; one that does gets
	// 4004: TestSlowClientGets4004.)
	// The server gives it --ws-write-wait (5 s) to take its close frame.
	for i := 0; h.srv.Sessions() != 3; i++ {
		if i == 1000 {
			t.Fatalf("%d sessions, want 3 once the slow one is closed", h.srv.Sessions())
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.seats[0].send(map[string]string{"type": "resync"})
	if n := tb.seats[0].expect("snapshot").room()["spectators"]; n != float64(1) {
		t.Fatalf("spectators = %v after the slow one was closed, want 1", n)
	}
	r, c := tb.undug(-1)
	tb.dig(tb.turn, r, c)
}
