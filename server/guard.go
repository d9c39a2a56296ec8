package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// DefaultBodyTimeout is how long a client may take to send a request
// body. The largest legal body is a few hundred bytes: 10 s carries it over
// the slowest mobile link, and cuts a client that trickles one.
const DefaultBodyTimeout = 10 * time.Second

// DefaultFrameAncestors is who may show the pages in a frame: the
// server's own pages only. An embedding host names itself here.
const DefaultFrameAncestors = "'self'"

// guard wraps the whole handler, below routing, with what every request
// gets whatever its route: the security headers, the refusal of a body
// declared over --max-body before any of it is read, a deadline on reading
// the body, and the warning about X-Forwarded-For from untrusted peers.
type guard struct {
	next        http.Handler
	maxBody     int64
	bodyTimeout time.Duration
	csp         string
	frameOpts   string // X-Frame-Options, where frame-ancestors has an equivalent
	trusted     []netip.Prefix
	log         *slog.Logger
	now         func() time.Time

	mu     sync.Mutex
	warned time.Time // the last warning about an untrusted X-Forwarded-For
}

// xffWarnEvery is how often, at most, the warning about X-Forwarded-For
// from an untrusted peer is logged: once tells the operator, more would
// only fill the log.
const xffWarnEvery = time.Hour

func (s *Server) newGuard(next http.Handler) (*guard, error) {
	g := &guard{next: next, maxBody: s.cfg.Limits.MaxBody, bodyTimeout: s.cfg.Limits.BodyTimeout, log: s.log, now: time.Now}
	fa := strings.TrimSpace(s.cfg.FrameAncestors)
	if fa == "" {
		fa = DefaultFrameAncestors
	}
	if strings.ContainsAny(fa, ";,\r\n") {
		return nil, fmt.Errorf("server: frame ancestors %q: want CSP sources separated by spaces, such as 'self' https://host.example", fa)
	}
	switch fa {
	case "'self'":
		g.frameOpts = "SAMEORIGIN"
	case "'none'":
		g.frameOpts = "DENY"
	}
	// The web client opens its WebSocket on its own origin, which 'self'
	// covers, ws: and wss: included; in a cluster it may be sent to another
	// node's advertised URL.
	connect := "'self'"
	if s.cfg.Cluster != nil {
		connect += " https: wss: http: ws:"
	}
	// No inline script or style anywhere: the pages load their code and
	// style from files (static/), and style attributes are set through the
	// CSSOM, which CSP allows.
	g.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src " + connect + "; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors " + fa
	for _, p := range s.cfg.TrustedProxies {
		pfx, err := parsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("server: trusted proxy %q: %w", p, err)
		}
		g.trusted = append(g.trusted, pfx)
	}
	return g, nil
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", g.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin") // a private room's id is in its URL
	if g.frameOpts != "" {
		h.Set("X-Frame-Options", g.frameOpts)
	}
	if r.TLS != nil {
		// Only over TLS: a browser ignores it over plain HTTP anyway, and
		// behind a proxy that terminates TLS the proxy sets its own.
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		g.checkForwarded(r)
	}
	if r.ContentLength > g.maxBody {
		// Refused on its headers: reading a body only to throw it away is
		// what a slow client wants the server to do. The connection closes,
		// as the unread body would otherwise be read as the next request.
		h.Set("Connection", "close")
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		fmt.Fprintf(w, `{"error":{"code":"too_large","message":"request body over %d bytes"}}`+"\n", g.maxBody)
		return
	}
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody && g.bodyTimeout > 0 {
		// The deadline covers the body only: it is lifted once the body is
		// read, so that a handler may take its time (a console stream, a
		// queued login), and it is never set on a request without one, such
		// as a WebSocket upgrade. A body left unread keeps it, which bounds
		// the server's own draining of it after the handler.
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(g.now().Add(g.bodyTimeout)); err == nil {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		} else if !errors.Is(err, http.ErrNotSupported) {
			g.log.Debug("server: set body deadline", "err", err)
		}
	}
	g.next.ServeHTTP(w, r)
}

// checkForwarded warns, the first time and then at most once an hour, when
// X-Forwarded-For comes from a peer that is not a trusted proxy: either a
// proxy in front of the server is missing from --trusted-proxies (then all
// its clients share one address's limits), or a client is trying to pick
// its own address (and is ignored).
func (g *guard) checkForwarded(r *http.Request) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return
	}
	peer := ap.Addr().Unmap().WithZone("")
	for _, p := range g.trusted {
		if p.Contains(peer) {
			return
		}
	}
	g.mu.Lock()
	now := g.now()
	if !g.warned.IsZero() && now.Sub(g.warned) < xffWarnEvery {
		g.mu.Unlock()
		return
	}
	g.warned = now
	g.mu.Unlock()
	g.log.Warn("server: X-Forwarded-For from a peer that is not a trusted proxy; it is ignored, and the peer's address is the client's. "+
		"If this server is behind a reverse proxy, add the proxy to --trusted-proxies, or every client behind it shares one address's limits",
		"peer", peer.String())
}

// deadlineBody lifts the body's read deadline when the body has been read.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
