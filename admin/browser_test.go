package admin_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestConsoleInBrowser drives the console in headless Chromium: log in,
// watch a room that two Go WebSocket clients play and see its board change
// without a reload, close the room (both clients get game_over reason
// closed), and step through that game's replay. With
// GOLDMINE_SCREENSHOTS=1 it also writes the replay's screenshot in docs/
// (TestConsoleLanguagesInBrowser takes the dashboard's and a room's).
func TestConsoleInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	// The console must work under the server's CSP without breaking it.
	violations := browsertest.WatchCSP(t, ctx)
	e := newEnv(t, password)
	_, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id, wa, wb := e.startGame(alice, bob)
	digUndug(t, wa, wb)
	digUndug(t, wb, wa)

	// Accept the "close this room?" confirmation when it comes.
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()

	base := e.ts.URL
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, password),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.stats`),
	); err != nil {
		t.Fatalf("log in: %v", err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/rooms/"+id),
		htmxReady,
		chromedp.WaitVisible(`#board .board`),
		until(`document.querySelector("#board").textContent.includes("seq 5")`),
	); err != nil {
		t.Fatalf("open the room: %v", err)
	}
	// A dig while the page is open: the board changes by itself.
	digUndug(t, wa, wb)
	if err := chromedp.Do(ctx,
		until(`document.querySelector("#board").textContent.includes("seq 6")`),
	); err != nil {
		t.Fatalf("the board did not follow the dig: %v", err)
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#board .cell.dug, #board .cell.gold").length`))
	if err != nil || cells < 3 {
		t.Fatalf("%d dug cells on the live board, %v; want at least 3", cells, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#show-gold`)); err != nil {
		t.Fatal(err)
	}

	// Close it from the page.
	if err := chromedp.Do(ctx,
		clickWhenBound(`button.close-room`),
		until(`document.querySelector("#notice").textContent.includes("Room closed")`),
	); err != nil {
		t.Fatalf("close the room: %v", err)
	}
	var gameID string
	for _, w := range []*ws{wa, wb} {
		f := w.until("game_over")
		if f["reason"] != "closed" {
			t.Fatalf("game_over %v, want reason closed", f)
		}
		gameID = fmt.Sprintf("%.0f", f["game_id"].(float64))
	}

	// The replay of that game, stepped through.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/games/"+gameID),
		htmxReady,
		clickWhenBound(`.replay .next`),
		until(`document.querySelector(".replay .position").textContent.includes("move 1 of 3")`),
		clickWhenBound(`.replay .next`),
		until(`document.querySelector(".replay .position").textContent.includes("move 2 of 3")`),
		clickWhenBound(`.replay .prev`),
		until(`document.querySelector(".replay .position").textContent.includes("move 1 of 3")`),
	); err != nil {
		t.Fatalf("step through the replay: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(`.fairness`))
	if err != nil || !strings.Contains(text, "Fairness verified") {
		t.Fatalf("fairness line %q, %v", text, err)
	}
	shot(t, ctx, "admin-replay.png")
	if v := violations(); len(v) > 0 {
		t.Fatalf("CSP violations in the console:\n%s", strings.Join(v, "\n"))
	}
}

// TestConsoleShowsFailures: an action that fails says why in the page. A
// kick that ends the game leaves a finished room; Skip and Add bot on it
// then answer 409, which htmx does not swap: the console shows the reason
// in its flash area, in words.
func TestConsoleShowsFailures(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	e := newEnv(t, password)
	_, alice := e.player("Alice")
	_, bob := e.player("Bob")
	id, wa, wb := e.startGame(alice, bob)
	digUndug(t, wa, wb)
	go func() {
		for _, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	base := e.ts.URL
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin/login"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, password),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.stats`),
		chromedp.Navigate(base+"/admin/rooms/"+id),
		htmxReady,
	); err != nil {
		t.Fatalf("open the room: %v", err)
	}
	// The live stream redraws the seats when it connects, and a click on
	// the button it replaces does nothing: click until the kick is done
	// (a second kick would only be refused: the player is gone).
	kicked := false
	for try := 0; try < 5 && !kicked; try++ {
		kicked = chromedp.Do(ctx,
			clickWhenBound(`#seats li:first-child button.danger`),
			chromedp.Poll[chromedp.Void](`document.querySelector("#notice").textContent.includes("ends with no result")`,
				chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second)),
		) == nil
	}
	if !kicked {
		t.Fatal("kick, ending the game: no notice after 5 clicks")
	}
	if f := wb.until("game_over"); f["reason"] != "closed" {
		t.Fatalf("game_over %v, want reason closed", f)
	}
	for _, tt := range []struct{ button, want string }{
		{"button.skip", "There is no turn to skip: the game is over."},
		{"button.add-bot", "A bot can only take a seat in a waiting room: this game is over."},
	} {
		if err := chromedp.Do(ctx,
			clickWhenBound(tt.button),
			until(`(() => { const f = document.querySelector("#flash"); return !f.hidden && f.textContent === `+"`"+tt.want+"`"+`; })()`),
		); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#flash").textContent`))
			t.Fatalf("%s on a finished room: flash %q, want %q (%v)", tt.button, text, tt.want, err)
		}
	}
	if strings.Contains(e.logs.String(), "game not started") {
		t.Fatal("the log gives the wrong reason: game not started, for a game that is over")
	}
	if !strings.Contains(e.logs.String(), `reason="There is no turn to skip: the game is over."`) {
		t.Fatalf("the log does not give the reason:\n%s", e.logs.String())
	}
}

// digUndug has the first player dig cells in order until one is accepted
// (a flood may have revealed the ones it tries first).
func digUndug(t *testing.T, w, other *ws) {
	t.Helper()
	for i := 0; i < 81; i++ {
		w.c.WriteJSON(map[string]any{"type": "dig", "row": i / 9, "col": i % 9})
		for {
			f := <-w.frames
			if f["type"] == "error" {
				break
			}
			if f["type"] == "dug" {
				other.until("dug")
				return
			}
		}
	}
	t.Fatal("no cell could be dug")
}

// htmxReady waits until the page has loaded and htmx has set itself up:
// its scripts are deferred, so a click before then would do nothing.
var htmxReady = until(`document.readyState === "complete" && !!window.htmx`)

// clickWhenBound clicks an htmx element once htmx has bound it: a button
// swapped in a moment ago, or on a page still loading, is not yet live.
func clickWhenBound(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		until(`(() => { const e = document.querySelector(`+"`"+sel+"`"+`); return !!e && !!e["htmx-internal-data"]; })()`),
		chromedp.Click(sel),
	)
}

// until waits for a JavaScript condition, checking it every 50 ms. (The
// default, on animation frames, may never run in a headless tab that has
// nothing to repaint.)
func until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond),
		chromedp.WithPollingTimeout(15*time.Second))
}

// shot writes a screenshot to docs/ when GOLDMINE_SCREENSHOTS=1.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("GOLDMINE_SCREENSHOTS") != "1" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
