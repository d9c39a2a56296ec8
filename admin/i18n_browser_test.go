package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestConsoleLanguagesInBrowser drives the console in Chromium at a
// desktop's and a phone's size, in English and in Chinese (by the
// browser's Accept-Language): the dashboard and a live room, with no
// sideways scroll at 390 px, the Chinese pages in Chinese, and a failed
// action explained in the page's language. With GOLDMINE_SCREENSHOTS=1
// it writes the README's screenshots in docs/.
func TestConsoleLanguagesInBrowser(t *testing.T) {
	browser := browsertest.New(t, 3*time.Minute)
	e := newEnv(t, password)
	_, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id, wa, wb := e.startGame(alice, bob)
	digUndug(t, wa, wb)
	digUndug(t, wb, wa)
	waiting := e.room(alice, "classic")
	base := e.ts.URL

	for _, sc := range []struct {
		name     string
		w, h     int64
		lang     string
		suffix   string // of the screenshots' names
		chinese  bool
		failures bool // also try a failing action
	}{
		{"desktop-en", 1280, 800, "en-US,en;q=0.9", "en", false, false},
		{"desktop-zh", 1280, 800, "zh-CN,zh;q=0.9", "zh", true, true},
		{"phone-en", 390, 844, "en-US,en;q=0.9", "en-phone", false, false},
		{"phone-zh", 390, 844, "zh-CN,zh;q=0.9", "zh-phone", true, false},
	} {
		t.Run(sc.name, func(t *testing.T) {
			ctx := browsertest.Isolated(t, browser)
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(sc.w, sc.h), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": sc.lang}})
				return err
			})); err != nil {
				t.Fatal(err)
			}
			violations := browsertest.WatchCSP(t, ctx)
			go func() {
				for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
					if err != nil {
						return
					}
					chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				}
			}()
			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/admin/login"),
				chromedp.WaitVisible(`input[name=password]`),
				chromedp.SendKeys(`input[name=password]`, password),
				chromedp.Submit(`input[name=password]`),
				chromedp.WaitVisible(`.stats`),
			); err != nil {
				t.Fatalf("log in: %v", err)
			}
			checkLanguage(t, ctx, sc.chinese, "dashboard")
			noSideways(t, ctx, "dashboard")
			shotAs(t, ctx, "admin-dashboard-"+sc.suffix+".png")

			if err := chromedp.Do(ctx,
				chromedp.Navigate(base+"/admin/rooms/"+id),
				htmxReady,
				chromedp.WaitVisible(`#board .board`),
				until(`document.querySelectorAll("#board .cell.dug, #board .cell.gold").length >= 2 && !!document.querySelector("#seats .seats li")`),
				chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector("#show-gold"); if (!b.checked) b.click(); })()`),
			); err != nil {
				t.Fatalf("open the room: %v", err)
			}
			checkLanguage(t, ctx, sc.chinese, "room")
			noSideways(t, ctx, "room")
			shotAs(t, ctx, "admin-room-"+sc.suffix+".png")

			if sc.failures {
				want := "没有可以跳过的回合：对局还没开始。"
				if err := chromedp.Do(ctx,
					chromedp.Navigate(base+"/admin/rooms/"+waiting),
					htmxReady,
					clickWhenBound(`button.skip`),
					until(`(() => { const f = document.querySelector("#flash"); return !f.hidden && f.textContent === `+"`"+want+"`"+`; })()`),
				); err != nil {
					text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#flash").textContent`))
					t.Fatalf("skip in a waiting room: flash %q, want %q (%v)", text, want, err)
				}
			}
			if v := violations(); len(v) > 0 {
				t.Fatalf("CSP violations:\n%s", strings.Join(v, "\n"))
			}
		})
	}
}

// checkLanguage fails unless the page is in the language asked for: its
// lang attribute, Chinese text in a Chinese page, and none of the English
// page's words in it.
func checkLanguage(t *testing.T, ctx context.Context, chinese bool, where string) {
	t.Helper()
	type text struct {
		Lang  string
		Text  string
		Han   int
		Latin int
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[text](`(() => {
	  const s = document.body.innerText;
	  return {lang: document.documentElement.lang, text: s, han: (s.match(/[\u4e00-\u9fff]/g) || []).length};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if chinese {
		if got.Lang != "zh-CN" || got.Han < 20 {
			t.Fatalf("%s: lang %q with %d Chinese characters, want a Chinese page:\n%s", where, got.Lang, got.Han, got.Text)
		}
		for _, w := range []string{"Dashboard", "Rooms", "Players", "Log out", "connections", "Seats", "Recent events", "Close the room"} {
			if strings.Contains(got.Text, w) {
				t.Errorf("%s: the Chinese page says %q", where, w)
			}
		}
		return
	}
	// English pages hold one Chinese word: the switch's 中文.
	if got.Lang != "en" || got.Han > 2 {
		t.Fatalf("%s: lang %q with %d Chinese characters, want an English page:\n%s", where, got.Lang, got.Han, got.Text)
	}
}

// noSideways fails unless the page fits the window's width.
func noSideways(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	type widths struct{ Scroll, Inner int }
	w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`))
	if err != nil {
		t.Fatal(err)
	}
	if w.Scroll > w.Inner {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).slice(0, 6).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
		t.Fatalf("%s: the page is %d px wide in a %d px window: it scrolls sideways (%s)", where, w.Scroll, w.Inner, wide)
	}
}

// shotAs writes a screenshot to GOLDMINE_SHOTS_DIR (or the test's
// temporary directory), and to docs/ when GOLDMINE_SCREENSHOTS=1.
func shotAs(t *testing.T, ctx context.Context, name string) {
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
	if os.Getenv("GOLDMINE_SCREENSHOTS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
