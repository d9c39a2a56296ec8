package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestAdminClosedGameHasNoResultInBrowser: a game an admin ends (game_over
// with reason closed) counts for nobody, so the page of the player in the
// lead shows "No result", in either language: not "You win!", no winner's
// star.
func TestAdminClosedGameHasNoResultInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets = true })
	for _, sc := range []screen{desktopEN, phoneZH} {
		t.Run(sc.name, func(t *testing.T) {
			ctx := open(t, browser, sc)
			signUp(t, ctx, h.ts.URL, "Lea")
			run(t, ctx, "create", chromedp.Click(`form.create button.primary`), browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open"`))
			id := eval[string](t, ctx, `window.goldmine.room.id`)
			bob := joinWS(h, h.player("Bob"), id, "player")
			defer bob.ws.Close()
			run(t, ctx, "started", browsertest.Until(`window.goldmine.room.state.status === "playing" && window.goldmine.room.state.turn === 0`))
			// Lea digs gold: she leads, and would be the winner.
			layout := h.layout(id)
			cols := eval[int](t, ctx, `window.goldmine.room.state.rules.cols`)
			gold := strings.IndexByte(layout, '1')
			sel := fmt.Sprintf(`.board button.cell[data-row="%d"][data-col="%d"]`, gold/cols, gold%cols)
			run(t, ctx, "dig gold", browsertest.Until(`(() => { const b = document.querySelector('`+sel+`'); return !!b && !b.disabled; })()`), clickJS(sel),
				browsertest.Until(`window.goldmine.room.state.players[0].score === 1`))
			if err := h.rooms.CloseRoom(id); err != nil {
				t.Fatal(err)
			}
			want := tr(t, ctx, "over.no_result", nil)
			run(t, ctx, "no result", browsertest.Until(fmt.Sprintf(`!!document.querySelector(".over h2") && document.querySelector(".over h2").textContent === %q && window.goldmine.room.state.status === "closed"`, want)))
			over := eval[string](t, ctx, `document.querySelector(".over").textContent`)
			for _, k := range []string{"over.you_win", "over.shared"} {
				if w := tr(t, ctx, k, nil); strings.Contains(over, w) {
					t.Fatalf("%s: the closed game's panel says %q: %s", sc.name, w, over)
				}
			}
			if ranks := eval[string](t, ctx, `[...document.querySelectorAll(".over .ranking li")].map(li => li.textContent).join("|")`); strings.Contains(over, "★") || regexp.MustCompile(`(^|\|)\d+\. `).MatchString(ranks) {
				t.Fatalf("%s: the closed game's panel ranks or stars a winner: %s", sc.name, over)
			}
			if text := tr(t, ctx, "over.no_result_text", nil); !strings.Contains(over, text) {
				t.Fatalf("%s: the panel does not say the game counts for nobody: %s", sc.name, over)
			}
			if sc.lang[:2] == "zh" && !strings.Contains(over, "无结果") {
				t.Fatalf("%s: the Chinese page's panel is not in Chinese: %s", sc.name, over)
			}
			pageShot(t, ctx, "closed-"+sc.name+".png")
		})
	}
}

// TestBotNamesInPageLanguageInBrowser: the server names a bot in English,
// "Name (normal bot)"; the page shows the bracket in its own language,
// from the seat's bot_level, and switches with the page.
func TestBotNamesInPageLanguageInBrowser(t *testing.T) {
	browser := browsertest.New(t, 2*time.Minute)
	h := newHarness(t, fast, func(o *harnessOpts) { o.assets, o.bots = true, true })
	ctx := open(t, browser, desktopZH)
	signUp(t, ctx, h.ts.URL, "小红")
	run(t, ctx, "和机器人玩",
		chromedp.SetValue(`form.solo select[name=level]`, "normal"),
		chromedp.Click(`form.solo button`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.players.length === 2`))
	server := eval[string](t, ctx, `window.goldmine.room.state.players.find(p => p.bot).name`)
	base, ok := strings.CutSuffix(server, " (normal bot)")
	if !ok {
		t.Fatalf("the server named the bot %q, not NAME (normal bot)", server)
	}
	names := `[...document.querySelectorAll(".players .pname")].map(e => e.textContent).join("|")`
	run(t, ctx, "中文", browsertest.Until(fmt.Sprintf(`%s.includes(%q)`, names, base+"（普通机器人）")))
	if got := eval[string](t, ctx, names); strings.Contains(got, "bot)") {
		t.Fatalf("the Chinese page names the bot in English: %q", got)
	}
	run(t, ctx, "English", chromedp.Click(`button.lang`),
		browsertest.Until(`document.documentElement.lang === "en" && !!window.goldmine.room && !!window.goldmine.room.state`),
		browsertest.Until(fmt.Sprintf(`%s.includes(%q)`, names, server)))
}
