package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// screen is one of the ways people see the client: a size and a language.
type screen struct {
	name string
	w, h int64
	lang string // what the browser's Accept-Language asks for
}

var (
	desktopEN = screen{"desktop-en", 1280, 800, "en-US,en;q=0.9"}
	phoneEN   = screen{"phone-en", 390, 844, "en-US,en;q=0.9"}
	desktopZH = screen{"desktop-zh", 1280, 800, "zh-CN,zh;q=0.9"}
	phoneZH   = screen{"phone-zh", 390, 844, "zh-CN,zh;q=0.9"}
	screens   = []screen{desktopEN, phoneEN, desktopZH, phoneZH}
)

// open gives a person of their own (a new browser context) a tab at the
// screen's size, asking for the screen's language.
func open(t *testing.T, browser context.Context, sc screen) context.Context {
	t.Helper()
	ctx := browsertest.Isolated(t, browser)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(sc.w, sc.h), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": sc.lang}})
		return err
	})); err != nil {
		t.Fatalf("%s: set up the tab: %v", sc.name, err)
	}
	// Nothing the page does may be refused by its Content-Security-Policy.
	csp := browsertest.WatchCSP(t, ctx)
	t.Cleanup(func() {
		if v := csp(); len(v) > 0 {
			t.Errorf("%s: CSP violations:\n%s", sc.name, strings.Join(v, "\n"))
		}
	})
	return ctx
}

// reducedMotion makes the tab prefer reduced motion.
func reducedMotion() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	})
}

// tr is a string of the page's catalogue in the page's language.
func tr(t *testing.T, ctx context.Context, key string, vars map[string]any) string {
	t.Helper()
	js, _ := json.Marshal(vars)
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`window.goldmine.t(%q, %s)`, key, js)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// signUp names a person on the front page and waits for the lobby.
func signUp(t *testing.T, ctx context.Context, base, name string) {
	t.Helper()
	run(t, ctx, "sign up as "+name,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, name),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`select[name=preset]`))
}

// noSideways fails unless the page fits the window's width.
func noSideways(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type widths struct{ Scroll, Inner int }
	w := eval[widths](t, ctx, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`)
	if w.Scroll > w.Inner {
		wide := eval[string](t, ctx, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5 && !e.closest(".board-wrap")).slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`)
		t.Fatalf("%s: the page is %d px wide in a %d px window: it scrolls sideways (%s)", where, w.Scroll, w.Inner, wide)
	}
}

// pageShot writes a screenshot to docs/ when GOLDMINE_SCREENSHOTS=1, and
// always to the test's temporary directory, so that one can look.
func pageShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("GOLDMINE_SHOTS_DIR"); d != "" {
		dir = d
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the client-* screens are the README's.
	if os.Getenv("GOLDMINE_SCREENSHOTS") == "1" && strings.HasPrefix(name, "client-") {
		if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCustomRulesFormInBrowser: the custom fields show only with "Custom
// rules", and what is typed there makes the room.
func TestCustomRulesFormInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range []screen{desktopEN, phoneZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Cleo")
		visible := `(() => { const e = document.querySelector(".custom"); return !!e && e.getClientRects().length > 0; })()`
		if eval[bool](t, ctx, visible) {
			t.Fatalf("%s: the custom rules show with a preset chosen", sc.name)
		}
		// Typed while hidden (by a script, as autofill would): ignored,
		// since the preset says otherwise.
		run(t, ctx, "pick custom",
			chromedp.SetValue(`select[name=preset]`, "custom"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=preset]").dispatchEvent(new Event("change"))`),
		)
		if !eval[bool](t, ctx, visible) {
			t.Fatalf("%s: the custom rules stay hidden with Custom chosen", sc.name)
		}
		run(t, ctx, "type rules",
			chromedp.SetValue(`input[name=rows]`, "12"),
			chromedp.SetValue(`input[name=cols]`, "10"),
			chromedp.SetValue(`input[name=gold]`, "15"),
			chromedp.Click(`form.create button.primary`),
			browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.state`))
		type rules struct{ Rows, Cols, Gold int }
		if got := eval[rules](t, ctx, `window.goldmine.room.state.rules`); got != (rules{12, 10, 15}) {
			t.Fatalf("%s: custom room %+v, want 12×10 with 15 gold", sc.name, got)
		}
		// Back to the lobby: Flags, after typing into the custom fields
		// and hiding them again, makes a Flags room.
		run(t, ctx, "flags",
			chromedp.Navigate(h.ts.URL+"/"),
			chromedp.WaitVisible(`select[name=preset]`),
			chromedp.SetValue(`select[name=preset]`, "custom"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=preset]").dispatchEvent(new Event("change"))`),
			chromedp.SetValue(`input[name=rows]`, "7"),
			chromedp.SetValue(`select[name=preset]`, "flags"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("select[name=preset]").dispatchEvent(new Event("change"))`),
			chromedp.Click(`form.create button.primary`),
			browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.state`))
		if got := eval[rules](t, ctx, `window.goldmine.room.state.rules`); got != (rules{16, 16, 51}) {
			t.Fatalf("%s: flags room %+v, want 16×16 with 51 gold", sc.name, got)
		}
	}
}

