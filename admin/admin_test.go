package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/admin"
	"github.com/goldmine-game/goldmine/bots"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/static"
	"github.com/goldmine-game/goldmine/store"
)

const password = "correct horse battery"

// env is a whole server (API, WebSocket, console) on 127.0.0.1:0 over a
// real SQLite file.
type env struct {
	t     *testing.T
	st    *store.Store
	rooms *room.Manager
	srv   *server.Server
	ts    *httptest.Server
	logs  *syncBuf
	now   *fakeNow
	close func()
	// console is the console under test.
	console *admin.Admin
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// fakeNow is the console's clock, for session expiry and throttling.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) Add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func newEnv(t *testing.T, pw string) *env {
	t.Helper()
	return newEnvAt(t, pw, filepath.Join(t.TempDir(), "g.db"), nil)
}

// newEnvAt is newEnv on the database at path, with the console's clock
// now (nil: a new one at the present time), so that a test can stop a
// server and start another on the same file.
func newEnvAt(t *testing.T, pw, path string, now *fakeNow) *env {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuf{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	st, err := store.Open(ctx, store.Options{Path: path, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	var robots *bots.Manager
	rooms := room.NewManager(room.Config{Store: st, Log: log, Substitute: func(level string) (room.Player, room.BotConn, error) {
		return robots.Substitute(level)
	}})
	secret, _ := st.Secret(ctx, "tokens", 32)
	tokens, _ := server.NewTokens(secret, st)
	srv, err := server.New(server.Config{Rooms: rooms, Store: st, Tokens: tokens, Log: log,
		Limits: server.Limits{APIRate: 10000, APIBurst: 10000}, WS: server.WSConfig{Rate: 1000, Burst: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New("/static/")
	if err != nil {
		t.Fatal(err)
	}
	if now == nil {
		now = &fakeNow{t: time.Now()}
	}
	robots = bots.New(bots.Config{Rooms: rooms, Players: st, Log: log, Delay: 20 * time.Millisecond})
	a, err := admin.New(ctx, admin.Config{Rooms: rooms, Store: st, Assets: assets, Bots: robots, Sessions: srv.Sessions,
		Password: pw, Log: log, Now: now.Now})
	if err != nil {
		t.Fatal(err)
	}
	a.Register(srv.Engine())
	e0 := a
	srv.Engine().GET("/static/*file", gin.WrapH(assets))
	ts := httptest.NewServer(srv.Handler())
	e := &env{t: t, st: st, rooms: rooms, srv: srv, ts: ts, logs: logs, now: now, console: a}
	var once sync.Once
	e.close = func() {
		once.Do(func() {
			e0.Close()
			srv.CloseSessions(ctx, 1001, "bye")
			ts.Close()
			robots.Close()
			rooms.Close()
			st.Close()
		})
	}
	t.Cleanup(func() {
		e.close()
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	return e
}

// browser is an HTTP client with a cookie jar, as a browser would be.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.e.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

var csrfRe = regexp.MustCompile(`"X-CSRF-Token": "([0-9a-f]+)"`)

// login logs in and keeps the page's CSRF token.
func (b *browser) login(pw string) {
	b.t.Helper()
	resp, _ := b.do("POST", "/admin/login", url.Values{"password": {pw}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/" {
		b.t.Fatalf("login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, page := b.do("GET", "/admin/", nil, nil)
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on the dashboard:\n%s", page)
	}
	b.csrf = m[1]
}

// post sends an htmx POST with the CSRF token.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	return b.do("POST", path, form, map[string]string{"X-CSRF-Token": b.csrf, "HX-Request": "true"})
}

// player creates a player over the API.
func (e *env) player(name string) (id, token string) {
	resp, err := http.Post(e.ts.URL+"/api/players", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct{ PlayerID, Token string }
	json.NewDecoder(resp.Body).Decode(&struct {
		PlayerID *string `json:"player_id"`
		Token    *string `json:"token"`
	}{&p.PlayerID, &p.Token})
	return p.PlayerID, p.Token
}

func (e *env) room(token, preset string) string {
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/rooms", strings.NewReader(`{"preset":"`+preset+`","turn_seconds":0}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var snap struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&snap)
	return snap.ID
}

// ws is a WebSocket player.
type ws struct {
	t      *testing.T
	c      *websocket.Conn
	frames chan map[string]any
	code   chan int
}

// startGame has the two players' tokens take the seats of a new classic
// room and waits for its game to start on both sockets.
func (e *env) startGame(alice, bob string) (id string, wa, wb *ws) {
	id = e.room(alice, "classic")
	wa, wb = e.join(alice, id, "player"), e.join(bob, id, "player")
	wa.until("game_started")
	wb.until("game_started")
	return id, wa, wb
}

func (e *env) join(token, roomID, as string) *ws {
	e.t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(e.ts.URL, "http")+"/ws", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	w := &ws{t: e.t, c: c, frames: make(chan map[string]any, 1000), code: make(chan int, 1)}
	go func() {
		for {
			_, data, err := c.ReadMessage()
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
	e.t.Cleanup(func() { c.Close() })
	c.WriteJSON(map[string]any{"type": "hello", "token": token, "room": roomID, "as": as})
	w.until("welcome")
	return w
}

func (w *ws) until(typ string) map[string]any {
	w.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-w.frames:
			if !ok {
				w.t.Fatalf("closed while waiting for %s", typ)
			}
			if f["type"] == typ {
				return f
			}
		case <-timeout:
			w.t.Fatalf("no %s within 5 s", typ)
		}
	}
}

func (w *ws) closedWith() int {
	w.t.Helper()
	for {
		select {
		case _, ok := <-w.frames:
			if !ok {
				return <-w.code
			}
		case <-time.After(5 * time.Second):
			w.t.Fatal("still open after 5 s")
		}
	}
}
