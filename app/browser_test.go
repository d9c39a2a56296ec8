package app

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"goldmine/internal/browsertest"
)

// TestUnderAPrefixInBrowser serves everything under /game and drives it in
// Chromium: the web client names a player, creates a room and lands in it
// with its socket open; the console logs in and shows a room's live board.
// Every link, script, socket and redirect must carry the prefix, or one of
// these steps fails.
func TestUnderAPrefixInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	s := newTest(t, Config{Prefix: "/game", AdminPassword: "correct horse battery"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	defer s.Drain() // first: the console's stream would hold ts.Close up
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/game/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Ada"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`select[name=preset]`),
		chromedp.Click(`form.card button.primary`),
		browsertest.Until(`location.pathname.startsWith("/game/r/") && window.goldmine.room && window.goldmine.room.status === "open"`),
	); err != nil {
		t.Fatalf("the web client under /game: %v", err)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(path, "/game/r/")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/game/admin/"),
		chromedp.WaitVisible(`input[name=password]`), // redirected to /game/admin/login
		chromedp.SendKeys(`input[name=password]`, "correct horse battery"),
		chromedp.Click(`button`),
		chromedp.WaitVisible(`.stats`),
		chromedp.Navigate(ts.URL+"/game/admin/rooms/"+id),
		chromedp.WaitVisible(`#board .board`),
	); err != nil {
		t.Fatalf("the console under /game: %v", err)
	}
	if u, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || u != "/game/admin/rooms/"+id {
		t.Fatalf("the console's room page is at %q (%v)", u, err)
	}
}