// contrastJS computes, from the page's computed styles, the WCAG contrast
// of every cell showing a digit or gold against the cell, with every
// opacity on the way composited in. It returns the failures.
const contrastJS = `(() => {
  const parse = c => { const p = c.match(/[\d.]+/g).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const over = (fg, bg, a) => ({r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a), a: 1});
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const opacity = el => { let o = 1; for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
  const backdrop = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const out = [];
  let n = 0;
  for (const cell of document.querySelectorAll(".board .cell.dug, .board .cell.gold")) {
    const text = cell.querySelector(".nugget") || cell;
    if (!text.textContent.trim()) continue;
    n++;
    const op = opacity(cell);
    const under = backdrop(cell.parentElement);
    const cellBg = parse(getComputedStyle(cell).backgroundColor);
    const bg = over(cellBg, under, cellBg.a * op);
    const fgc = parse(getComputedStyle(text).color);
    const fg = over(fgc, bg, fgc.a * opacity(text));
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) out.push(cell.className + " '" + text.textContent + "' " + ratio.toFixed(2) + ":1");
  }
  return {checked: n, failures: out};
})()`

type contrastResult struct {
	Checked  int      `json:"checked"`
	Failures []string `json:"failures"`
}

// TestContrastInBrowser plays a few digs against a bot and then checks
// every revealed digit and gold, plus one sample of each digit 1-8 and of
// each seat's gold drawn with the page's own classes, at WCAG AA.
func TestContrastInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets, o.bots = true, true })
	ctx := open(t, browser, desktopEN)
	signUp(t, ctx, h.ts.URL, "Dana")
	run(t, ctx, "play a bot",
		chromedp.Click(`form.solo button`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`))
	for moves := 0; moves < 12; moves++ {
		s := read(t, ctx)
		if s.Status != "playing" {
			break
		}
		if *s.Turn != *s.Seat {
			h.clock.Advance(2 * time.Second)
		} else {
			sel := `button.cell.undug[data-row="` + itoa(s.Cell[0]) + `"][data-col="` + itoa(s.Cell[1]) + `"]`
			run(t, ctx, "dig", browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`), clickJS(sel))
		}
		run(t, ctx, "wait", browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)))
	}
	run(t, ctx, "samples", chromedp.Evaluate[chromedp.Void](`(() => {
	  const b = document.querySelector(".board");
	  for (let v = 1; v <= 8; v++) { const c = document.createElement("button"); c.className = "cell dug n" + v; c.disabled = true; c.textContent = v; b.appendChild(c); }
	  for (let s = 0; s < 8; s++) { const c = document.createElement("button"); c.className = "cell gold s" + s + (s % 2 ? " last by-s" + s : ""); c.disabled = true; c.innerHTML = '<span class="nugget">◆</span>'; b.appendChild(c); }
	})()`), browsertest.Until(`document.getAnimations().every(a => a.playState === "finished")`))
	res := eval[contrastResult](t, ctx, contrastJS)
	if res.Checked < 16 || len(res.Failures) > 0 {
		t.Fatalf("contrast below 4.5:1 in %d of %d cells: %v", len(res.Failures), res.Checked, res.Failures)
	}
}

// joinWS seats (or seats as a spectator) a player over a plain WebSocket.
func joinWS(h *harness, p player, id, as string) *client {
	c := h.dial(p.Name, nil)
	c.hello(p.Token, id, as)
	return c
}

