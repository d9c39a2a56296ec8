package server_test

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/server"
)

// fromAddr returns an HTTP client and a WebSocket dialer whose connections
// leave from the loopback address src, so that a test can be two clients
// at two addresses.
func fromAddr(src string) (*http.Client, *websocket.Dialer) {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	return &http.Client{Transport: tr, Timeout: 5 * time.Second},
		&websocket.Dialer{NetDialContext: d.DialContext, HandshakeTimeout: 5 * time.Second}
}

// openFDs counts the descriptors this process holds (Linux); -1 elsewhere.
// Client and server share the process, so it counts both ends.
func openFDs() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(fds)
}

// TestSlowBodiesFromOneAddress is the attack of issue 15: one address
// opens twice the per-address cap of connections that send their headers
// and then trickle a body. The server holds at most the cap of them, cuts
// each at the body deadline, and meanwhile a client at another address
// gets /healthz and plays a whole game, all at the default limits.
func TestSlowBodiesFromOneAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 2,000 connections for a body deadline")
	}
	h := newHarness(t, func(o *harnessOpts) {
		o.tcp = true
		o.limits = server.Limits{} // the defaults of the flags
		o.ws = server.WSConfig{}
	})
	capIP := h.conns.MaxPerIP()
	if capIP != server.DefaultMaxTCPConnsPerIP {
		t.Fatalf("per-address cap %d, want the default %d", capIP, server.DefaultMaxTCPConnsPerIP)
	}
	attacker := netip.MustParseAddr("127.0.0.1")
	addr := h.ts.Listener.Addr().String()
	fdBefore, openBefore := openFDs(), h.conns.Open()

	// The attack: 2×cap connections, each sending the headers of a 10 kB
	// sign-up and then one byte of it every 2 s; a connection that ends is
	// dialled again after a pause.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var held, refused atomic.Int64 // connections the server kept > 1 s; ended within 1 s
	var longest atomic.Int64       // the longest a kept connection lasted, in ms
	head := "POST /api/players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"
	for i := 0; i < 2*capIP; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					time.Sleep(200 * time.Millisecond)
					continue
				}
				start := time.Now()
				ended := trickle(conn, head, stop)
				conn.Close()
				if !ended {
					return
				}
				if d := time.Since(start); d > time.Second {
					held.Add(1)
					for ms := d.Milliseconds(); ; {
						if old := longest.Load(); ms <= old || longest.CompareAndSwap(old, ms) {
							break
						}
					}
				} else {
					refused.Add(1)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}()
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	// Wait until the attack holds its share.
	deadline := time.Now().Add(20 * time.Second)
	for h.conns.OpenFrom(attacker) < capIP && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := h.conns.OpenFrom(attacker); got != capIP {
		t.Fatalf("the attack holds %d connections, want the cap %d", got, capIP)
	}
	fdDuring := openFDs()

	// The other client, at 127.0.0.2.
	web, wsd := fromAddr("127.0.0.2")
	defer web.CloseIdleConnections()
	var worst time.Duration
	for i := 0; i < 20; i++ {
		start := time.Now()
		resp, err := web.Get(h.ts.URL + "/healthz")
		if err != nil {
			t.Fatalf("healthz %d under the attack: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("healthz %d under the attack: %d", i, resp.StatusCode)
		}
		worst = max(worst, time.Since(start))
		if n := h.conns.OpenFrom(attacker); n > capIP {
			t.Fatalf("the attack holds %d connections, over the cap %d", n, capIP)
		}
	}
	h.web, h.wsd = web, wsd
	gameStart := time.Now()
	tb, _ := startClassic(t, h, nil)
	over := tb.playOut()
	if over.str("reason") != "all_gold" {
		t.Fatalf("game_over: %s", over.raw)
	}
	gameTook := time.Since(gameStart)
	for _, c := range tb.all {
		c.ws.Close()
	}

	// Every slow connection the server kept is cut at the body deadline:
	// keep the attack up until some have been.
	deadline = time.Now().Add(3 * server.DefaultBodyTimeout)
	for held.Load() < int64(capIP)/2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if n := h.conns.OpenFrom(attacker); n > capIP {
			t.Fatalf("the attack holds %d connections, over the cap %d", n, capIP)
		}
	}
	close(stop)
	wg.Wait()
	if held.Load() < int64(capIP)/2 {
		t.Fatalf("only %d slow connections were cut within %v", held.Load(), 3*server.DefaultBodyTimeout)
	}
	if l := time.Duration(longest.Load()) * time.Millisecond; l > server.DefaultBodyTimeout+server.DefaultReadHeaderTimeout {
		t.Fatalf("a slow body held its connection %v, past the body deadline %v", l, server.DefaultBodyTimeout)
	}
	deadline = time.Now().Add(5 * time.Second)
	for h.conns.OpenFrom(attacker) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := h.conns.OpenFrom(attacker); n > 0 {
		t.Fatalf("%d of the attack's connections still held after it stopped", n)
	}
	t.Logf("per-address cap %d; attack of %d slow bodies: server held %d conns (before: %d), refused %d at accept (client saw %d end at once); "+
		"process fds before %d, during %d (both ends), after %d; kept ones cut after at most %v; "+
		"healthz from 127.0.0.2 worst %v over 20; a classic game of %d digs in %v",
		capIP, 2*capIP, capIP, openBefore, h.conns.Refused(), refused.Load(), fdBefore, fdDuring, openFDs(),
		time.Duration(longest.Load())*time.Millisecond, worst.Round(time.Millisecond), tb.moves, gameTook.Round(time.Millisecond))
}

// trickle sends head, then a byte at a time every 2 s, reading whatever
// the server answers (a 429 or 400 comes before the body ends; the
// connection stays open until the server closes it). It returns false if
// stop closed first.
func trickle(conn net.Conn, head string, stop chan struct{}) bool {
	if _, err := conn.Write([]byte(head)); err != nil {
		return true
	}
	buf := make([]byte, 512)
	for {
		conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err := conn.Read(buf)
		var ne net.Error
		switch {
		case err == nil:
			continue
		case errors.As(err, &ne) && ne.Timeout():
		default:
			return true // closed by the server
		}
		select {
		case <-stop:
			return false
		default:
		}
		if _, err := conn.Write([]byte(" ")); err != nil {
			return true
		}
	}
}
