package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/goldmine-game/goldmine/server"
)

// weChatAPI plays WeChat's jscode2session, which cannot be reached from
// here: the one stand-in these tests use.
type weChatAPI struct {
	mu    sync.Mutex
	calls []string // query strings it got
}

const (
	testAppID      = "wx0123456789abcdef"
	testSecret     = "s3cr3t-wechat-app-secret"
	testSessionKey = "SESSIONKEY-must-never-leak=="
)

func (w *weChatAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.calls = append(w.calls, r.URL.RawQuery)
	w.mu.Unlock()
	q := r.URL.Query()
	if r.URL.Path != "/sns/jscode2session" || q.Get("appid") != testAppID || q.Get("secret") != testSecret ||
		q.Get("grant_type") != "authorization_code" {
		json.NewEncoder(rw).Encode(map[string]any{"errcode": 40013, "errmsg": "invalid appid"})
		return
	}
	switch code := q.Get("js_code"); {
	case strings.HasPrefix(code, "good-"):
		json.NewEncoder(rw).Encode(map[string]any{"openid": "openid-" + strings.TrimPrefix(code, "good-"),
			"session_key": testSessionKey})
	case code == "used":
		json.NewEncoder(rw).Encode(map[string]any{"errcode": 40163, "errmsg": "code been used"})
	default:
		json.NewEncoder(rw).Encode(map[string]any{"errcode": 40029, "errmsg": "invalid code"})
	}
}

func TestWeChatLogin(t *testing.T) {
	api := &weChatAPI{}
	wx := httptest.NewServer(api)
	defer wx.Close()
	h := newHarness(t, func(o *harnessOpts) {
		o.srv = func(c *serverConfig) {
			c.WeChat = server.WeChat{AppID: testAppID, Secret: testSecret, APIBase: wx.URL}
			c.WeChatStore = h0(c)
		}
	})
	login := func(body string) (int, map[string]any) {
		var out map[string]any
		code := h.do("POST", "/api/players/wechat", "", body, &out)
		return code, out
	}
	code, a := login(`{"code":"good-alice","name":"  阿丽 "}`)
	if code != 200 || a["name"] != "阿丽" || a["token"] == "" || a["player_id"] == "" {
		t.Fatalf("login: %d %v", code, a)
	}
	// The same openid is the same player, with a token that works.
	_, again := login(`{"code":"good-alice"}`)
	if again["player_id"] != a["player_id"] {
		t.Fatalf("same openid, players %v and %v", a["player_id"], again["player_id"])
	}
	if code := h.do("POST", "/api/rooms", again["token"].(string), map[string]any{}, nil); code != 201 {
		t.Fatalf("the WeChat player's token: %d", code)
	}
	_, b := login(`{"code":"good-bob"}`)
	if b["player_id"] == a["player_id"] || b["name"] != "WeChat player" {
		t.Fatalf("another openid: %v", b)
	}
	for _, tt := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"code":"used"}`, 401, "wechat_refused"},
		{`{"code":"nonsense"}`, 401, "wechat_refused"},
		{`{}`, 400, "bad_request"},
		{`{"code":"` + strings.Repeat("x", 300) + `"}`, 400, "bad_request"},
		{`{"code":"good-x","name":"` + strings.Repeat("é", 25) + `"}`, 400, "invalid_name"},
	} {
		status, out := login(tt.body)
		if status != tt.status || out["error"].(map[string]any)["code"] != tt.code {
			t.Fatalf("%s: %d %v, want %d %s", tt.body, status, out, tt.status, tt.code)
		}
	}
	api.mu.Lock()
	calls := len(api.calls)
	api.mu.Unlock()
	if calls != 5 {
		t.Fatalf("jscode2session called %d times, want 5 (bad bodies never reach WeChat)", calls)
	}
	// The session_key and the secret never leave the server, nor reach
	// the log.
	h.close()
	for _, secret := range []string{testSessionKey, testSecret} {
		if strings.Contains(h.logs.String(), secret) {
			t.Fatalf("the log holds %q", secret)
		}
		for _, m := range []map[string]any{a, again, b} {
			if js, _ := json.Marshal(m); strings.Contains(string(js), secret) {
				t.Fatalf("a reply holds %q", secret)
			}
		}
	}
}

func TestWeChatNotConfigured(t *testing.T) {
	h := newHarness(t)
	var out map[string]any
	if code := h.do("POST", "/api/players/wechat", "", `{"code":"good-x"}`, &out); code != 501 ||
		out["error"].(map[string]any)["code"] != "not_configured" {
		t.Fatalf("unconfigured WeChat login: %d %v", code, out)
	}
}

func TestWeChatUnreachable(t *testing.T) {
	wx := httptest.NewServer(http.NotFoundHandler())
	wx.Close() // nothing listens there any more
	h := newHarness(t, func(o *harnessOpts) {
		o.srv = func(c *serverConfig) {
			c.WeChat = server.WeChat{AppID: testAppID, Secret: testSecret, APIBase: wx.URL}
			c.WeChatStore = h0(c)
		}
	})
	var out map[string]any
	if code := h.do("POST", "/api/players/wechat", "", `{"code":"good-x"}`, &out); code != 502 {
		t.Fatalf("WeChat unreachable: %d %v", code, out)
	}
	h.close()
	if strings.Contains(h.logs.String(), testSecret) {
		t.Fatal("the log of a failed call holds the secret (it is in the URL)")
	}
}

// h0 returns the harness's store as the WeChat store.
func h0(c *serverConfig) server.WeChatStore { return c.Store.(server.WeChatStore) }
