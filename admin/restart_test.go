package admin_test

import (
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/admin"
)

// TestSessionOutlivesRestart: an admin signed in stays signed in when the
// server restarts on the same database file; the idle expiry still holds
// after the restart, and a logout before it still counts after it.
func TestSessionOutlivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	now := &fakeNow{t: time.Now()}
	e := newEnvAt(t, password, path, now)
	b := e.browser()
	b.login(password)
	other := e.browser()
	other.login(password)
	if resp, _ := other.do("POST", "/admin/logout", url.Values{"csrf": {other.csrf}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	e.close()

	e2 := newEnvAt(t, "", path, now)
	b.e, other.e = e2, e2
	resp, page := b.do("GET", "/admin/rooms", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, b.csrf) {
		t.Fatalf("after a restart: %d, want the rooms page with the same CSRF token", resp.StatusCode)
	}
	if resp, _ := b.post("/admin/rooms/NOSUCH/close", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an action after the restart: %d, want 404 (the room), not 401 or 403", resp.StatusCode)
	}
	if resp, _ := other.do("GET", "/admin/rooms", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session logged out before the restart: %d, want a redirect to the login", resp.StatusCode)
	}
	now.Add(admin.SessionIdle + time.Second)
	if resp, _ := b.do("GET", "/admin/rooms", nil, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after 30 idle minutes: %d, want a redirect to the login", resp.StatusCode)
	}
}

// TestSetupLinkOutlivesRestart: the setup link is not replaced at each
// start: it works until it is used or a password is set, and a link that
// does not work says truly why.
func TestSetupLinkOutlivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.db")
	e := newEnvAt(t, "", path, nil)
	m := setupRe.FindStringSubmatch(e.logs.String())
	if m == nil {
		t.Fatalf("no setup link in the log:\n%s", e.logs.String())
	}
	link := m[1]
	e.close()
	e2 := newEnvAt(t, "", path, nil)
	if setupRe.MatchString(e2.logs.String()) || !strings.Contains(e2.logs.String(), "the setup link logged when it was made still works") {
		t.Fatalf("the second start made a new link, or did not say the old one works:\n%s", e2.logs.String())
	}
	b := e2.browser()
	if resp, page := b.do("GET", link, nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Set the admin password") {
		t.Fatalf("the first start's link after a restart: %d", resp.StatusCode)
	}
	_, page := b.do("GET", "/admin/setup?token=0123", nil, nil)
	if !strings.Contains(html.UnescapeString(page), "not one this server made") || strings.Contains(page, "may already be set") {
		t.Fatalf("a wrong link with no password set:\n%s", page)
	}
	_, page = b.do("GET", "/admin/login", nil, nil)
	if !strings.Contains(html.UnescapeString(page), "goldmine admin set-password") {
		t.Fatalf("the login page with no password does not say how to set one:\n%s", page)
	}

	// Eight browsers post the link at once, each with its own password:
	// exactly one sets it.
	token := strings.TrimPrefix(link, "/admin/setup?token=")
	codes := make([]int, 8)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := password + string(rune('a'+i))
			resp, _ := e2.browser().do("POST", "/admin/setup", url.Values{"token": {token}, "password": {pw}, "again": {pw}}, nil)
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	won := -1
	for i, c := range codes {
		switch c {
		case http.StatusSeeOther:
			if won >= 0 {
				t.Fatalf("posts %d and %d both set the password: %v", won, i, codes)
			}
			won = i
		case http.StatusNotFound:
		default:
			t.Fatalf("post %d: %d", i, c)
		}
	}
	if won < 0 {
		t.Fatalf("no post set the password: %v", codes)
	}
	b.login(password + string(rune('a'+won)))
	_, page = e2.browser().do("GET", link, nil, nil)
	if !strings.Contains(page, "A password is already set") {
		t.Fatalf("the used link:\n%s", page)
	}
}
