package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/goldmine-game/goldmine/bots"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/static"
	"github.com/goldmine-game/goldmine/store"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// WebSocket session, writer and timer must end when its server closes.
func TestMain(m *testing.M) {
	// The program sets release mode in main; tests of the library set it
	// here so that gin's debug route listing stays out of the test output.
	gin.SetMode(gin.ReleaseMode)
	goleak.VerifyTestMain(m)
}

// harness is a real server on 127.0.0.1:0 over a real SQLite file, with the
// rooms on a fake clock.
type harness struct {
	t      testing.TB
	st     *store.Store
	rooms  *room.Manager
	srv    *server.Server
	ts     *httptest.Server
	clock  *room.FakeClock
	bots   *bots.Manager
	tokens *server.Tokens
	logs   *syncBuffer
	closed bool
	// conns caps the server's TCP connections when the harness serves
	// the way main does (harnessOpts.tcp); nil otherwise.
	conns *server.ConnLimiter
	// web and wsd are how do and dial reach the server: by default from
	// 127.0.0.1, as any client; a test may send them from another address.
	web *http.Client
	wsd *websocket.Dialer
}

type harnessOpts struct {
	assets bool // serve the web client, the SDK and /static
	bots   bool // seat bots, on the harness's clock
	sync   string
	room   room.Config
	ws     server.WSConfig
	limits server.Limits
	srv    func(*serverConfig)
	// tcp serves through server.HTTPServer and server.LimitListener, as
	// main does, with these caps, instead of a bare httptest server.
	tcp      bool
	tcpLimit server.ConnLimits
}

type serverConfig = server.Config

const defaultBurst = server.DefaultBurst

// fast lifts the message rate limit, for tests that play whole games faster
// than any person could. The limit has tests of its own.
func fast(o *harnessOpts) { o.ws.Rate, o.ws.Burst = 10000, 10000 }

