package app

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/goldmine-game/goldmine/internal/browsertest"
)

// TestBanInBrowser is the escape that was found, in Chromium with the web
// client: a player in a room is banned from the console; the page says so;
// then, with the token gone from the page's storage, they open the room
// link again and type a new name, which the server refuses because the
// browser is banned. The device cookie is HttpOnly: the page cannot read
// or drop it.
func TestBanInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 90*time.Second)
	const pw = "correct horse battery"
	s := newTest(t, Config{AdminPassword: pw})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	defer s.Drain()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Mallory"),
		chromedp.Click(`button[type=submit]`),
		chromedp.WaitVisible(`select[name=preset]`),
		chromedp.Click(`form.card button.primary`),
		browsertest.Until(`location.pathname.startsWith("/r/") && window.goldmine.room && window.goldmine.room.status === "open"`),
	); err != nil {
		t.Fatalf("play: %v", err)
	}
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.parse(localStorage.getItem("goldmine.player")).player_id`))
	if err != nil || id == "" {
		t.Fatalf("player id %q, %v", id, err)
	}
	if c, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(c, "goldmine_device") {
		t.Fatalf("the page can read the device cookie: %q", c)
	}
	roomURL, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))

	// The admin bans Mallory from the console.
	jar, _ := cookiejar.New(nil)
	admin := &http.Client{Jar: jar}
	resp, err := admin.PostForm(ts.URL+"/admin/login", url.Values{"password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`"X-CSRF-Token": "([0-9a-f]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token after the login:\n%s", page)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/admin/players/"+id+"/ban", nil)
	req.Header.Set("X-CSRF-Token", string(m[1]))
	req.Header.Set("HX-Request", "true")
	resp, err = admin.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("ban: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := chromedp.Do(ctx, browsertest.Until(`document.body.innerText.includes("You are banned")`)); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the page after the ban does not say so: %v\n%s", err, text)
	}

	// The escape: no token, the room link, a new name.
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`localStorage.removeItem("goldmine.player")`),
		chromedp.Navigate(roomURL),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "Mallory again"),
		chromedp.Click(`button[type=submit]`),
		// The error by its code, in the page's language.
		browsertest.Until(`(document.querySelector("p.error") || {}).textContent === window.goldmine.t("err.banned")`),
	); err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("a new name from the banned browser: %v\n%s", err, text)
	}
}
