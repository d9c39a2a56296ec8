package server_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/server"
)

// TestLimitListener: past the total or the per-address cap a connection is
// closed as soon as accepted; a trusted proxy is exempt from the
// per-address cap only; a closed connection gives its slot back.
func TestLimitListener(t *testing.T) {
	dialFrom := func(t *testing.T, addr, src string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	// serve accepts for ever, holding what it accepts, and reports each.
	serve := func(t *testing.T, l server.ConnLimits) (*server.ConnLimiter, chan net.Conn) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cl, err := server.LimitListener(ln, l)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		got := make(chan net.Conn, 16)
		go func() {
			for {
				c, err := cl.Accept()
				if err != nil {
					close(got)
					return
				}
				got <- c
			}
		}()
		return cl, got
	}
	accepted := func(t *testing.T, got chan net.Conn) net.Conn {
		t.Helper()
		select {
		case c := <-got:
			return c
		case <-time.After(5 * time.Second):
			t.Fatal("not accepted")
			return nil
		}
	}
	refused := func(t *testing.T, c net.Conn) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatal("read data from a refused connection")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("a connection over the cap was kept")
		}
	}
	t.Run("PerIP", func(t *testing.T) {
		cl, got := serve(t, server.ConnLimits{MaxPerIP: 2, Max: 100})
		addr := cl.Addr().String()
		dialFrom(t, addr, "127.0.0.1")
		first := accepted(t, got)
		dialFrom(t, addr, "127.0.0.1")
		accepted(t, got)
		refused(t, dialFrom(t, addr, "127.0.0.1"))
		dialFrom(t, addr, "127.0.0.2")
		accepted(t, got)
		if n := cl.OpenFrom(netip.MustParseAddr("127.0.0.1")); n != 2 {
			t.Fatalf("%d open from 127.0.0.1, want 2", n)
		}
		first.Close()
		first.Close() // twice: the slot is given back once
		dialFrom(t, addr, "127.0.0.1")
		accepted(t, got)
		if cl.Open() != 3 || cl.Refused() != 1 {
			t.Fatalf("open %d, refused %d; want 3 and 1", cl.Open(), cl.Refused())
		}
	})
	t.Run("Total", func(t *testing.T) {
		cl, got := serve(t, server.ConnLimits{MaxPerIP: 10, Max: 2})
		addr := cl.Addr().String()
		dialFrom(t, addr, "127.0.0.1")
		accepted(t, got)
		dialFrom(t, addr, "127.0.0.2")
		accepted(t, got)
		refused(t, dialFrom(t, addr, "127.0.0.3"))
	})
	t.Run("TrustedProxy", func(t *testing.T) {
		cl, got := serve(t, server.ConnLimits{MaxPerIP: 1, Max: 3, TrustedProxies: []string{"127.0.0.0/30"}})
		addr := cl.Addr().String()
		for i := 0; i < 3; i++ {
			dialFrom(t, addr, "127.0.0.1")
			accepted(t, got)
		}
		refused(t, dialFrom(t, addr, "127.0.0.1")) // the total still holds
	})
	t.Run("HalfTheTotalAtMost", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		// The total derived from the open-file limit: half of it at most.
		cl, err := server.LimitListener(ln, server.ConnLimits{MaxPerIP: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cl.MaxPerIP(), server.DefaultMaxTCPConns()/2; got != want {
			t.Fatalf("per-address cap %d under a derived total of %d, want %d", got, cl.Max(), want)
		}
		// Both set by the operator: as set.
		if cl, _ = server.LimitListener(ln, server.ConnLimits{MaxPerIP: 1000, Max: 768}); cl.MaxPerIP() != 1000 {
			t.Fatalf("per-address cap %d, set to 1000", cl.MaxPerIP())
		}
	})
	t.Run("BadProxy", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		if _, err := server.LimitListener(ln, server.ConnLimits{TrustedProxies: []string{"nginx"}}); err == nil {
			t.Fatal("a trusted proxy that is not an address was accepted")
		}
	})
	if server.DefaultMaxTCPConns() < 64 {
		t.Fatalf("DefaultMaxTCPConns() = %d", server.DefaultMaxTCPConns())
	}
}
