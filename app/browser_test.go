package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
	"github.com/goldmine-game/goldmine/internal/pgtest"
)

// TestUnderAPrefixInBrowser serves everything under /game and drives it in
// Chromium: the web client names a player, creates a room and lands in it
// with its socket open; the console logs in and shows a room's live board.
// Every link, script, socket and redirect must carry the prefix, or one of
// these steps fails.
func TestUnderAPrefixInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	violations := browsertest.WatchCSP(t, ctx)
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
	if v := violations(); len(v) > 0 {
		t.Fatalf("CSP violations under /game:\n%s", strings.Join(v, "\n"))
	}
}

// TestClusterInBrowser runs two nodes on one PostgreSQL database and drives
// them in Chromium: the web client served by node a opens the share link of
// a room node b owns, follows wrong_node to b (whose /ws takes a's origin)
// and plays there; node a's console shows the room's live board, rendered
// by b.
func TestClusterInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	// a's page opens b's socket: the CSP must allow it in a cluster.
	violations := browsertest.WatchCSP(t, ctx)
	db := pgtest.NewDB(t)
	a, b := startClusterNode(t, db, "a"), startClusterNode(t, db, "b")
	_, body := b.do(t, http.DefaultClient, "POST", "/api/players", "", `{"name":"Bea"}`, nil)
	var p struct {
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(body), &p)
	code, body := b.do(t, http.DefaultClient, "POST", "/api/rooms", p.Token, `{"preset":"classic","turn_seconds":0}`, nil)
	var snap struct {
		ID string `json:"id"`
	}
	if json.Unmarshal([]byte(body), &snap); code != 201 {
		t.Fatalf("room at b: %d %s", code, body)
	}
	bWS := "ws" + strings.TrimPrefix(b.ts.URL, "http") + "/ws"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.ts.URL+"/r/"+snap.ID),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Ada"),
		chromedp.Click(`button[type=submit]`),
		browsertest.Until(`window.goldmine.room && window.goldmine.room.status === "open" && window.goldmine.room._wsURL === "`+bWS+`"`),
	); err != nil {
		t.Fatalf("the web client of a in a room of b: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.ts.URL+"/admin/"),
		chromedp.WaitVisible(`input[name=password]`),
		chromedp.SendKeys(`input[name=password]`, "cluster-secret"),
		chromedp.Click(`button`),
		chromedp.WaitVisible(`.stats .nodes`),
		chromedp.Navigate(a.ts.URL+"/admin/rooms/"+snap.ID),
		chromedp.WaitVisible(`#board .board`),
		browsertest.Until(`document.querySelector("#seats").textContent.includes("Ada")`),
	); err != nil {
		t.Fatalf("a's console on a room of b: %v", err)
	}
	// A bot sits down through a's API; b starts the game, and its stream,
	// through a, draws it on the open page.
	if code, body := a.do(t, http.DefaultClient, "POST", "/api/rooms/"+snap.ID+"/bots", p.Token, `{"level":"easy"}`, nil); code != 201 {
		t.Fatalf("a bot through a: %d %s", code, body)
	}
	if err := chromedp.Do(ctx,
		browsertest.Until(`document.querySelector("#events").textContent.includes("game_started")`),
	); err != nil {
		t.Fatalf("the live stream of b's room on a's console: %v", err)
	}
	if v := violations(); len(v) > 0 {
		t.Fatalf("CSP violations in a cluster:\n%s", strings.Join(v, "\n"))
	}
}