// TestLongNamesInBrowser: no page scrolls sideways at 390 px with the
// longest names (24 characters without a space, and 24 "W"s), in either
// language; the board's last column stays on screen.
func TestLongNamesInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	long := h.player("Verylongnamewithnospaces")
	for _, sc := range []screen{phoneEN, phoneZH, desktopEN} {
		t.Run(sc.name, func(t *testing.T) {
			id := h.room(long, map[string]any{"preset": "classic", "name": strings.Repeat("Roomnamewithoutanyspace", 2)[:40]})
			other := joinWS(h, long, id, "player")
			defer other.ws.Close()
			ctx := open(t, browser, sc)
			signUp(t, ctx, h.ts.URL, strings.Repeat("W", 24))
			run(t, ctx, "the lobby lists the room", browsertest.Until(`document.querySelectorAll(".rooms li .room-id").length > 0`))
			noSideways(t, ctx, sc.name+" lobby")
			run(t, ctx, "join", chromedp.Navigate(h.ts.URL+"/r/"+id),
				browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`),
				chromedp.WaitVisible(`.board`))
			noSideways(t, ctx, sc.name+" game")
			type box struct{ Right, Inner float64 }
			b := eval[box](t, ctx, `(() => { const cells = document.querySelectorAll(".board .cell"); return {right: cells[cells.length - 1].getBoundingClientRect().right, inner: innerWidth}; })()`)
			if b.Right > b.Inner {
				t.Fatalf("the board's last column ends at %.0f px in a %.0f px window", b.Right, b.Inner)
			}
			pageShot(t, ctx, "long-names-"+sc.name+".png")
			run(t, ctx, "leaderboard", chromedp.Navigate(h.ts.URL+"/leaderboard"), chromedp.WaitVisible(`.tabs`))
			noSideways(t, ctx, sc.name+" leaderboard")
			run(t, ctx, "profile", chromedp.Navigate(h.ts.URL+"/p/"+long.ID), browsertest.Until(`!!document.querySelector(".pname")`))
			noSideways(t, ctx, sc.name+" profile")
		})
	}
}

// TestLargeBoardInBrowser: a 30×30 board keeps cells of at least 28 px on
// a phone; the board scrolls in its own box, and the page does not.
func TestLargeBoardInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	owner := h.player("Owner")
	id := h.room(owner, map[string]any{"rows": 30, "cols": 30, "gold": 99})
	for _, sc := range []screen{phoneEN, desktopZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Pia")
		run(t, ctx, "open", chromedp.Navigate(h.ts.URL+"/r/"+id+"?watch=1"), chromedp.WaitVisible(`.board .cell`))
		type m struct {
			Cell               float64
			WrapScroll, WrapIn int
		}
		got := eval[m](t, ctx, `(() => { const c = document.querySelector(".board .cell").getBoundingClientRect(); const w = document.querySelector(".board-wrap"); return {cell: Math.min(c.width, c.height), wrapScroll: w.scrollWidth, wrapIn: w.clientWidth}; })()`)
		if got.Cell < 28 {
			t.Fatalf("%s: cells of %.1f px, want at least 28", sc.name, got.Cell)
		}
		noSideways(t, ctx, sc.name+" 30×30")
		if sc.w < 800 && got.WrapScroll <= got.WrapIn {
			t.Fatalf("%s: the board (%d px) does not scroll in its box (%d px)", sc.name, got.WrapScroll, got.WrapIn)
		}
	}
}

// TestWatchingCountInBrowser: a player's page counts the spectators as
// they come and go.
func TestWatchingCountInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range []screen{desktopEN, phoneZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Alma")
		run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
		id := eval[string](t, ctx, `window.goldmine.room.id`)
		for _, n := range []int{0, 1} {
			if n == 1 {
				w := joinWS(h, h.player("Viewer"), id, "spectator")
				defer w.ws.Close()
			}
			want := tr(t, ctx, "game.watching", map[string]any{"n": n})
			run(t, ctx, fmt.Sprintf("%s: %q", sc.name, want), browsertest.Until(fmt.Sprintf(`document.querySelector(".watching").textContent === %q`, want)))
		}
	}
}

// TestChatHistoryInBrowser: chat survives a reload, and a late spectator
// reads it.
func TestChatHistoryInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	ctx := open(t, browser, desktopEN)
	signUp(t, ctx, h.ts.URL, "Ines")
	run(t, ctx, "create and chat",
		chromedp.Click(`form.create button.primary`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`),
		chromedp.SendKeys(`input[name=chat]`, "hello from before\r"),
		browsertest.Until(`document.querySelector(".chat ul").textContent.includes("hello from before")`),
		chromedp.Reload(),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open" && !!document.querySelector(".chat ul")`),
		browsertest.Until(`document.querySelector(".chat ul").textContent.includes("hello from before")`))
	path := eval[string](t, ctx, `location.pathname`)
	late := open(t, browser, phoneZH)
	signUp(t, late, h.ts.URL, "Late")
	run(t, late, "a late spectator", chromedp.Navigate(h.ts.URL+path+"?watch=1"),
		browsertest.Until(`!!document.querySelector(".chat ul") && document.querySelector(".chat ul").textContent.includes("Ines: hello from before")`))
}

// TestSkippedTurnInBrowser: a timed-out turn is explained to its player,
// and each player's last dig is marked on the board.
func TestSkippedTurnInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range []screen{desktopEN, phoneZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Uma")
		run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
		id := eval[string](t, ctx, `window.goldmine.room.id`)
		bob := h.player("Bob")
		b := joinWS(h, bob, id, "player")
		run(t, ctx, "started", browsertest.Until(`window.goldmine.room.state.status === "playing" && window.goldmine.room.state.turn === 0`))
		h.clock.Advance(31 * time.Second)
		want := tr(t, ctx, "game.skip_you_timeout", nil)
		run(t, ctx, "the skip is explained", browsertest.Until(fmt.Sprintf(`!!document.querySelector(".notice") && document.querySelector(".notice").textContent === %q`, want)))
		// Bob digs (his turn now): his cell carries his mark.
		run(t, ctx, "Bob's turn", browsertest.Until(`window.goldmine.room.state.turn === 1`))
		b.send(map[string]any{"type": "dig", "row": 4, "col": 4, "id": "b1"})
		run(t, ctx, "Bob's last dig is marked", browsertest.Until(`!!document.querySelector('.cell.last.by-s1[data-row="4"][data-col="4"]')`))
		if eval[bool](t, ctx, `!!document.querySelector(".notice")`) {
			t.Fatalf("%s: the skip notice outlived the next dig", sc.name)
		}
		b.ws.Close()
	}
}

