package server

import (
	"crypto/tls"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// maxLingerBytes caps what a lingering close reads and throws away: a
// flood's backlog (5,000 pings are about 100 KB) fits many times over, and
// a client that sends more than this after the close frame is not one
// whose close code matters.
const maxLingerBytes = 1 << 20

// lingerConn is the hijacked connection of a WebSocket, with a lingering
// close (as nginx's lingering_close). Closing a socket that has unread
// input makes the kernel reset the connection, and the reset throws away
// whatever the peer has not read yet: the close frame the server just
// sent, and the frames before it. So Close only ends the conversation:
// it stops reads of application data and half-closes (the FIN follows the
// close frame); linger then reads and drops what the client still sends,
// for a bounded time and number of bytes, before the socket is closed.
//
// Close may be called from any goroutine, more than once. linger is called
// once, after the session's reader has returned, by the goroutine that
// owns the connection.
type lingerConn struct {
	net.Conn
	closing atomic.Bool
	once    sync.Once
}

func newLingerConn(c net.Conn) *lingerConn { return &lingerConn{Conn: c} }

// Read stops at Close: what arrives after the close frame is not
// application data any more.
func (c *lingerConn) Read(p []byte) (int, error) {
	if c.closing.Load() {
		return 0, net.ErrClosed
	}
	n, err := c.Conn.Read(p)
	if c.closing.Load() {
		return 0, net.ErrClosed
	}
	return n, err
}

// Write refuses to write after Close.
func (c *lingerConn) Write(p []byte) (int, error) {
	if c.closing.Load() {
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

// Close half-closes the connection and wakes its reader and any writer;
// the socket itself is closed by linger.
func (c *lingerConn) Close() error {
	c.once.Do(func() {
		c.closing.Store(true)
		now := time.Now()
		// A write still blocked here is one the client does not read
		// (melody writes the close frame, then closes): abandon it.
		c.Conn.SetWriteDeadline(now)
		closeWrite(c.Conn)
		c.Conn.SetReadDeadline(now)
	})
	return nil
}

// linger closes the connection, if that was not done yet, drains what the
// client still sends for at most d (or maxLingerBytes), until it closes its
// side, and then closes the socket.
func (c *lingerConn) linger(d time.Duration) {
	c.Close()
	raw := innermost(c.Conn)
	raw.SetReadDeadline(time.Now().Add(d))
	io.CopyN(io.Discard, raw, maxLingerBytes)
	// The outer connection's Close, so that any wrapper under it counts
	// the close. A TLS close_notify fails at once on the half-closed
	// socket instead of waiting for a peer that may not read.
	c.Conn.Close()
}

// closeWrite shuts down the sending side of the TCP connection under c: a
// FIN after the data already written. A TLS connection's own CloseWrite
// only sends an alert, which could wait on a client that reads nothing.
func closeWrite(c net.Conn) {
	for {
		if _, isTLS := c.(*tls.Conn); !isTLS {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
				return
			}
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return
		}
		c = u.NetConn()
	}
}

// innermost unwraps c (TLS, or a wrapper with NetConn) down to the socket,
// which linger drains as bytes, without decrypting them.
func innermost(c net.Conn) net.Conn {
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return c
		}
		c = u.NetConn()
	}
}
