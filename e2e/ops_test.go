package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSIGTERM stops the real binary with SIGTERM in the middle of a game:
// the clients get close 1001, the process exits 0, every acknowledged move
// is stored, and after a restart the room plays on.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	db := filepath.Join(t.TempDir(), "goldmine.db")
	p := startProc(t, bin, "--db", db)
	g := &game2{}
	g.players = [2]account{p.account("Alice"), p.account("Bob")}
	var snap map[string]any
	p.json("POST", "/api/rooms", g.players[0].Token, map[string]any{"preset": "classic", "turn_seconds": 0}, &snap)
	g.id = snap["id"].(string)
	g.connect(t, p)
	g.seq = g.conns[0].until("game_started")["seq"].(float64)
	g.board = make([][]any, 9)
	for r := range g.board {
		g.board[r] = make([]any, 9)
	}
	for i := 0; i < 8; i++ {
		g.dig(t)
	}
	acked := g.state()
	start := time.Now()
	if code := p.stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.log())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("shutdown took %v, want under 10 s", took)
	}
	for i, c := range g.conns {
		for {
			_, _, err := c.ws.ReadMessage()
			if err == nil {
				continue
			}
			ce, ok := err.(*websocket.CloseError)
			if !ok || ce.Code != 1001 || ce.Text != "server restarting" {
				t.Fatalf("client %d: %v, want close 1001 server restarting", i, err)
			}
			break
		}
	}
	if !strings.Contains(p.log(), "stopped cleanly") {
		t.Fatalf("no clean stop in the log:\n%s", p.log())
	}

	p = startProc(t, bin, "--db", db)
	welcome := g.connect(t, p)
	room := welcome[0]["room"].(map[string]any)
	if room["status"] != "playing" {
		t.Fatalf("after restart the room is %v", room["status"])
	}
	// The welcome may follow presence events of the shutdown (the players
	// dropping); board, scores and turn are as acknowledged.
	got := stateOf(room)
	var a, b map[string]any
	jsonUnmarshal(acked, &a)
	jsonUnmarshal(got, &b)
	for _, k := range []string{"board", "scores", "turn"} {
		if fmt.Sprint(a[k]) != fmt.Sprint(b[k]) {
			t.Fatalf("%s after restart = %v, want %v", k, b[k], a[k])
		}
	}
	if b["seq"].(float64) < a["seq"].(float64) {
		t.Fatalf("seq went back from %v to %v", a["seq"], b["seq"])
	}
	snapB := welcome[1]["room"].(map[string]any)
	g.seq, g.turn = snapB["seq"].(float64), int(snapB["turn"].(float64))
	for g.over == nil {
		g.dig(t)
	}
}

// TestIdleSockets opens 10,000 WebSockets that never answer a ping. The
// server must close every one after the pong wait, and its goroutines must
// come back to where they were.
//
// Opening 10,000 sockets can take longer than the pong wait on a busy
// machine, so until all of them are counted open the test keeps them
// alive with unsolicited pongs (RFC 6455 5.5.3; they reset the server's
// read deadline as an answer does) and still reads nothing. Then it stops
// sending: from there each socket is silent, and the pong wait runs for all
// of them at once.
func TestIdleSockets(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 10,000 sockets")
	}
	const n = 10000
	p := startProc(t, bin, "--db", filepath.Join(t.TempDir(), "g.db"), "--ws-ping", "1s", "--ws-pong-wait", "3s",
		"--hello-timeout", "10m", "--max-conns", "20000", "--max-conns-per-ip", "20000", "--max-tcp-conns", "20000", "--max-tcp-conns-per-ip", "20000", "--metrics-token", "m")
	baseline := p.metric(t, "go_goroutines")
	host := strings.TrimPrefix(p.url, "http://")
	conns := make([]net.Conn, n)
	var mu sync.Mutex // guards conns while the keepalive runs
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		// A masked pong with no payload.
		pong := []byte{0x8a, 0x80, 0, 0, 0, 0}
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			open := slices.Clone(conns)
			mu.Unlock()
			for _, c := range open {
				if c != nil {
					c.SetWriteDeadline(time.Now().Add(time.Second))
					c.Write(pong) // a socket the server closed shows in the count below
				}
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 50 {
				c, err := rawHandshake(host)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				conns[i] = c
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		close(stop)
		t.Fatal(err)
	}
	// The 101 reaches the client just before the server counts the
	// session, so the last few may take a moment to show; the keepalive
	// holds the others open meanwhile, so waiting longer cannot let any go.
	var open float64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if open = p.metric(t, "goldmine_ws_connections"); open == n {
			break
		}
	}
	close(stop)
	<-stopped
	if open != n {
		t.Fatalf("%v connections open, want %d", open, n)
	}
	peak := p.metric(t, "go_goroutines")
	// None of them reads, and now none sends a pong: after the pong wait
	// the server closes them all.
	var goroutines float64
	for i := 0; i < 600; i++ {
		time.Sleep(100 * time.Millisecond)
		open, goroutines = p.metric(t, "goldmine_ws_connections"), p.metric(t, "go_goroutines")
		if open == 0 && goroutines <= baseline+5 {
			t.Logf("goroutines: %v before, %v with %d sockets, %v after", baseline, peak, n, goroutines)
			return
		}
	}
	t.Fatalf("after 60 s: %v connections open, %v goroutines (baseline %v)", open, goroutines, baseline)
}

// rawHandshake opens a WebSocket and never reads from it again.
func rawHandshake(host string) (net.Conn, error) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: "+host+"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, fmt.Errorf("handshake: %s", resp.Status)
	}
	return c, nil
}

var metricLine = regexp.MustCompile(`(?m)^([a-z_]+) ([0-9.e+]+)$`)

// metric reads one unlabelled metric from /metrics.
func (p *proc) metric(t *testing.T, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", p.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer m")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, m := range metricLine.FindAllStringSubmatch(string(body), -1) {
		if m[1] == name {
			v, _ := strconv.ParseFloat(m[2], 64)
			return v
		}
	}
	t.Fatalf("no metric %s in:\n%s", name, body)
	return 0
}