// TestCloseCodesInBrowser: after every close code of docs/protocol.md the
// page says what happened; after the final ones (4000-4003) the board is
// disabled and no "your turn" remains.
func TestCloseCodesInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	doc, err := os.ReadFile(filepath.Join("..", "docs", "protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, _ := strings.Cut(string(doc), "## Close codes")
	table, _, _ = strings.Cut(table, "## Limits")
	codes := regexp.MustCompile(`(?m)^\| (\d{4}) \|`).FindAllStringSubmatch(table, -1)
	if len(codes) < 10 {
		t.Fatalf("found %d close codes in docs/protocol.md", len(codes))
	}
	final := map[string]func(t *testing.T, ctx context.Context, id, playerID string){
		"4000": func(t *testing.T, ctx context.Context, id, _ string) {
			if err := h.rooms.CloseRoom(id); err != nil {
				t.Fatal(err)
			}
		},
		"4001": func(t *testing.T, ctx context.Context, id, _ string) {
			// The same person opens the game in a second tab.
			tab, cancel := chromedp.NewContext(ctx)
			t.Cleanup(cancel)
			run(t, tab, "second tab", chromedp.Navigate(h.ts.URL+"/r/"+id), browsertest.Until(`window.goldmine && window.goldmine.room && window.goldmine.room.status === "open"`))
		},
		"4002": func(t *testing.T, ctx context.Context, id, playerID string) {
			if err := h.rooms.Kick(id, playerID, ""); err != nil {
				t.Fatal(err)
			}
		},
		"4003": func(t *testing.T, ctx context.Context, id, playerID string) {
			h.rooms.Disconnect(playerID, 4003, "banned")
		},
	}
	// setup opens a game of Kim's, Kim to move, against Bob over a socket.
	setup := func(t *testing.T, sc screen) (ctx context.Context, id, me string) {
		ctx = open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Kim")
		run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
		id = eval[string](t, ctx, `window.goldmine.room.id`)
		me = eval[string](t, ctx, `JSON.parse(localStorage.getItem("goldmine.player")).player_id`)
		b := joinWS(h, h.player("Bob"), id, "player")
		t.Cleanup(func() { b.ws.Close() })
		run(t, ctx, "my turn", browsertest.Until(`window.goldmine.room.state.status === "playing" && !!document.querySelector(".board .cell.undug:enabled")`))
		return ctx, id, me
	}
	for _, sc := range []screen{desktopEN, phoneZH} {
		// The codes after which the SDK reconnects: a server sends most of
		// them only to a broken client, so they are handed to the page's
		// socket as a close would be; the page says why and comes back.
		t.Run(sc.name+"/reconnecting", func(t *testing.T) {
			ctx, _, _ := setup(t, sc)
			for _, m := range codes {
				code := m[1]
				if _, ok := final[code]; ok || code == "1000" {
					continue // 1000 is the page's own leave: it goes back to the lobby
				}
				want := tr(t, ctx, "close."+code, nil)
				run(t, ctx, "drop "+code, chromedp.Evaluate[chromedp.Void](`window.goldmine.room._t.onclose({code: `+code+`, reason: ""})`))
				run(t, ctx, code+": the banner says "+want, browsertest.Until(fmt.Sprintf(`document.getElementById("banner").textContent === %q`, want)))
				run(t, ctx, code+": back", browsertest.Until(`window.goldmine.room.status === "open" && document.getElementById("banner").hidden && !!document.querySelector(".board .cell.undug:enabled")`))
			}
		})
		for _, m := range codes {
			code := m[1]
			act, ok := final[code]
			if !ok {
				continue
			}
			t.Run(sc.name+"/"+code, func(t *testing.T) {
				ctx, id, me := setup(t, sc)
				want := tr(t, ctx, "close."+code, nil)
				act(t, ctx, id, me)
				run(t, ctx, "the page says "+want, browsertest.Until(fmt.Sprintf(`document.querySelector(".turnline").textContent.includes(%q)`, want)))
				if n := eval[int](t, ctx, `document.querySelectorAll(".board .cell:enabled").length`); n != 0 {
					t.Fatalf("%d cells still clickable after %s", n, code)
				}
				if txt := eval[string](t, ctx, `document.body.innerText`); strings.Contains(txt, tr(t, ctx, "game.your_turn", nil)) {
					t.Fatalf("the page still says it is your turn after %s", code)
				}
				pageShot(t, ctx, "close-"+code+"-"+sc.name+".png")
			})
		}
	}
}

// TestDotsWhileServerDownInBrowser: with the server gone, nobody's
// connection dot stays green.
func TestDotsWhileServerDownInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	ctx := open(t, browser, phoneEN)
	signUp(t, ctx, h.ts.URL, "Olga")
	run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
	id := eval[string](t, ctx, `window.goldmine.room.id`)
	b := joinWS(h, h.player("Bob"), id, "player")
	defer b.ws.Close()
	green := `[...document.querySelectorAll(".players .dot")].filter(d => getComputedStyle(d).backgroundColor === "rgb(46, 125, 50)").length`
	run(t, ctx, "green", browsertest.Until(green+` === 2`))
	h.ts.Listener.Close()
	if err := h.srv.CloseSessions(context.Background(), 1001, "server restarting"); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "grey", browsertest.Until(`window.goldmine.room.status !== "open"`), browsertest.Until(green+` === 0 && document.querySelectorAll(".players .dot.unknown").length === 2`))
	// The banner says why: the restart first, then that the server is
	// out of reach.
	if txt := eval[string](t, ctx, `document.getElementById("banner").textContent`); txt != tr(t, ctx, "close.1001", nil) && txt != tr(t, ctx, "close.1006", nil) {
		t.Fatalf("the banner says %q", txt)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".board .cell:enabled").length`); n != 0 {
		t.Fatalf("%d cells clickable while the server is down", n)
	}
}

// TestLobbyOccupiedInBrowser: the lobby lists the rooms someone is in, not
// the ones everybody left.
func TestLobbyOccupiedInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	owner := h.player("Owner")
	empty := h.room(owner, map[string]any{"name": "Abandoned"})
	busy := h.room(owner, map[string]any{"name": "Busy"})
	c := joinWS(h, owner, busy, "player")
	defer c.ws.Close()
	for _, sc := range []screen{desktopEN, phoneZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Lou")
		run(t, ctx, "list", browsertest.Until(`document.querySelectorAll(".rooms li .room-id").length > 0`))
		ids := eval[string](t, ctx, `[...document.querySelectorAll(".rooms li .room-id")].map(e => e.textContent).join(",")`)
		if ids != busy || strings.Contains(ids, empty) {
			t.Fatalf("%s: the lobby lists %q, want only %s", sc.name, ids, busy)
		}
	}
}

// TestNotFoundInBrowser: an unknown path shows a page, and the favicon
// loads.
func TestNotFoundInBrowser(t *testing.T) {
	browser := browsertest.New(t, time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	ctx := open(t, browser, phoneEN)
	run(t, ctx, "404", chromedp.Navigate(h.ts.URL+"/no/such/page"), chromedp.WaitVisible(`h1`))
	if txt := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(txt, "Page not found") || strings.Contains(txt, `"error"`) {
		t.Fatalf("the 404 page: %q", txt)
	}
	noSideways(t, ctx, "404")
	signUp(t, ctx, h.ts.URL, "Fay")
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Promise.all([fetch(document.querySelector("link[rel=icon]").href), fetch("/favicon.ico")]).then(rs => rs[0].status * 1000 + rs[1].status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200200 {
		t.Fatalf("favicons: %d %v", status, err)
	}
}

// TestRenameAndSignOutInBrowser: renaming keeps the player (same id, same
// stats); signing out is a separate, confirmed action.
func TestRenameAndSignOutInBrowser(t *testing.T) {
	browser := browsertest.New(t, time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range []screen{desktopEN, phoneZH} {
		ctx := open(t, browser, sc)
		signUp(t, ctx, h.ts.URL, "Ren")
		before := eval[string](t, ctx, `JSON.parse(localStorage.getItem("goldmine.player")).player_id`)
		run(t, ctx, "rename",
			chromedp.Click(`button.rename`),
			chromedp.WaitVisible(`input[name=rename]`),
			chromedp.Evaluate[chromedp.Void](`document.querySelector("input[name=rename]").value = ""`),
			chromedp.SendKeys(`input[name=rename]`, "Renata\r"),
			browsertest.Until(`!!document.querySelector(".myname") && document.querySelector(".myname").textContent === "Renata"`))
		after := eval[string](t, ctx, `JSON.parse(localStorage.getItem("goldmine.player")).player_id`)
		var me map[string]any
		h.do("GET", "/api/players/"+before, "", nil, &me)
		if after != before || me["name"] != "Renata" {
			t.Fatalf("%s: after the rename the page is %s (was %s) and the server says %v", sc.name, after, before, me)
		}
		noSideways(t, ctx, sc.name+" header")
		run(t, ctx, "sign out",
			chromedp.Click(`button.sign-out`),
			chromedp.WaitVisible(`button.confirm-sign-out`),
			chromedp.Click(`button.confirm-sign-out`),
			chromedp.WaitVisible(`input[name=name]`))
		if eval[bool](t, ctx, `localStorage.getItem("goldmine.player") !== null`) {
			t.Fatalf("%s: signed out, the player is still stored", sc.name)
		}
	}
}

// TestBotGameInChinese plays a whole game against a bot in Chinese, on a
// phone: the page picks Chinese from Accept-Language, every step reads in
// Chinese, and the switch to English is remembered across a reload. With
// GOLDMINE_SCREENSHOTS=1 it writes the client's screenshots to docs/.
func TestBotGameInChinese(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets, o.bots = true, true })
	for _, sc := range []screen{phoneZH, desktopZH} {
		ctx := open(t, browser, sc)
		run(t, ctx, "front page", chromedp.Navigate(h.ts.URL+"/"), chromedp.WaitVisible(`input[name=name]`))
		if got := eval[string](t, ctx, `document.documentElement.lang + " " + document.querySelector("h1").textContent`); got != "zh-CN 欢迎来挖金子" {
			t.Fatalf("%s: the front page is %q", sc.name, got)
		}
		signUp(t, ctx, h.ts.URL, "小明")
		noSideways(t, ctx, sc.name+" 大厅")
		pageShot(t, ctx, "lobby-"+sc.name+".png")
		run(t, ctx, "和机器人玩",
			chromedp.SetValue(`form.solo select[name=level]`, "normal"),
			chromedp.Click(`form.solo button`),
			browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`))
		shot := false
		playToEnd(t, ctx, h, func() {
			run(t, ctx, "轮到你", browsertest.Until(`document.querySelector(".turnline").textContent === "轮到你了：挖一个格子。"`))
		}, func(moves int) {
			if !shot && moves >= 8 {
				run(t, ctx, "settle", browsertest.Until(`document.getAnimations().every(a => a.playState === "finished")`))
				noSideways(t, ctx, sc.name+" 对局")
				pageShot(t, ctx, "botgame-"+sc.name+".png")
				shot = true
			}
		})
		run(t, ctx, "公平性", browsertest.Until(`!!document.querySelector(".fair.ok") && document.querySelector(".fair.ok").textContent.startsWith("✓ 公平性已验证")`))
		if txt := eval[string](t, ctx, `document.querySelector(".over").innerText`); !strings.Contains(txt, "小明") || !strings.Contains(txt, "块金子") {
			t.Fatalf("%s: the result panel: %q", sc.name, txt)
		}
		noSideways(t, ctx, sc.name+" 结果")
		pageShot(t, ctx, "client-over-"+sc.name+".png")
		// The switch: English, remembered across a reload.
		run(t, ctx, "English",
			chromedp.Click(`button.lang`),
			browsertest.Until(`document.documentElement.lang === "en" && (document.querySelector(".turnline") || {}).textContent === "Game over."`),
			chromedp.Reload(),
			browsertest.Until(`window.goldmine && window.goldmine.room && window.goldmine.room.state && !!document.querySelector(".turnline")`),
			browsertest.Until(`(document.querySelector(".turnline") || {}).textContent === "Game over." && document.documentElement.lang === "en"`))
	}
}

