package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConsoleLanguage: the console speaks the browser's language (by
// Accept-Language) until the admin switches, and then the switch's,
// remembered in a cookie; failures of actions come in the page's language.
func TestConsoleLanguage(t *testing.T) {
	e := newEnv(t, password)
	b := e.browser()
	zh := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"}
	en := map[string]string{"Accept-Language": "en-US,en;q=0.9"}

	// The login page, before any session.
	if _, page := b.do("GET", "/admin/login", nil, zh); !strings.Contains(page, `<html lang="zh-CN">`) || !strings.Contains(page, "密码") || !strings.Contains(page, "登录") {
		t.Fatalf("login page for a Chinese browser:\n%s", page)
	}
	if _, page := b.do("GET", "/admin/login", nil, nil); !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Password") {
		t.Fatalf("login page with no Accept-Language:\n%s", page)
	}
	b.login(password)

	for _, tt := range []struct {
		name, path string
		header     map[string]string
		must       []string
		mustNot    []string
	}{
		{"dashboard zh", "/admin/", zh, []string{`lang="zh-CN"`, "总览", "房间", "玩家", "连接", ">English<"}, []string{"Dashboard", "connections"}},
		{"dashboard en", "/admin/", en, []string{`lang="en"`, "Dashboard", "connections", ">中文<"}, []string{"总览"}},
		{"rooms zh", "/admin/rooms", zh, []string{"等待中", "进行中", "没有房间。"}, []string{"No rooms."}},
		{"players zh", "/admin/players", zh, []string{"封禁", "排行榜"}, []string{"Leaderboard"}},
		{"not found zh", "/admin/rooms/NOSUCH", zh, []string{"找不到", "房间 NOSUCH"}, []string{"Not found"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, page := b.do("GET", tt.path, nil, tt.header)
			for _, s := range tt.must {
				if !strings.Contains(page, s) {
					t.Errorf("%s: no %q", tt.path, s)
				}
			}
			for _, s := range tt.mustNot {
				if strings.Contains(page, s) {
					t.Errorf("%s: %q, in the other language", tt.path, s)
				}
			}
			if t.Failed() {
				t.Logf("page:\n%s", page)
			}
		})
	}

	// A failure, in the page's language, for the flash area.
	_, alice := e.player("Alice")
	id := e.room(alice, "classic")
	for _, tt := range []struct {
		header map[string]string
		want   string
	}{{zh, "没有可以跳过的回合：对局还没开始。"}, {en, "There is no turn to skip: no game has started yet."}} {
		resp, body := b.do("POST", "/admin/rooms/"+id+"/skip", url.Values{}, map[string]string{"X-CSRF-Token": b.csrf, "HX-Request": "true", "Accept-Language": tt.header["Accept-Language"]})
		if resp.StatusCode != http.StatusConflict || body != tt.want {
			t.Fatalf("skip before the game with %s: %d %q, want 409 %q", tt.header["Accept-Language"], resp.StatusCode, body, tt.want)
		}
	}
	if !strings.Contains(e.logs.String(), `reason="There is no turn to skip: no game has started yet."`) {
		t.Fatal("the log does not give the reason in English")
	}

	// The switch: remembered over the browser's language, and it goes back
	// only to a console page.
	resp, _ := b.do("GET", "/admin/lang?to=zh&back="+url.QueryEscape("/admin/rooms?status=waiting"), nil, en)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/rooms?status=waiting" {
		t.Fatalf("switch: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, page := b.do("GET", "/admin/", nil, en); !strings.Contains(page, "总览") {
		t.Fatalf("after switching to Chinese, an English browser's dashboard:\n%s", page)
	}
	if resp, body := b.do("POST", "/admin/rooms/"+id+"/skip", url.Values{}, map[string]string{"X-CSRF-Token": b.csrf, "HX-Request": "true", "Accept-Language": "en"}); resp.StatusCode != http.StatusConflict || !strings.HasPrefix(body, "没有") {
		t.Fatalf("after switching to Chinese, a failure says %q", body)
	}
	for _, back := range []string{"//evil.example/admin/", "https://evil.example/", "/api/rooms", "/admin\\..\\x"} {
		resp, _ := b.do("GET", "/admin/lang?to=en&back="+url.QueryEscape(back), nil, nil)
		if loc := resp.Header.Get("Location"); loc != "/admin/" {
			t.Errorf("switch with back=%q goes to %q, want /admin/", back, loc)
		}
	}
	if _, page := b.do("GET", "/admin/", nil, zh); !strings.Contains(page, "Dashboard") {
		t.Fatalf("after switching back to English, a Chinese browser's dashboard is not English")
	}
	// A language the console lacks is English.
	b.do("GET", "/admin/lang?to=fr", nil, nil)
	if _, page := b.do("GET", "/admin/", nil, zh); !strings.Contains(page, "Dashboard") {
		t.Fatal("to=fr: the dashboard is not English")
	}
}
