package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// state is what the web client knows of its room, read from the page.
type pageState struct {
	Status string `json:"status"`
	Seq    int    `json:"seq"`
	Turn   *int   `json:"turn"`
	Seat   *int   `json:"seat"`
	Cell   []int  `json:"cell"` // a cell not dug yet
	Open   bool   `json:"open"` // the room's socket is open
}

const readState = `(() => {
  const r = window.goldmine && window.goldmine.room;
  if (!r || !r.state) return {status: "", seq: -1, turn: null, seat: null, cell: null, open: false};
  const s = r.state;
  let cell = null;
  for (let i = 0; i < s.rules.rows && !cell; i++) for (let j = 0; j < s.rules.cols && !cell; j++) if (s.board[i][j] === null) cell = [i, j];
  return {status: s.status, seq: s.seq, turn: s.turn, seat: r.you ? r.you.seat : null, cell, open: r.status === "open"};
})()`

func read(t *testing.T, ctx context.Context) pageState {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[pageState](readState))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWebClientInBrowser has two people, each in a browser context of
// their own, create and join a room from the pages and play a classic game
// to its end by clicking cells. One reloads in the middle and must come
// back into their seat. The end shows the ranking and the fairness check.
func TestWebClientInBrowser(t *testing.T) {
	alice := browsertest.New(t, 2*time.Minute)
	bob := browsertest.Isolated(t, alice)
	// The pages must work under the server's CSP without breaking it.
	aliceCSP, bobCSP := browsertest.WatchCSP(t, alice), browsertest.WatchCSP(t, bob)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	base := h.ts.URL

	// Alice names herself and creates a classic room.
	if err := chromedp.Do(alice,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Alice"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`select[name=preset]`),
		chromedp.Click(`form.card button.primary`),
		browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.status === "open"`),
	); err != nil {
		t.Fatalf("Alice creates a room: %v", err)
	}
	path, err := chromedp.Run(alice, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	// Bob follows the share link and names himself: the game starts.
	if err := chromedp.Do(bob,
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Bob"),
		chromedp.Click(`button[type=submit]`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`),
		browsertest.Until(`window.goldmine.room.state.status === "playing"`),
	); err != nil {
		t.Fatalf("Bob joins: %v", err)
	}
	pages := map[int]context.Context{}
	for _, p := range []context.Context{alice, bob} {
		pages[*read(t, p).Seat] = p
	}
	reloaded := false
	for moves := 0; ; moves++ {
		if moves > 200 {
			t.Fatal("the game did not end")
		}
		s := read(t, alice)
		if s.Status == "finished" {
			break
		}
		mover := pages[*s.Turn]
		ms := read(t, mover)
		sel := `button.cell.undug[data-row="` + itoa(ms.Cell[0]) + `"][data-col="` + itoa(ms.Cell[1]) + `"]`
		if err := chromedp.Do(mover,
			browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`),
			chromedp.Click(sel),
			browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)),
			browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)),
		); err != nil {
			el, _ := chromedp.Run(mover, chromedp.Evaluate[string](`(() => { const b = document.querySelector('`+sel+`'); return b ? b.outerHTML : "none"; })()`))
			t.Fatalf("move %d, %s in %+v (%s): %v", moves, sel, ms, el, err)
		}
		if moves == 6 && !reloaded {
			// Bob reloads: he must come back into his seat, in step.
			seat := *read(t, bob).Seat
			if err := chromedp.Do(bob,
				chromedp.Reload(),
				browsertest.Until(`window.goldmine && window.goldmine.room && window.goldmine.room.status === "open" && window.goldmine.room.state`),
			); err != nil {
				t.Fatalf("reload: %v", err)
			}
			back := read(t, bob)
			if back.Seat == nil || *back.Seat != seat || back.Status != "playing" {
				t.Fatalf("after the reload Bob is %+v, want seat %d in a game in play", back, seat)
			}
			reloaded = true
		}
	}
	for name, p := range map[string]context.Context{"Alice": alice, "Bob": bob} {
		if err := chromedp.Do(p, browsertest.Until(`(() => { const e = document.querySelector(".fair"); return !!e && e.textContent.includes("Fairness verified"); })()`)); err != nil {
			t.Fatalf("%s's page has no fairness check: %v", name, err)
		}
		text, err := chromedp.Run(p, chromedp.Text(`.over`))
		if err != nil || !strings.Contains(text, "Alice") || !strings.Contains(text, "Bob") || !strings.Contains(text, "gold") {
			t.Fatalf("%s's result panel: %q %v", name, text, err)
		}
	}
	shot(t, alice, "client-over-desktop-en.png")
	if v := append(aliceCSP(), bobCSP()...); len(v) > 0 {
		t.Fatalf("CSP violations on the client page:\n%s", strings.Join(v, "\n"))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// shot writes a screenshot to docs/ when GOLDMINE_SCREENSHOTS=1.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("GOLDMINE_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPlayABotInBrowser plays alone: "Play a bot" makes a room with a hard
// bot in it, and the game is played to its end against it. Then a room's
// creator fills the other seat with the room's "Add bot" button.
func TestPlayABotInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets, o.bots = true, true })
	if err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Dana"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`form.solo select[name=level]`),
		chromedp.SetValue(`form.solo select[name=level]`, "hard"),
		chromedp.Click(`form.solo button`),
		browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`),
	); err != nil {
		t.Fatalf("Dana asks for a bot: %v", err)
	}
	for moves := 0; ; moves++ {
		if moves > 200 {
			t.Fatal("the game did not end")
		}
		s := read(t, ctx)
		if s.Status == "finished" {
			break
		}
		if *s.Turn != *s.Seat {
			// The bot's turn: its pause runs on the harness's clock.
			h.clock.Advance(2 * time.Second)
		} else {
			sel := `button.cell.undug[data-row="` + itoa(s.Cell[0]) + `"][data-col="` + itoa(s.Cell[1]) + `"]`
			if err := chromedp.Do(ctx,
				browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`),
				chromedp.Click(sel),
			); err != nil {
				t.Fatalf("move %d: %v", moves, err)
			}
		}
		if err := chromedp.Do(ctx, browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq))); err != nil {
			t.Fatalf("move %d: nothing happened: %v", moves, err)
		}
	}
	text, err := chromedp.Run(ctx, chromedp.Text(`.over`))
	if err != nil || !strings.Contains(text, "Dana") || !strings.Contains(text, "hard bot") {
		t.Fatalf("the result panel: %q %v", text, err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(h.ts.URL+"/"),
		chromedp.WaitVisible(`select[name=preset]`),
		chromedp.Click(`form.card button.primary`),
		browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "waiting"`),
		chromedp.WaitVisible(`.add-bot button`),
		chromedp.Click(`.add-bot button`),
		browsertest.Until(`window.goldmine.room.state.status === "playing" && window.goldmine.room.state.players.some(p => p.bot)`),
	); err != nil {
		t.Fatalf("Dana adds a bot to her room: %v", err)
	}
}