// TestScreensInBrowser drives the lobby, a game between two people and
// the leaderboard at every screen, English and Chinese, checking that
// nothing scrolls sideways and writing the screenshots (to docs/ with
// GOLDMINE_SCREENSHOTS=1).
func TestScreensInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			ctx := open(t, browser, sc)
			me, other, hello := "Alice", "Bob", "good luck!"
			if strings.HasPrefix(sc.lang, "zh") {
				me, other, hello = "小红", "阿明", "祝你好运！"
			}
			signUp(t, ctx, h.ts.URL, me)
			run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
			id := eval[string](t, ctx, `window.goldmine.room.id`)
			b := joinWS(h, h.player(other), id, "player")
			defer b.ws.Close()
			w := joinWS(h, h.player("Watcher"), id, "spectator")
			defer w.ws.Close()
			b.send(map[string]any{"type": "chat", "text": hello})
			// Everything Bob and the watcher sent is in before the digs.
			run(t, ctx, "playing", browsertest.Until(`window.goldmine.room.state.status === "playing" && window.goldmine.room.state.spectators === 1 && window.goldmine.room.messages.length === 1`))
			for i := 0; i < 6; i++ {
				s := read(t, ctx)
				if *s.Turn == *s.Seat {
					sel := `button.cell.undug[data-row="` + itoa(s.Cell[0]) + `"][data-col="` + itoa(s.Cell[1]) + `"]`
					run(t, ctx, "dig", browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`), clickJS(sel))
				} else {
					b.send(map[string]any{"type": "dig", "row": s.Cell[0], "col": s.Cell[1], "id": "b" + itoa(i)})
				}
				run(t, ctx, "wait", browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)))
			}
			run(t, ctx, "settle", browsertest.Until(`document.getAnimations().every(a => a.playState === "finished") && document.querySelector(".watching").textContent.startsWith("1")`))
			noSideways(t, ctx, sc.name+" game")
			pageShot(t, ctx, "client-game-"+sc.name+".png")
			run(t, ctx, "lobby", chromedp.Navigate(h.ts.URL+"/"), browsertest.Until(`document.querySelectorAll(".rooms li .room-id").length > 0`))
			noSideways(t, ctx, sc.name+" lobby")
			pageShot(t, ctx, "client-lobby-"+sc.name+".png")
		})
	}
}

// TestLeaderboardAndProfileInBrowser: after a game against a bot, the
// lobby leads to the leaderboard and to your own profile with the game.
func TestLeaderboardAndProfileInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets, o.bots = true, true })
	ctx := open(t, browser, phoneEN)
	signUp(t, ctx, h.ts.URL, "Gwen")
	playBotGame(t, ctx, h)
	run(t, ctx, "to the lobby, then the leaderboard",
		chromedp.Navigate(h.ts.URL+"/"),
		chromedp.WaitVisible(`nav.nav a[href="/leaderboard"]`),
		chromedp.Click(`nav.nav a[href="/leaderboard"]`),
		browsertest.Until(`location.pathname === "/leaderboard" && !!document.querySelector("table.leaderboard")`))
	if txt := eval[string](t, ctx, `document.querySelector("table.leaderboard").innerText`); !strings.Contains(txt, "Gwen") && !strings.Contains(txt, "bot") {
		t.Fatalf("the leaderboard: %q", txt)
	}
	noSideways(t, ctx, "leaderboard")
	run(t, ctx, "my games",
		chromedp.Click(`nav.nav a[href^="/p/"]`),
		browsertest.Until(`location.pathname.startsWith("/p/") && document.querySelectorAll(".history li").length === 1 && !!document.querySelector(".stats")`))
	stats := eval[string](t, ctx, `document.querySelector(".pname").textContent + " | " + document.querySelector(".stats").textContent + " | " + document.querySelector(".history li").textContent`)
	if !strings.Contains(stats, "Gwen | Games: 1") || !strings.Contains(stats, "bot") {
		t.Fatalf("the profile: %q", stats)
	}
	noSideways(t, ctx, "profile")
	pageShot(t, ctx, "client-profile-phone-en.png")
}

// playBotGame plays a classic game against a bot from the lobby to its end.
func playBotGame(t *testing.T, ctx context.Context, h *harness) {
	t.Helper()
	run(t, ctx, "play a bot", chromedp.Click(`form.solo button`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.status === "playing"`))
	playToEnd(t, ctx, h, nil, nil)
}

