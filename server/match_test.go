package server_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/match"
	"github.com/goldmine-game/goldmine/server"
)

// matchHarness is a harness with quick match, wired as package app wires
// it. botAfter is --match-bot-after (0: the default 20 s).
func matchHarness(t *testing.T, botAfter time.Duration, opts ...func(*harnessOpts)) *harness {
	t.Helper()
	var srv *server.Server
	svc := match.New(match.Config{
		Rules: match.Rules{BotAfter: botAfter, MaxPlayers: func(p string) int {
			if p == "party" {
				return 6
			}
			return 2
		}},
		Start: func(ctx context.Context, m match.Match) (match.Placed, error) { return srv.StartMatch(ctx, m) },
		Open:  func(p match.Placed) bool { return srv.MatchOpen(p) },
	})
	h := newHarness(t, append([]func(*harnessOpts){fast, func(o *harnessOpts) {
		o.bots = true
		o.srv = func(c *serverConfig) { c.Match = svc }
	}}, opts...)...)
	srv = h.srv
	svc.Start()
	t.Cleanup(svc.Close) // before the harness closes: cleanups run last first
	return h
}

// matchReply is POST /api/match's answer.
type matchReply struct {
	Status   string         `json:"status"`
	WaitedMS int64          `json:"waited_ms"`
	Bot      bool           `json:"bot"`
	Room     map[string]any `json:"room"`
	Players  []struct {
		PlayerID string  `json:"player_id"`
		Name     string  `json:"name"`
		Rating   float64 `json:"rating"`
		Bot      bool    `json:"bot"`
	} `json:"players"`
	Error map[string]any `json:"error"`
}

func (h *harness) quickMatch(p player, body map[string]any) (int, matchReply) {
	h.t.Helper()
	var r matchReply
	code := h.do("POST", "/api/match", p.Token, body, &r)
	return code, r
}

