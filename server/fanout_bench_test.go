package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkFanout measures one broadcast to a 6-player room, from a chat
// sent by one player to its event read by all six (its commit included, with
// sync=normal), with 0 and with 10,000
// other WebSocket sessions open on the same server. Because each room
// sends to its own members only, the two must cost the same; melody's
// hub-wide helpers (BroadcastFilter) would walk every session instead.
//
// The other sessions are held by a child process: this machine allows
// 20,000 open files per process, and each session is a file at both ends.
//
//	go test ./server -run '^$' -bench Fanout -benchtime 2000x -count 3
func BenchmarkFanout(b *testing.B) {
	for _, others := range []int{0, 10000} {
		b.Run("others="+strconv.Itoa(others), func(b *testing.B) {
			h := newHarness(b, fast, func(o *harnessOpts) {
				// No fsync per commit: the broadcast, not the disk, is what
				// this measures.
				o.sync = "normal"
				o.room.ChatRate = -1 // a chat per iteration: no room chat limit
				o.ws.HelloTimeout = time.Hour
				o.limits.MaxConns, o.limits.MaxConnsPerIP = 20000, 20000
			})
			defer h.close()
			if others > 0 {
				defer holdConnections(b, h.ts.URL, others)()
				if got := h.srv.Sessions(); got < others {
					b.Fatalf("%d sessions open, want %d", got, others)
				}
			}
			owner := h.player("P0")
			id := h.room(owner, map[string]any{"preset": "party"})
			var clients []*client
			for i := 0; i < 6; i++ {
				p := owner
				if i > 0 {
					p = h.player(fmt.Sprintf("P%d", i))
				}
				c := h.dial(p.Name, nil)
				c.hello(p.Token, id, "player")
				clients = append(clients, c)
			}
			for i, c := range clients { // drain the joins and the start
				for j := i + 1; j < 6; j++ {
					c.expect("player_joined")
				}
				c.expect("game_started")
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				clients[0].send(`{"type":"chat","text":"x"}`)
				for _, c := range clients {
					if f := <-c.frames; f.typ() != "chat" {
						b.Fatalf("got %s", f.raw)
					}
				}
			}
			b.StopTimer()
		})
	}
}

// holdConnections starts a child process holding n idle WebSockets to url
// and returns a function that ends it.
func holdConnections(b *testing.B, url string, n int) func() {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldConnections$")
	cmd.Env = append(os.Environ(), "GOLDMINE_HOLD_URL="+url, "GOLDMINE_HOLD_N="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		b.Fatalf("connection holder: %q %v", line, err)
	}
	return func() {
		stdin.Close()
		cmd.Wait()
	}
}

// TestHoldConnections is the child of holdConnections; it does nothing in
// a normal test run.
func TestHoldConnections(t *testing.T) {
	url := os.Getenv("GOLDMINE_HOLD_URL")
	if url == "" {
		t.Skip("only runs as the connection holder of BenchmarkFanout")
	}
	n, _ := strconv.Atoi(os.Getenv("GOLDMINE_HOLD_N"))
	host := strings.TrimPrefix(url, "http://")
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: "+host+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 101 {
			t.Fatalf("handshake %d: %v %v", i, resp, err)
		}
		conns = append(conns, c)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}
