package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/server"
)

// TestFullDiskRefusesMoves caps the database at its current size, so that
// the store fails once a move needs a new page. The room must refuse that
// move with "unavailable" and change nothing; once space is back, play goes
// on, and nothing stored is damaged.
func TestFullDiskRefusesMoves(t *testing.T) {
	h := newHarness(t, fast)
	// A big board with little gold: many small digs, so the moves table
	// soon needs a page the cap does not allow.
	tb, _ := startClassic(t, h, map[string]any{"preset": "classic", "rows": 30, "cols": 30, "gold": 600})
	ctx := context.Background()
	size, err := h.st.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetMaxBytes(ctx, size); err != nil {
		t.Fatal(err)
	}
	refused := false
	for i := 0; i < 600 && !refused; i++ {
		digger := tb.seats[tb.turn]
		before := resync(t, digger)
		r, c := tb.undug(-1)
		id := fmt.Sprintf("probe-%d", i)
		digger.send(map[string]any{"type": "dig", "row": r, "col": c, "id": id})
		f := digger.next()
		switch f.typ() {
		case "dug":
			replay(t, tb, digger, f) // stored: the game goes on
		case "error":
			if f.str("code") != "unavailable" || f.str("id") != id {
				t.Fatalf("refused dig: %s", f.raw)
			}
			refused = true
			if after := resync(t, digger); after != before {
				t.Fatalf("a refused dig changed the room:\n%s\n%s", before, after)
			}
			for _, c := range tb.all {
				if c != digger {
					c.quiet(50 * time.Millisecond)
				}
			}
		default:
			t.Fatalf("dig: %s", f.raw)
		}
	}
	if !refused {
		t.Fatal("no dig was refused although the database was full")
	}
	if !strings.Contains(h.logs.String(), "full") {
		t.Fatal("the failure was not logged clearly")
	}
	if err := h.st.SetMaxBytes(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	r, c := tb.undug(-1)
	tb.dig(tb.turn, r, c)
	if err := h.st.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// replay accounts for a dug frame the digger already read, reading the same
// event from everyone else.
func replay(t *testing.T, tb *table, digger *client, f frame) {
	t.Helper()
	others := make([]*client, 0, len(tb.all))
	for _, c := range tb.all {
		if c != digger {
			others = append(others, c)
		}
	}
	all := tb.all
	tb.all = others
	// Read the others' copy with the table's checks, then restore.
	g := tb.event("dug")
	tb.all = all
	if g.raw != f.raw {
		t.Fatalf("digger and others got different frames:\n%s\n%s", f.raw, g.raw)
	}
	for _, x := range f.m["cells"].([]any) {
		cell := x.(map[string]any)
		tb.dug[int(cell["row"].(float64))*tb.cols+int(cell["col"].(float64))] = true
	}
	if f.m["gold"] == true {
		tb.scores[f.num("seat")]++
	}
	if f.m["turn"] != nil {
		tb.turn = f.num("turn")
	}
}

// TestFullDiskWritesAnswerUnavailable: every API write the store refuses
// for want of space answers 503 "unavailable", as moves do, never 500
// "internal" (issue 15.8).
func TestFullDiskWritesAnswerUnavailable(t *testing.T) {
	api := &weChatAPI{}
	wx := httptest.NewServer(api)
	defer wx.Close()
	h := newHarness(t, fast, func(o *harnessOpts) {
		o.bots = true
		o.srv = func(c *serverConfig) {
			c.WeChat = server.WeChat{AppID: testAppID, Secret: testSecret, APIBase: wx.URL}
			c.WeChatStore = h0(c)
		}
	})
	ctx := context.Background()
	ann := h.player("Ann")
	roomID := h.room(ann, map[string]any{"preset": "party"})
	size, err := h.st.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetMaxBytes(ctx, size); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, token string
		body              func(i int) any
	}{
		{"players", "/api/players", "", func(i int) any { return map[string]any{"name": fmt.Sprintf("%s-%d", strings.Repeat("p", 20), i)} }},
		{"wechat", "/api/players/wechat", "", func(i int) any { return map[string]any{"code": fmt.Sprintf("good-%s-%d", strings.Repeat("w", 40), i)} }},
		{"bots", "/api/rooms/" + roomID + "/bots", ann.Token, func(int) any { return map[string]any{"level": "easy"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2000 {
				var out struct {
					Error struct{ Code string } `json:"error"`
				}
				code := h.do("POST", tt.path, tt.token, tt.body(i), &out)
				if code < 300 {
					continue
				}
				if code != http.StatusServiceUnavailable || out.Error.Code != "unavailable" {
					t.Fatalf("write %d on a full disk: %d %q, want 503 unavailable", i, code, out.Error.Code)
				}
				return
			}
			t.Fatal("no write was refused although the database was full")
		})
	}
	// Rooms: a create refused by the store.
	var out struct {
		Error struct{ Code string } `json:"error"`
	}
	for i := range 200 {
		if code := h.do("POST", "/api/rooms", ann.Token, map[string]any{"name": strings.Repeat("r", 40)}, &out); code >= 300 {
			if code != http.StatusServiceUnavailable || out.Error.Code != "unavailable" {
				t.Fatalf("room %d on a full disk: %d %q, want 503 unavailable", i, code, out.Error.Code)
			}
			return
		}
	}
	t.Fatal("no room was refused although the database was full")
}
