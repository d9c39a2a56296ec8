package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestHostLoginInBrowser signs in on the host site in Chromium and lands
// in Goldmine's web client under /game already signed in, by the site's
// cookie: no name form, and the room it creates is the site user's. A
// browser that has not signed in is sent to the site instead.
func TestHostLoginInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	stranger := browsertest.Isolated(t, ctx)
	h, err := newHost(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		h.gm.Drain()
		ts.Close()
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		h.Close(c)
	})
	if err := h.gm.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Dana"),
		chromedp.Click(`button`),
		chromedp.WaitVisible(`select[name=preset]`), // the lobby, not a name form
		browsertest.Until(`location.pathname === "/game/"`),
	); err != nil {
		t.Fatalf("sign in on the site and go to the game: %v", err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(`header .me`))
	if err != nil || !strings.Contains(who, "Dana") {
		t.Fatalf("the web client says %q (%v), want Dana", who, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`form.card button.primary`),
		browsertest.Until(`location.pathname.startsWith("/game/r/") && window.goldmine.room && window.goldmine.room.state && window.goldmine.room.state.players.length === 1`),
	); err != nil {
		t.Fatalf("create a room: %v", err)
	}
	name, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.goldmine.room.state.players[0].player_id`))
	if err != nil || !strings.HasPrefix(name, "site-") {
		t.Fatalf("the room's player is %q (%v), want the site's id", name, err)
	}

	if err := chromedp.Do(stranger,
		chromedp.Navigate(ts.URL+"/game/"),
		browsertest.Until(`document.body.textContent.includes("Sign in on the site")`),
	); err != nil {
		t.Fatalf("a browser not signed in: %v", err)
	}
	if n, err := chromedp.Run(stranger, chromedp.Evaluate[int](`document.querySelectorAll("input[name=name]").length`)); err != nil || n != 0 {
		t.Fatalf("the stranger sees %d name forms (%v), want none", n, err)
	}
}
