package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

func withAssets(o *harnessOpts) { o.assets = true }

// quickLobby signs a person up and waits for the lobby's Quick match card
// with their rating (1500 for a new player).
func quickLobby(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	signUp(t, ctx, base, name)
	run(t, ctx, name+": the quick match card",
		chromedp.WaitVisible(`section.quick button.go`),
		browsertest.Until(`document.querySelector("section.quick .rating").textContent.includes("1500")`),
		// The preset picker is filled from GET /api/presets.
		browsertest.Until(`document.querySelectorAll("section.quick select option").length >= 3`))
	// The first and biggest action: the lobby's first card.
	if first := eval[bool](t, ctx, `document.querySelector("header.top").nextElementSibling === document.querySelector("section.quick")`); !first {
		t.Fatalf("%s: Quick match is not the lobby's first card", name)
	}
}

// searching presses Quick match and waits for the elapsed time.
func searching(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	run(t, ctx, "search",
		chromedp.Click(`section.quick button.go`),
		browsertest.Until(`document.querySelector("section.quick [role=status]").textContent.startsWith(`+jsString(want)+`)`))
}

func jsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// TestQuickMatchInBrowser: two people in two browser contexts (a phone in
// English, a phone in Chinese) press Quick match, land in the same room
// seated, each dig once, and when one leaves, the other's game-over panel
// shows both rating changes.
func TestQuickMatchInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := matchHarness(t, 0, withAssets)
	ann, bob := open(t, browser, phoneEN), open(t, browser, phoneZH)
	quickLobby(t, ann, h.ts.URL, "Ann")
	quickLobby(t, bob, h.ts.URL, "小波")
	searching(t, ann, "Searching for an opponent… ")
	noSideways(t, ann, "searching en")
	searching(t, bob, "正在寻找对手… ")
	noSideways(t, bob, "searching zh")
	var rooms []string
	for _, p := range []context.Context{ann, bob} {
		run(t, p, "into the game", browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room &&
			window.goldmine.room.state && window.goldmine.room.state.status === "playing" && !!document.querySelector(".board")`))
		rooms = append(rooms, eval[string](t, p, `location.pathname`))
		noSideways(t, p, "quick-match game")
	}
	if rooms[0] != rooms[1] {
		t.Fatalf("two rooms: %v", rooms)
	}
	pages := map[int]context.Context{}
	for _, p := range []context.Context{ann, bob} {
		pages[*read(t, p).Seat] = p
	}
	if len(pages) != 2 {
		t.Fatalf("seats %v", pages)
	}
	// One dig each, by clicking (a game in which fewer than 2 seats dug is not rated).
	for i := 0; i < 2; i++ {
		s := read(t, ann)
		mover := pages[*s.Turn]
		ms := read(t, mover)
		sel := `button.cell.undug[data-row="` + itoa(ms.Cell[0]) + `"][data-col="` + itoa(ms.Cell[1]) + `"]`
		run(t, mover, "dig "+itoa(i),
			browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`),
			clickJS(sel),
			browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)))
	}
	if s := read(t, ann); s.Status != "playing" {
		t.Skipf("the game ended in two digs (%+v): nothing left to check", s)
	}
	eval[bool](t, bob, `(window.goldmine.room.leave(), true)`)
	if err := chromedp.Do(ann, browsertest.Until(`(() => { const e = document.querySelectorAll(".over .rating-change");
		return e.length === 2 && [...e].every((x) => x.textContent.includes("rating 1500 →")); })()`)); err != nil {
		text, _ := chromedp.Run(ann, chromedp.Text(`.over`))
		t.Fatalf("the rating changes on game over: %v (%q)", err, text)
	}
	text := eval[string](t, ann, `document.querySelector(".over").innerText`)
	if !strings.Contains(text, "(+") || !strings.Contains(text, "(−") {
		t.Fatalf("the winner gains and the one who left loses: %q", text)
	}
	noSideways(t, ann, "game over")
	pageShot(t, ann, "quick-over-phone-en.png")
	// The profile shows the new rating and the game's change; the
	// leaderboard by rating needs 5 rated games, so it says so.
	run(t, ann, "profile",
		chromedp.Click(`nav.nav a[href^="/p/"]`),
		browsertest.Until(`location.pathname.startsWith("/p/") && !!document.querySelector(".stats.rating") && document.querySelectorAll(".history li").length === 1`))
	if got := eval[string](t, ann, `document.querySelector(".stats.rating").textContent + " | " + document.querySelector(".history li").textContent`); !strings.Contains(got, "Rating: 1") ||
		!strings.Contains(got, "rated\u00a0games:\u00a01") || !strings.Contains(got, "rating +") {
		t.Fatalf("the profile: %q", got)
	}
	noSideways(t, ann, "profile")
	pageShot(t, ann, "quick-profile-phone-en.png")
	run(t, ann, "leaderboard by rating",
		chromedp.Navigate(h.ts.URL+"/leaderboard"),
		chromedp.WaitVisible(`a.tab[href="/leaderboard?by=rating"]`),
		chromedp.Click(`a.tab[href="/leaderboard?by=rating"]`),
		browsertest.Until(`location.search === "?by=rating" && document.querySelector(".card .muted") && document.querySelector(".card .muted").textContent.includes("5 rated games")`))
}

