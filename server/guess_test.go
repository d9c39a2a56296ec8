package server_test

import (
	"crypto/rand"
	"net"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
)

// dialFrom opens a WebSocket from another loopback address: to the server,
// another client address.
func (h *harness) dialFrom(name, ip string) *client {
	h.t.Helper()
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return nd.Dial(network, addr)
	}}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(h.ts.URL, "http")+"/ws", nil)
	if err != nil {
		h.t.Fatalf("dial from %s: %v", ip, err)
	}
	c := &client{t: h.t, name: name, ws: ws, frames: make(chan frame, 4096), done: make(chan struct{})}
	go c.read()
	h.t.Cleanup(func() { ws.Close(); <-c.done })
	return c
}

// guessID is a made-up private room id.
func guessID() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, room.PrivateIDLength)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// TestPrivateRoomID creates a private and a public room: the private one
// has a long id, which the API and hello take, in lower case too.
func TestPrivateRoomID(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.player("Alice"), h.player("Bob")
	pub := h.room(alice, map[string]any{"preset": "classic"})
	priv := h.room(alice, map[string]any{"preset": "classic", "private": true})
	if len(pub) != room.IDLength || len(priv) != room.PrivateIDLength {
		t.Fatalf("ids %q (public) and %q (private), want %d and %d symbols", pub, priv, room.IDLength, room.PrivateIDLength)
	}
	var snap map[string]any
	if code := h.do("GET", "/api/rooms/"+strings.ToLower(priv), "", nil, &snap); code != 200 || snap["id"] != priv {
		t.Fatalf("GET the private room: %d %v", code, snap)
	}
	var list struct{ Rooms []map[string]any }
	h.do("GET", "/api/rooms", "", nil, &list)
	for _, r := range list.Rooms {
		if r["id"] == priv {
			t.Fatal("the private room is listed")
		}
	}
	h.dial("alice", nil).hello(alice.Token, priv, "player")
	if w := h.dial("bob", nil).hello(bob.Token, strings.ToLower(priv), "player"); w.room()["id"] != priv {
		t.Fatalf("bob's welcome: %s", w.raw)
	}
}

// TestGuessingIsCutOff tries made-up private room ids from one address, as
// fast as the socket goes. After the burst the address is cut off: even a
// hello for a room that exists is refused, so a guesser learns nothing,
// while another address still joins.
func TestGuessingIsCutOff(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.player("Alice"), h.player("Bob")
	priv := h.room(alice, map[string]any{"preset": "classic", "private": true})
	g := h.dial("guesser", nil)
	for i := 0; i < server.DefaultUnknownRoomBurst; i++ {
		g.send(map[string]any{"type": "hello", "token": bob.Token, "room": guessID()})
		if f := g.expect("error"); f.str("code") != "unknown_room" {
			t.Fatalf("guess %d: %s", i, f.raw)
		}
	}
	g.send(map[string]any{"type": "hello", "token": bob.Token, "room": guessID()})
	if f := g.expect("error"); f.str("code") != "rate_limited" {
		t.Fatalf("guess %d: %s, want rate_limited", server.DefaultUnknownRoomBurst, f.raw)
	}
	if code := g.closed(); code != 1008 {
		t.Fatalf("the guesser's socket closed with %d, want 1008", code)
	}
	// A new socket from the same address, with the right id this time.
	g2 := h.dial("guesser again", nil)
	g2.send(map[string]any{"type": "hello", "token": bob.Token, "room": priv})
	if f := g2.expect("error"); f.str("code") != "rate_limited" {
		t.Fatalf("a cut-off address's hello for a room that exists: %s, want rate_limited", f.raw)
	}
	if code := g2.closed(); code != 1008 {
		t.Fatalf("closed with %d, want 1008", code)
	}
	if !strings.Contains(h.logs.String(), "too many unknown rooms") {
		t.Fatal("the cut-off address was not logged")
	}
	// Another address is not affected.
	h.dialFrom("alice", "127.0.0.2").hello(alice.Token, priv, "player")
}