// TestPrivateRoomShareLinkInBrowser opens a private room, with its long id,
// from its share link, as the link is given and in lower case.
func TestPrivateRoomShareLinkInBrowser(t *testing.T) {
	bob := browsertest.New(t, time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	alice := h.player("Alice")
	id := h.room(alice, map[string]any{"preset": "classic", "private": true})
	if len(id) <= 6 {
		t.Fatalf("private room id %q is not a long one", id)
	}
	a := h.dial("alice", nil)
	a.hello(alice.Token, id, "player")
	if err := chromedp.Do(bob,
		chromedp.Navigate(h.ts.URL+"/r/"+id),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Bob"),
		chromedp.Click(`button[type=submit]`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`),
	); err != nil {
		t.Fatalf("Bob follows the share link of a private room: %v", err)
	}
	if got, err := chromedp.Run(bob, chromedp.Evaluate[string](`window.goldmine.room.state.id`)); err != nil || got != id {
		t.Fatalf("the page's room is %q (%v), want %q", got, err, id)
	}
	if s := read(t, bob); s.Seat == nil || *s.Seat != 1 {
		t.Fatalf("Bob is %+v, want seat 1", s)
	}
	a.expect("player_joined")
	// The same link in lower case (typed by hand) opens the same room.
	if err := chromedp.Do(bob,
		chromedp.Navigate(h.ts.URL+"/r/"+strings.ToLower(id)),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open" && window.goldmine.room.state && window.goldmine.room.state.id === "`+id+`"`),
	); err != nil {
		t.Fatalf("the lower-case link: %v", err)
	}
}