// TestQuickMatchBotInBrowser, with --match-bot-after 2s (this test only,
// so that it does not wait the default 20 s): a person alone, on a phone
// in English and in Chinese, cancels once (and is out of the queue), then
// waits, sees the seconds go by, and plays a bot of their rating.
func TestQuickMatchBotInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := matchHarness(t, 2*time.Second, withAssets)
	for _, sc := range []screen{phoneEN, phoneZH} {
		t.Run(sc.name, func(t *testing.T) {
			ctx := open(t, browser, sc)
			name, want := "Cat", "Searching for an opponent… "
			if sc.lang != phoneEN.lang {
				name, want = "小猫", "正在寻找对手… "
			}
			quickLobby(t, ctx, h.ts.URL, name)
			noSideways(t, ctx, sc.name+" lobby")
			searching(t, ctx, want)
			run(t, ctx, "cancel",
				chromedp.Click(`section.quick button.cancel`),
				browsertest.Until(`!document.querySelector("section.quick button.go").hidden &&
					document.querySelector("section.quick [role=status]").textContent === ""`))
			probe := h.player("Probe" + sc.name)
			if code, r := h.quickMatch(probe, map[string]any{"wait_s": 0}); code != 202 {
				t.Fatalf("%s left the queue, yet: %d %+v", name, code, r)
			}
			h.do("DELETE", "/api/match", probe.Token, nil, nil)
			searching(t, ctx, want)
			run(t, ctx, "against a bot",
				browsertest.Until(`(() => { const e = document.querySelector("section.quick [role=status]"); return !e || /[1-9] (s|秒)$/.test(e.textContent); })()`),
				browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.state &&
					window.goldmine.room.state.status === "playing" && window.goldmine.room.state.players.some((x) => x.bot) && !!document.querySelector(".board")`))
			noSideways(t, ctx, sc.name+" game")
		})
	}
}

// TestQuickMatchScreensInBrowser takes the lobby with Quick match and the
// searching state at every screen, English and Chinese (to docs/ with
// GOLDMINE_SCREENSHOTS=1), with nothing scrolling sideways.
func TestQuickMatchScreensInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := matchHarness(t, 0, withAssets)
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := open(t, browser, sc)
			name, want := "Alice", "Searching for an opponent… 2 s"
			if strings.HasPrefix(sc.lang, "zh") {
				name, want = "小红", "正在寻找对手… 2 秒"
			}
			quickLobby(t, ctx, h.ts.URL, name)
			noSideways(t, ctx, sc.name+" lobby")
			pageShot(t, ctx, "lobby-quick-"+sc.name+".png") // docs/client-lobby-* is TestScreensInBrowser's, with rooms listed
			searching(t, ctx, want)
			noSideways(t, ctx, sc.name+" searching")
			pageShot(t, ctx, "client-lobby-searching-"+sc.name+".png")
			run(t, ctx, "cancel", chromedp.Click(`section.quick button.cancel`),
				browsertest.Until(`!document.querySelector("section.quick button.go").hidden`))
		})
	}
}

// TestRatingBoardInBrowser: after 5 rated games between the same two
// people (the board's minimum), the leaderboard's rating tab lists both,
// with their ratings, in Chinese on a phone, and links to the profiles.
func TestRatingBoardInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, withAssets)
	alice, bob := h.player("Alice"), h.player("Bob")
	for i := 0; i < 5; i++ {
		id := h.room(alice, map[string]any{"preset": "classic", "rated": true})
		a := h.dial("alice", nil)
		a.hello(alice.Token, id, "player")
		b := h.dial("bob", nil)
		wb := b.hello(bob.Token, id, "player")
		a.expect("player_joined")
		tb := newTable(t, 9, 9, int(wb.room()["seq"].(float64)), 0, []*client{a, b})
		tb.event("game_started")
		tb.layout = h.layout(id)
		tb.playOut()
		a.ws.Close()
		b.ws.Close()
	}
	ctx := open(t, browser, phoneZH)
	signUp(t, ctx, h.ts.URL, "小明")
	run(t, ctx, "积分榜",
		chromedp.Click(`nav.nav a[href="/leaderboard"]`),
		chromedp.WaitVisible(`a.tab[href="/leaderboard?by=rating"]`),
		chromedp.Click(`a.tab[href="/leaderboard?by=rating"]`),
		browsertest.Until(`document.querySelectorAll("table.by-rating tbody tr").length === 2`))
	text := eval[string](t, ctx, `document.querySelector("table.by-rating").innerText`)
	if !strings.Contains(text, "积分") || !strings.Contains(text, "Alice") || !strings.Contains(text, "Bob") || !strings.Contains(text, "±") {
		t.Fatalf("the board by rating: %q", text)
	}
	if sel := eval[string](t, ctx, `document.querySelector("a.tab.on").textContent`); sel != "积分榜" {
		t.Fatalf("the selected tab: %q", sel)
	}
	noSideways(t, ctx, "积分榜")
	pageShot(t, ctx, "rating-board-phone-zh.png")
	run(t, ctx, "a profile",
		chromedp.Click(`table.by-rating tbody tr:first-child a`),
		browsertest.Until(`location.pathname.startsWith("/p/") && !!document.querySelector(".stats.rating") && document.querySelectorAll(".history li").length === 5`))
	if got := eval[string](t, ctx, `document.querySelector(".stats.rating").textContent`); !strings.Contains(got, "计分对局 5 局") {
		t.Fatalf("the profile's rating: %q", got)
	}
}