// setRating gives a player a rating, as if they had played rated games.
func (h *harness) setRating(p player, r float64) {
	h.t.Helper()
	db, err := sql.Open("sqlite", h.st.Path())
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO ratings (player_id, rating, rd, volatility, games, updated_at) VALUES (?, ?, 80, 0.06, 10, 0)`,
		p.ID, r); err != nil {
		h.t.Fatal(err)
	}
}

// both runs POST /api/match for each player at once.
func (h *harness) matchAll(body map[string]any, ps ...player) ([]int, []matchReply) {
	codes, replies := make([]int, len(ps)), make([]matchReply, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], replies[i] = h.quickMatch(p, body)
		}()
	}
	wg.Wait()
	return codes, replies
}

func TestMatchPairs(t *testing.T) {
	h := matchHarness(t, 0)
	ann, bob := h.player("Ann"), h.player("Bob")
	codes, r := h.matchAll(map[string]any{"preset": "classic", "wait_s": 10}, ann, bob)
	for i := range codes {
		if codes[i] != 200 || r[i].Status != "matched" || r[i].Bot {
			t.Fatalf("reply %d: %d %+v", i, codes[i], r[i])
		}
	}
	id, _ := r[0].Room["id"].(string)
	if id == "" || r[1].Room["id"] != id || len(r[0].Players) != 2 || r[0].Room["rated"] != true {
		t.Fatalf("replies %+v / %+v", r[0], r[1])
	}
	if ws, _ := r[0].Room["ws_url"].(string); ws == "" {
		t.Fatal("no ws_url")
	}
	if r[0].Players[0].Rating != 1500 {
		t.Fatalf("rating %v, want 1500", r[0].Players[0].Rating)
	}
	// The seats are theirs: a stranger cannot take one.
	eve := h.player("Eve")
	ce := h.dial("eve", nil)
	ce.send(map[string]any{"type": "hello", "token": eve.Token, "room": id, "as": "player"})
	if f := ce.expect("error"); f.str("code") != "room_full" {
		t.Fatalf("stranger: %v", f.raw)
	}
	ca, cb := h.dial("ann", nil), h.dial("bob", nil)
	ca.hello(ann.Token, id, "player")
	cb.hello(bob.Token, id, "player")
	ca.skipTo("game_started")
	cb.skipTo("game_started")
	// A new POST once the game is on queues anew: not the same room.
	code, again := h.quickMatch(ann, map[string]any{"wait_s": 0})
	if code != 202 || again.Status != "waiting" {
		t.Fatalf("again: %d %+v", code, again)
	}
}

func TestMatchWideningWindow(t *testing.T) {
	h := matchHarness(t, 0)
	ann, bob, cat := h.player("Ann"), h.player("Bob"), h.player("Cat")
	h.setRating(ann, 1500)
	h.setRating(bob, 1650) // 150 apart: inside the window once Ann waited 2.5 s
	h.setRating(cat, 2400) // far from both: nobody until the bot
	body := map[string]any{"wait_s": 1}
	codes, r := h.matchAll(body, ann, bob, cat)
	for i := range codes {
		if codes[i] != 202 || r[i].Status != "waiting" {
			t.Fatalf("reply %d: %d %+v", i, codes[i], r[i])
		}
	}
	body["wait_s"] = 10
	codes, r = h.matchAll(body, ann, bob)
	if codes[0] != 200 || codes[1] != 200 || r[0].Room["id"] != r[1].Room["id"] {
		t.Fatalf("%v %+v", codes, r)
	}
	if r[0].WaitedMS < 2500 {
		t.Fatalf("matched after %d ms: before the window reached 150", r[0].WaitedMS)
	}
	if code, rc := h.quickMatch(cat, map[string]any{"wait_s": 0}); code != 202 {
		t.Fatalf("cat: %d %+v", code, rc)
	}
}

// TestMatchBotBackfill runs with --match-bot-after 1s (this test only), so
// that the bot comes in a second rather than the default 20.
func TestMatchBotBackfill(t *testing.T) {
	h := matchHarness(t, time.Second)
	ann := h.player("Ann")
	h.setRating(ann, 1620)
	code, r := h.quickMatch(ann, map[string]any{"wait_s": 10})
	if code != 200 || r.Status != "matched" || !r.Bot || len(r.Players) != 2 || !r.Players[1].Bot {
		t.Fatalf("%d %+v", code, r)
	}
	if got, want := r.Players[1].Rating, 1633.0; got != want { // hard: the closest to 1620
		t.Fatalf("bot rating %v, want %v", got, want)
	}
	if r.WaitedMS < 1000 {
		t.Fatalf("bot after %d ms, want at least 1000", r.WaitedMS)
	}
	id := r.Room["id"].(string)
	c := h.dial("ann", nil)
	w := c.hello(ann.Token, id, "player")
	if players, _ := w.room()["players"].([]any); len(players) != 1 && len(players) != 2 {
		t.Fatalf("welcome players %v", w.room()["players"])
	}
	c.skipTo("game_started")
}

func TestMatchCancel(t *testing.T) {
	h := matchHarness(t, 0)
	ann, bob := h.player("Ann"), h.player("Bob")
	done := make(chan matchReply)
	go func() {
		_, r := h.quickMatch(ann, map[string]any{"wait_s": 20})
		done <- r
	}()
	time.Sleep(300 * time.Millisecond)
	if code := h.do("DELETE", "/api/match", ann.Token, nil, nil); code != 204 {
		t.Fatalf("DELETE: %d", code)
	}
	select {
	case r := <-done:
		if r.Status != "cancelled" {
			t.Fatalf("the waiting POST: %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting POST did not end on DELETE")
	}
	// Ann is out: Bob finds nobody.
	if code, r := h.quickMatch(bob, map[string]any{"wait_s": 1}); code != 202 {
		t.Fatalf("bob: %d %+v", code, r)
	}
	if code := h.do("DELETE", "/api/match", ann.Token, nil, nil); code != 204 {
		t.Fatalf("second DELETE: %d", code)
	}
	if code := h.do("DELETE", "/api/match", "", nil, nil); code != 401 {
		t.Fatalf("DELETE without a token: %d", code)
	}
}

// TestMatchTwoTabs: a second POST of the same player joins the same place,
// and both answer with the same room.
func TestMatchTwoTabs(t *testing.T) {
	h := matchHarness(t, 0)
	ann, bob := h.player("Ann"), h.player("Bob")
	body := map[string]any{"wait_s": 10}
	var wg sync.WaitGroup
	var tab1, tab2 matchReply
	wg.Add(2)
	go func() { defer wg.Done(); _, tab1 = h.quickMatch(ann, body) }()
	go func() { defer wg.Done(); _, tab2 = h.quickMatch(ann, body) }()
	time.Sleep(300 * time.Millisecond)
	code, rb := h.quickMatch(bob, body)
	wg.Wait()
	if code != 200 || tab1.Status != "matched" || tab2.Status != "matched" {
		t.Fatalf("bob %d %+v, tabs %+v %+v", code, rb, tab1, tab2)
	}
	if tab1.Room["id"] != tab2.Room["id"] || tab1.Room["id"] != rb.Room["id"] {
		t.Fatalf("rooms %v %v %v", tab1.Room["id"], tab2.Room["id"], rb.Room["id"])
	}
	// A third tab, later but before the game starts, gets it too.
	if code, r := h.quickMatch(ann, body); code != 200 || r.Room["id"] != rb.Room["id"] {
		t.Fatalf("third tab: %d %+v", code, r)
	}
}

func TestMatchValidation(t *testing.T) {
	h := matchHarness(t, 0)
	ann, banned := h.player("Ann"), h.player("Mallory")
	if err := h.st.SetBanned(context.Background(), banned.ID, true); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"NoToken", "", map[string]any{}, 401, "unauthorized"},
		{"NotAnObject", ann.Token, `[1]`, 400, "bad_request"},
		{"UnknownPreset", ann.Token, map[string]any{"preset": "chess"}, 400, "invalid_rules"},
		{"PresetType", ann.Token, map[string]any{"preset": 3}, 400, "bad_request"},
		{"WaitTooLong", ann.Token, map[string]any{"wait_s": 31}, 400, "bad_request"},
		{"WaitNegative", ann.Token, map[string]any{"wait_s": -1}, 400, "bad_request"},
		{"Banned", banned.Token, map[string]any{}, 403, "banned"},
		{"TooLarge", ann.Token, `{"preset":"` + string(make([]byte, 70000)) + `"}`, 413, "too_large"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r matchReply
			status := h.do("POST", "/api/match", tt.token, tt.body, &r)
			if status != tt.status || r.Error["code"] != tt.code {
				t.Fatalf("%d %v, want %d %s", status, r.Error, tt.status, tt.code)
			}
		})
	}
}

// skipTo reads frames until one of type typ.
func (c *client) skipTo(typ string) frame {
	c.t.Helper()
	for {
		f, ok := c.tryNext(5 * time.Second)
		if !ok {
			c.t.Fatalf("%s: no %s frame", c.name, typ)
		}
		if f.typ() == typ {
			return f
		}
	}
}

// TestMatchAfterTheGame: once the matched game is over and its players
// left the room (which waits again, empty), a new POST queues anew instead
// of answering with the old room.
func TestMatchAfterTheGame(t *testing.T) {
	h := matchHarness(t, 0)
	ann, bob := h.player("Ann"), h.player("Bob")
	_, r := h.matchAll(map[string]any{"wait_s": 10}, ann, bob)
	id := r[0].Room["id"].(string)
	ca, cb := h.dial("ann", nil), h.dial("bob", nil)
	ca.hello(ann.Token, id, "player")
	cb.hello(bob.Token, id, "player")
	ca.skipTo("game_started")
	ca.send(map[string]any{"type": "leave"}) // a forfeit ends the game
	cb.skipTo("game_over")
	cb.send(map[string]any{"type": "leave"})
	time.Sleep(100 * time.Millisecond)
	for _, p := range []player{ann, bob} {
		if code, again := h.quickMatch(p, map[string]any{"wait_s": 0}); code != 202 {
			t.Fatalf("%s after the game: %d %+v (room %s)", p.Name, code, again, id)
		}
	}
}
