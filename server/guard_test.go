package server_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestBodyOverLimitRefusedOnItsHeaders: a request declaring a body over
// --max-body gets 413 and Connection: close at once, with none of its body
// sent, instead of the server waiting to read it.
func TestBodyOverLimitRefusedOnItsHeaders(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) { o.tcp = true })
	for _, path := range []string{"/api/players", "/healthz", "/nowhere"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			conn, err := net.Dial("tcp", h.ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.Write([]byte("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"))
			conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
				t.Fatalf("status %d, Connection: close %v; want 413 and close", resp.StatusCode, resp.Close)
			}
		})
	}
}

// TestBodyDeadlineSparesWebSockets: the body deadline is on bodies only; a
// WebSocket, which has none, outlives it many times over.
func TestBodyDeadlineSparesWebSockets(t *testing.T) {
	h := newHarness(t, func(o *harnessOpts) {
		o.tcp = true
		o.limits.BodyTimeout = 100 * time.Millisecond
		o.ws.HelloTimeout = 10 * time.Second
	})
	alice := h.player("Alice")
	id := h.room(alice, map[string]any{"preset": "classic"})
	c := h.dial("alice", nil)
	c.hello(alice.Token, id, "player")
	time.Sleep(time.Second) // ten body deadlines
	c.send(`{"type":"ping","t":1}`)
	c.expect("pong")
	// And a body that takes longer than the deadline is cut.
	conn, err := net.Dial("tcp", h.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("POST /api/players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"))
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("a body past its deadline got no answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a body past its deadline: %d, want 400", resp.StatusCode)
	}
}