// playToEnd plays the page's game against its bot to the end: the bot's
// pause runs on the harness's clock, and on each of the player's turns the
// page digs the cell read suggests. myTurn, if set, runs before each dig;
// moved, if set, after each move, with the moves made before it.
func playToEnd(t *testing.T, ctx context.Context, h *harness, myTurn func(), moved func(moves int)) {
	t.Helper()
	for moves := 0; ; moves++ {
		if moves > 200 {
			t.Fatal("the game did not end")
		}
		s := read(t, ctx)
		if s.Status == "finished" {
			return
		}
		if *s.Turn != *s.Seat {
			h.clock.Advance(2 * time.Second)
		} else {
			if myTurn != nil {
				myTurn()
			}
			sel := `button.cell.undug[data-row="` + itoa(s.Cell[0]) + `"][data-col="` + itoa(s.Cell[1]) + `"]`
			run(t, ctx, "dig", browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`), clickJS(sel))
		}
		run(t, ctx, "wait", browsertest.Until(`window.goldmine.room.state.seq > `+itoa(s.Seq)))
		if moved != nil {
			moved(moves)
		}
	}
}

// TestLifeInBrowser: a flood's cells are animated, except where the
// reader prefers reduced motion; the turn sound is off by default, and
// its switch is remembered and sounds on your turn.
func TestLifeInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, reduce := range []bool{false, true} {
		ctx := open(t, browser, desktopEN)
		if reduce {
			run(t, ctx, "reduced motion", reducedMotion())
		}
		signUp(t, ctx, h.ts.URL, "Liv")
		if on := eval[bool](t, ctx, `localStorage.getItem("goldmine.sound") === "on"`); on {
			t.Fatal("the sound is on by default")
		}
		run(t, ctx, "sound on", chromedp.Click(`button.sound`), chromedp.Reload(), chromedp.WaitVisible(`button.sound`))
		if got := eval[string](t, ctx, `document.querySelector("button.sound").getAttribute("aria-pressed")`); got != "true" {
			t.Fatalf("after a reload the sound switch is %q", got)
		}
		run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
		id := eval[string](t, ctx, `window.goldmine.room.id`)
		beeps := eval[int](t, ctx, `window.goldmine.beeps()`)
		b := joinWS(h, h.player("Bob"), id, "player")
		run(t, ctx, "my turn, with a sound", browsertest.Until(`window.goldmine.room.state.turn === 0 && window.goldmine.beeps() > `+itoa(beeps)))
		// Dig a 0 (from the layout), which floods.
		layout := h.layout(id)
		zero := -1
		for i := range 81 {
			if layout[i] == '1' {
				continue
			}
			r, c, n := i/9, i%9, 0
			for dr := -1; dr <= 1; dr++ {
				for dc := -1; dc <= 1; dc++ {
					if rr, cc := r+dr, c+dc; rr >= 0 && rr < 9 && cc >= 0 && cc < 9 && layout[rr*9+cc] == '1' {
						n++
					}
				}
			}
			if n == 0 {
				zero = i
				break
			}
		}
		if zero < 0 {
			t.Skip("no empty cell on this board")
		}
		sel := fmt.Sprintf(`button.cell.undug[data-row="%d"][data-col="%d"]`, zero/9, zero%9)
		run(t, ctx, "flood", clickJS(sel), browsertest.Until(`document.querySelectorAll(".cell.fresh").length > 1`))
		anim := eval[string](t, ctx, `getComputedStyle(document.querySelector(".cell.fresh")).animationName`)
		if want := map[bool]string{false: "reveal", true: "none"}[reduce]; anim != want {
			t.Fatalf("reduced motion %v: the flood's animation is %q, want %q", reduce, anim, want)
		}
		b.ws.Close()
	}
}

// clickJS clicks an element by script: a cell can be redrawn (by a chat
// line, a spectator) between chromedp finding it and clicking it.
func clickJS(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector('` + sel + `').click()`)
}
