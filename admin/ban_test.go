package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/room"
)

// client is a player's browser: a cookie jar, and the API over real HTTP.
type client struct {
	t   *testing.T
	e   *env
	c   *http.Client
	jar *cookiejar.Jar
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, c: &http.Client{Jar: jar}, jar: jar}
}

func (c *client) api(method, path, token, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.e.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(data, &m)
	return resp.StatusCode, m
}

func (c *client) newPlayer(name string) (status int, id, token string, body map[string]any) {
	status, body = c.api("POST", "/api/players", "", `{"name":"`+name+`"}`)
	id, _ = body["player_id"].(string)
	token, _ = body["token"].(string)
	return status, id, token, body
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// dial opens a WebSocket from the browser, its cookies included, and says
// hello.
func (c *client) dial(token, roomID string) *ws {
	c.t.Helper()
	u, _ := url.Parse(c.e.ts.URL)
	h := http.Header{}
	for _, ck := range c.jar.Cookies(u) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(c.e.ts.URL, "http")+"/ws", h)
	if err != nil {
		c.t.Fatal(err)
	}
	w := &ws{t: c.t, c: conn, frames: make(chan map[string]any, 1000), code: make(chan int, 1)}
	go func() {
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				code := 1006
				if ce, ok := err.(*websocket.CloseError); ok {
					code = ce.Code
				}
				w.code <- code
				close(w.frames)
				return
			}
			var m map[string]any
			json.Unmarshal(data, &m)
			w.frames <- m
		}
	}()
	c.t.Cleanup(func() { conn.Close() })
	conn.WriteJSON(map[string]any{"type": "hello", "token": token, "room": roomID, "as": "player"})
	return w
}

// TestBanEscape is the escape that was found: a banned player opened the
// room link again, typed a new name and was back as a new player within
// seconds, and was told "missing, invalid or revoked token" rather than
// that they are banned. Now their socket hears banned and closes with
// 4003, their token gets 403 banned, and their browser cannot make a new
// player; a ban of their address (the admin's choice) also stops a
// browser without the cookie.
func TestBanEscape(t *testing.T) {
	e := newEnv(t, password)
	admin := e.browser()
	admin.login(password)
	mallory := e.client()
	status, malID, malTok, _ := mallory.newPlayer("Mallory")
	if status != http.StatusCreated {
		t.Fatalf("create Mallory: %d", status)
	}
	u, _ := url.Parse(e.ts.URL)
	if len(mallory.jar.Cookies(u)) == 0 {
		t.Fatal("creating a player set no device cookie")
	}
	_, alice := e.player("Alice")
	id := e.room(alice, "classic")
	wm := mallory.dial(malTok, id)
	wm.until("welcome")
	wa := e.join(alice, id, "player")
	wa.until("game_started")

	resp, body := admin.post("/admin/players/"+malID+"/ban", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "1 browser(s)") {
		t.Fatalf("ban: %d %q", resp.StatusCode, body)
	}
	// The live socket is told, then closed with 4003.
	if f := wm.until("error"); f["code"] != "banned" {
		t.Fatalf("error frame %v, want code banned", f)
	}
	if code := wm.closedWith(); code != room.CloseBanned {
		t.Fatalf("close %d, want %d", code, room.CloseBanned)
	}
	// Back with the same token: banned, on the socket and on the API.
	again := mallory.dial(malTok, id)
	if f := again.until("error"); f["code"] != "banned" {
		t.Fatalf("hello of a banned player: %v, want banned", f)
	}
	if code := again.closedWith(); code != room.CloseBanned {
		t.Fatalf("hello of a banned player closed with %d, want 4003", code)
	}
	if status, m := mallory.api("GET", "/api/players/me", malTok, ""); status != http.StatusForbidden || errCode(m) != "banned" {
		t.Fatalf("API with a banned token: %d %v, want 403 banned", status, m)
	}
	// The escape: a new name from the same browser.
	if status, _, _, m := mallory.newPlayer("Mallory2"); status != http.StatusForbidden || errCode(m) != "banned" {
		t.Fatalf("a new player from the banned browser: %d %v, want 403 banned", status, m)
	}
	// Another browser at the same address is someone else: welcome.
	if status, _, _, _ := e.client().newPlayer("Carol"); status != http.StatusCreated {
		t.Fatalf("a new player from another browser: %d, want 201", status)
	}

	// A ban of the address as well: a browser without the cookie is
	// refused too, for the chosen time.
	eve := e.client()
	_, eveID, _, _ := eve.newPlayer("Eve")
	resp, body = admin.post("/admin/players/"+eveID+"/ban", url.Values{"address": {"1h"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "address 127.0.0.1 until") {
		t.Fatalf("ban with the address: %d %q", resp.StatusCode, body)
	}
	if status, _, _, m := e.client().newPlayer("Eve2"); status != http.StatusForbidden || errCode(m) != "banned" {
		t.Fatalf("a new player from a banned address: %d %v, want 403 banned", status, m)
	}
	if resp, _ := admin.post("/admin/players/"+eveID+"/unban", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("unban: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/admin/players/"+malID+"/unban", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("unban: %d", resp.StatusCode)
	}
	if status, _, _, _ := mallory.newPlayer("Mallory3"); status != http.StatusCreated {
		t.Fatalf("a new player after the unban: %d, want 201", status)
	}
	if status, _ := mallory.api("GET", "/api/players/me", malTok, ""); status != http.StatusOK {
		t.Fatalf("the token after the unban: %d, want 200", status)
	}
}
