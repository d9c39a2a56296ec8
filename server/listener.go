package server

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// TCP connection defaults. A player holds one WebSocket and, while their
// page or mini-program makes API calls, one or two keep-alive HTTP
// connections: 1,000 per address carries 200 players behind one carrier
// NAT with room for reconnects racing their old sockets, and still keeps
// one address from holding more than a small share of the descriptors.
const (
	DefaultMaxTCPConnsPerIP = 1000
	// fdReserve descriptors are left, under the open-file limit, for the
	// database, its WAL, the logs and outgoing connections, when the total
	// is derived from that limit.
	fdReserve = 256
)

// ConnLimits caps the TCP connections a listener keeps open. Every
// connection counts, HTTP and WebSocket alike, until it is closed: a
// hijacked WebSocket still holds its descriptor.
type ConnLimits struct {
	// Max caps the open connections in total; 0 derives it from the
	// process's open-file limit (DefaultMaxTCPConns).
	Max int
	// MaxPerIP caps the open connections from one peer address; 0 takes
	// DefaultMaxTCPConnsPerIP.
	MaxPerIP int
	// TrustedProxies (addresses or CIDRs) are exempt from MaxPerIP: every
	// client behind a proxy comes from the proxy's address, so the proxy
	// must cap connections per client itself (nginx's limit_conn). They
	// still count towards Max.
	TrustedProxies []string
	// Log, when set, is told about refusals, at most once a minute.
	Log *slog.Logger
}

// ConnLimiter is a net.Listener that closes, as soon as it accepts them,
// the connections over its limits. Accepting and closing at once, rather
// than leaving them in the kernel's backlog, keeps the descriptors free
// and lets the other clients' connections through.
type ConnLimiter struct {
	net.Listener
	max, perIP int
	trusted    []netip.Prefix
	log        *slog.Logger

	mu      sync.Mutex
	open    int
	byIP    map[netip.Addr]int
	logged  time.Time
	refused atomic.Int64
}

// LimitListener wraps ln with the limits in l. It fails on a trusted proxy
// that is neither an address nor a CIDR.
func LimitListener(ln net.Listener, l ConnLimits) (*ConnLimiter, error) {
	c := &ConnLimiter{Listener: ln, max: l.Max, perIP: l.MaxPerIP, log: l.Log, byIP: map[netip.Addr]int{}}
	derived := c.max <= 0
	if derived {
		c.max = DefaultMaxTCPConns()
	}
	if c.perIP <= 0 {
		c.perIP = DefaultMaxTCPConnsPerIP
	}
	if derived && c.perIP > c.max/2 && c.max >= 2 {
		// One address must never be able to take every connection: on a
		// machine with few descriptors, it gets half of them (unless the
		// operator set the total too).
		if c.log != nil {
			c.log.Warn("server: few descriptors: one address may hold only half the connections; raise the open-file limit (systemd's LimitNOFILE)",
				"max_tcp_conns", c.max, "max_tcp_conns_per_ip", c.perIP, "now", c.max/2)
		}
		c.perIP = c.max / 2
	}
	for _, p := range l.TrustedProxies {
		pfx, err := parsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("server: trusted proxy %q: %w", p, err)
		}
		c.trusted = append(c.trusted, pfx)
	}
	return c, nil
}

// parsePrefix reads an address (a /32 or /128) or a CIDR.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("") // a zone would make Contains false for every address
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Max returns the cap on open connections in total.
func (c *ConnLimiter) Max() int { return c.max }

// MaxPerIP returns the cap on open connections from one address.
func (c *ConnLimiter) MaxPerIP() int { return c.perIP }

// Open returns the number of connections open now.
func (c *ConnLimiter) Open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open
}

// OpenFrom returns the number of connections open now from ip.
func (c *ConnLimiter) OpenFrom(ip netip.Addr) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byIP[ip.Unmap()]
}

// Refused returns how many connections were closed for a limit so far.
func (c *ConnLimiter) Refused() int64 { return c.refused.Load() }

// Accept returns the next connection within the limits. Those over a
// limit are closed here and never reach the HTTP server.
func (c *ConnLimiter) Accept() (net.Conn, error) {
	for {
		conn, err := c.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := peerAddr(conn)
		if which := c.acquire(ip); which != "" {
			c.refuse(ip, which)
			conn.Close()
			continue
		}
		return &limitedConn{Conn: conn, release: func() { c.release(ip) }}, nil
	}
}

func peerAddr(conn net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(conn.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	return netip.Addr{}
}

// acquire takes a slot for ip, or says which limit refused it.
func (c *ConnLimiter) acquire(ip netip.Addr) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open >= c.max {
		return "total"
	}
	if c.byIP[ip] >= c.perIP && !c.isTrusted(ip) {
		return "ip"
	}
	c.open++
	c.byIP[ip]++
	return ""
}

func (c *ConnLimiter) isTrusted(ip netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (c *ConnLimiter) release(ip netip.Addr) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open--
	if c.byIP[ip]--; c.byIP[ip] <= 0 {
		delete(c.byIP, ip)
	}
}

func (c *ConnLimiter) refuse(ip netip.Addr, which string) {
	n := c.refused.Add(1)
	if c.log == nil {
		return
	}
	c.mu.Lock()
	now := time.Now()
	quiet := now.Sub(c.logged) < time.Minute
	if !quiet {
		c.logged = now
	}
	c.mu.Unlock()
	if quiet {
		return
	}
	if which == "total" {
		c.log.Warn("server: connection refused: the server holds --max-tcp-conns connections", "max", c.max, "refused_so_far", n)
		return
	}
	c.log.Warn("server: connection refused: too many from one address (--max-tcp-conns-per-ip)", "ip", ip.String(),
		"max", c.perIP, "refused_so_far", n)
}

// limitedConn gives its slot back when closed, once: net/http may close a
// connection more than once, and a hijacked one is closed by its owner.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

// NetConn returns the connection beneath, as tls.Conn does: a WebSocket's
// lingering close half-closes the TCP connection under every wrapper
// (lingerConn).
func (l *limitedConn) NetConn() net.Conn { return l.Conn }

func (l *limitedConn) Close() error {
	err := l.Conn.Close()
	l.once.Do(l.release)
	return err
}