func newHarness(t testing.TB, opts ...func(*harnessOpts)) *harness {
	t.Helper()
	var o harnessOpts
	o.ws.HelloTimeout = time.Second
	// Tests send HTTP requests as fast as they can; the API rate limit has
	// a test of its own.
	o.limits.APIRate, o.limits.APIBurst = 10000, 10000
	for _, f := range opts {
		f(&o)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()
	metrics := server.NewMetrics()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "goldmine.db"), Log: log, Sync: o.sync,
		OnCommit: metrics.ObserveCommit})
	if err != nil {
		t.Fatal(err)
	}
	clock := room.NewFakeClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	o.room.Store, o.room.Clock, o.room.Log = st, clock, log
	o.room.OnDig, o.room.OnGameOver = metrics.ObserveMove, metrics.ObserveGame
	var robots *bots.Manager
	if o.bots {
		o.room.Substitute = func(level string) (room.Player, room.BotConn, error) { return robots.Substitute(level) }
	}
	rooms := room.NewManager(o.room)
	if o.bots {
		robots = bots.New(bots.Config{Rooms: rooms, Players: st, Clock: clock, Log: log, Seed: 1})
	}
	secret, err := st.Secret(ctx, "tokens", 32)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := server.NewTokens(secret, st)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Rooms: rooms, Store: st, Tokens: tokens, Log: log, WS: o.ws, Limits: o.limits, Metrics: metrics}
	if o.assets {
		if cfg.Assets, err = static.New("/static/"); err != nil {
			t.Fatal(err)
		}
	}
	if robots != nil {
		cfg.Bots = robots
	}
	if o.srv != nil {
		o.srv(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	var conns *server.ConnLimiter
	if o.tcp {
		ts.Config = server.HTTPServer("", srv.Handler(), server.Timeouts{})
		o.tcpLimit.Log = log
		if conns, err = server.LimitListener(ts.Listener, o.tcpLimit); err != nil {
			t.Fatal(err)
		}
		ts.Listener = conns
	}
	ts.Start()
	h := &harness{t: t, st: st, rooms: rooms, srv: srv, ts: ts, clock: clock,
		tokens: tokens, logs: logs, bots: robots, conns: conns, web: http.DefaultClient, wsd: websocket.DefaultDialer}
	t.Cleanup(func() {
		h.close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return h
}

// close shuts the server down in the order main does.
func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.CloseSessions(ctx, server.CloseGoingAway, "server restarting"); err != nil {
		h.t.Errorf("close sessions: %v", err)
	}
	h.ts.Close()
	if h.bots != nil {
		h.bots.Close()
	}
	h.rooms.Close()
	if err := h.st.Close(); err != nil {
		h.t.Errorf("close store: %v", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// do sends a JSON request and decodes the JSON reply into out (if not nil).
func (h *harness) do(method, path, token string, body any, out any) int {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, h.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := h.web.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

type player struct {
	ID    string `json:"player_id"`
	Name  string `json:"name"`
	Token string `json:"token"`
}

func (h *harness) player(name string) player {
	h.t.Helper()
	var p player
	if code := h.do("POST", "/api/players", "", map[string]string{"name": name}, &p); code != 201 {
		h.t.Fatalf("create player: %d", code)
	}
	return p
}

// room creates a room and returns its id.
func (h *harness) room(owner player, body map[string]any) string {
	h.t.Helper()
	var snap map[string]any
	if code := h.do("POST", "/api/rooms", owner.Token, body, &snap); code != 201 {
		h.t.Fatalf("create room: %d %v", code, snap)
	}
	return snap["id"].(string)
}

// layout reads a room's hidden board the way only a test may: from the seed
// in the database.
func (h *harness) layout(roomID string) string {
	h.t.Helper()
	saved, err := h.st.LiveRooms(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range saved {
		if s.Room.ID == roomID {
			b, err := game.Generate(s.Room.Rules.Rows, s.Room.Rules.Cols, s.Room.Rules.Gold, s.Room.Seed)
			if err != nil {
				h.t.Fatal(err)
			}
			return b.Layout()
		}
	}
	h.t.Fatalf("room %s not stored", roomID)
	return ""
}

// frame is a decoded server frame, with its raw text.
type frame struct {
	m   map[string]any
	raw string
}

func (f frame) typ() string { return f.str("type") }

func (f frame) str(k string) string { s, _ := f.m[k].(string); return s }

func (f frame) num(k string) int {
	v, ok := f.m[k].(float64)
	if !ok {
		return -999
	}
	return int(v)
}

func (f frame) room() map[string]any { r, _ := f.m["room"].(map[string]any); return r }

// client is a real WebSocket client that records every frame it gets.
type client struct {
	t      testing.TB
	name   string
	ws     *websocket.Conn
	frames chan frame
	done   chan struct{}
	all    []frame // every frame read so far
	// watching is the last spectators frame's count (-1 before one):
	// next sets those seq-less frames aside, as a client that does not
	// show the count would ignore them.
	watching int
	closeE   *websocket.CloseError
	mu       sync.Mutex
}

func (h *harness) dial(name string, header http.Header) *client {
	h.t.Helper()
	c, err := h.tryDial(header)
	if err != nil {
		h.t.Fatalf("dial: %v", err)
	}
	c.name = name
	return c
}

func (h *harness) tryDial(header http.Header) (*client, error) {
	url := "ws" + strings.TrimPrefix(h.ts.URL, "http") + "/ws"
	ws, resp, err := h.wsd.Dial(url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	c := &client{t: h.t, ws: ws, frames: make(chan frame, 4096), done: make(chan struct{}), watching: -1}
	go c.read()
	h.t.Cleanup(func() { ws.Close(); <-c.done })
	return c, nil
}

func (c *client) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			if ce, ok := err.(*websocket.CloseError); ok {
				c.closeE = ce
			}
			c.mu.Unlock()
			close(c.frames)
			return
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			c.t.Errorf("%s: frame is not a JSON object: %s", c.name, data)
			continue
		}
		c.frames <- frame{m: m, raw: string(data)}
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	var err error
	if s, ok := v.(string); ok {
		err = c.ws.WriteMessage(websocket.TextMessage, []byte(s))
	} else {
		err = c.ws.WriteJSON(v)
	}
	if err != nil {
		c.t.Fatalf("%s: send: %v", c.name, err)
	}
}

// next returns the next frame, failing the test after a while.
func (c *client) next() frame {
	c.t.Helper()
	f, ok := c.tryNext(5 * time.Second)
	if !ok {
		c.t.Fatalf("%s: no frame within 5s", c.name)
	}
	return f
}

// tryNext returns the next frame if one comes within d.
func (c *client) tryNext(d time.Duration) (frame, bool) {
	c.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("%s: connection closed (%v)", c.name, c.closeErr())
			}
			checkFrame(c.t, f)
			if f.typ() == "spectators" {
				c.watching = f.num("count")
				continue
			}
			c.all = append(c.all, f)
			return f, true
		case <-timeout:
			return frame{}, false
		}
	}
}

// expect returns the next frame and fails unless it has type typ.
func (c *client) expect(typ string) frame {
	c.t.Helper()
	f := c.next()
	if f.typ() != typ {
		c.t.Fatalf("%s: got %s, want a %s frame", c.name, f.raw, typ)
	}
	return f
}

// quiet fails if a frame arrives within d.
func (c *client) quiet(d time.Duration) {
	c.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case f, ok := <-c.frames:
			if ok && f.typ() == "spectators" {
				c.watching = f.num("count")
				continue
			}
			if ok {
				c.t.Fatalf("%s: unexpected frame %s", c.name, f.raw)
			}
			return
		case <-timeout:
			return
		}
	}
}

// closed waits for the server to close the connection and returns the
// close code (1006 when it just dropped).
func (c *client) closed() int {
	c.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-c.frames:
			if ok {
				c.all = append(c.all, f)
				continue
			}
			if ce := c.closeErr(); ce != nil {
				return ce.Code
			}
			return websocket.CloseAbnormalClosure
		case <-timeout:
			c.t.Fatalf("%s: still open after 5s", c.name)
		}
	}
}

func (c *client) closeErr() *websocket.CloseError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeE
}

// hello joins a room and returns the welcome.
func (c *client) hello(token, roomID, as string) frame {
	c.t.Helper()
	c.send(map[string]any{"type": "hello", "token": token, "room": roomID, "as": as})
	return c.expect("welcome")
}

// httptestServe serves h on 127.0.0.1:0 until the test ends.
func httptestServe(t testing.TB, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
