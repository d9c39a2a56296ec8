package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/olahol/melody"
	"golang.org/x/time/rate"

	"github.com/goldmine-game/goldmine/room"
)

// Close codes the WebSocket endpoint sends.
const (
	CloseGoingAway     = 1001 // server restarting
	ClosePolicy        = 1008 // no hello in time, or a message flood
	CloseInvalidUTF8   = 1007 // a text frame that is not UTF-8
	CloseTooSlow       = 4004 // the client did not read its frames in time; it should reconnect
	maxRateStrikes     = 10   // rejected messages tolerated before close 1008
	rateStrikeRefillHz = 1
	readBufferSize     = 512 // bytes; see newMelody
)

// newMelody sets every melody setting explicitly: its defaults accept any
// Origin and kill any message over 512 bytes.
func (s *Server) newMelody() *melody.Melody {
	m := melody.New()
	m.Config.MaxMessageSize = s.cfg.WS.MaxMessage
	m.Config.PingPeriod = s.cfg.WS.PingPeriod
	m.Config.PongWait = s.cfg.WS.PongWait
	m.Config.WriteWait = s.cfg.WS.WriteWait
	m.Config.MessageBufferSize = s.cfg.WS.Buffer
	// One message at a time per session: a room serialises actions anyway,
	// and ordered handling keeps a client's dig and chat in order.
	m.Config.ConcurrentMessageHandling = false
	// An idle socket sits in a read for its whole life, holding its read
	// buffer: a small one of its own lets net/http's 4 KiB one go (client
	// frames are a few dozen bytes; a bigger one is read in pieces). The
	// pool lends a write buffer only while a frame is being written, so an
	// idle session holds none.
	m.Upgrader.ReadBufferSize = readBufferSize
	m.Upgrader.WriteBufferSize = 0
	m.Upgrader.WriteBufferPool = &sync.Pool{}
	m.Upgrader.EnableCompression = false
	m.Upgrader.HandshakeTimeout = 5 * time.Second
	m.Upgrader.CheckOrigin = s.checkOrigin
	m.Upgrader.Error = func(w http.ResponseWriter, r *http.Request, status int, reason error) {
		code := "bad_request"
		if status == http.StatusForbidden {
			code = "forbidden_origin"
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": reason.Error()}})
	}
	m.HandleConnect(s.onConnect)
	m.HandleMessage(s.onMessage)
	m.HandleMessageBinary(func(ss *melody.Session, _ []byte) {
		conn(ss).sendError("bad_message", "frames must be JSON text", nil)
	})
	m.HandleError(s.onError)
	m.HandleSentMessage(s.onSent)
	m.HandleDisconnect(s.onDisconnect)
	return m
}

// checkOrigin allows requests without an Origin (WeChat mini-programs and
// native clients send none), the server's own origin, the configured ones,
// and in a cluster every node's: the web client served by one node plays
// a room another node owns.
func (s *Server) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, a := range s.cfg.AllowedOrigins {
		if a == "*" || strings.EqualFold(strings.TrimSuffix(a, "/"), origin) {
			return true
		}
	}
	return s.cfg.Cluster != nil && s.cfg.Cluster.IsNodeOrigin(origin)
}

func (s *Server) serveWS(c *gin.Context) {
	ip := c.ClientIP()
	if ok, limit := s.conns.acquireConn(ip, s.cfg.Limits); !ok {
		s.metrics.refused.WithLabelValues(limit).Inc()
		if limit == "total" {
			s.abort(c, errorf(http.StatusServiceUnavailable, "server_full", "the server has all the connections it can take"))
			return
		}
		c.Header("Retry-After", "10")
		s.abort(c, errorf(http.StatusTooManyRequests, "too_many_connections", "too many connections from your address"))
		return
	}
	h := newHandoff(c.Writer)
	wc := &wsConn{srv: s, ip: ip, device: device(c.Request), h: h}
	// The socket runs on a goroutine of its own, and this handler returns
	// as soon as the connection is hijacked. net/http's goroutine for the
	// connection then ends, and with it the stack that parsing the request
	// and running the middleware grew, its 4 KiB write buffer and the gin
	// context: about 14 KB less per idle socket (docs/benchmarks.md).
	// The session keeps the request, so its context must outlive this
	// handler.
	r := c.Request.WithContext(context.WithValue(context.WithoutCancel(c.Request.Context()), connKey{}, wc))
	done := make(chan error, 1)
	s.sessions.Add(1)
	go s.runSession(h, r, wc, done)
	select {
	case <-h.hijacked:
		c.Set(upgradedKey, true)
	case err := <-done:
		if errors.Is(err, melody.ErrClosed) {
			s.abort(c, errorf(http.StatusServiceUnavailable, "unavailable", "server shutting down"))
		}
	}
}

// runSession runs one WebSocket session on its own goroutine, until it
// ends. It is a method, not a closure: a closure's captured variables stay
// reachable for as long as it runs, and with them the writer and the whole
// request of the upgrade, for the life of an idle socket. Here h and r are
// dead once melody has the connection.
func (s *Server) runSession(h *handoff, r *http.Request, wc *wsConn, done chan<- error) {
	defer s.sessions.Done()
	defer s.conns.releaseConn(wc.ip)
	err := s.ws.HandleRequest(h, r)
	// The session is over, its reader returned: drain what the client
	// still sends, so that the close frame is not lost to a reset
	// (lingerConn). The socket counts against the limits until then.
	if wc.lc != nil {
		wc.lc.linger(s.cfg.WS.Linger)
	}
	done <- err
}

// trimRequest is what a session keeps of its upgrade request: melody
// holds the *http.Request for the session's life, and the headers, the
// parsed URL and the rest of a browser's request weigh about 1.5 KB. The
// context (for its values) and the addresses stay.
func trimRequest(r *http.Request) *http.Request {
	t := &http.Request{Method: r.Method, Host: r.Host, RemoteAddr: r.RemoteAddr, RequestURI: r.RequestURI,
		Proto: r.Proto, ProtoMajor: r.ProtoMajor, ProtoMinor: r.ProtoMinor}
	return t.WithContext(r.Context())
}

// handoff is the ResponseWriter melody upgrades through. It tells when the
// connection has been hijacked, after which the handler may return. Until
// then it is used from one goroutine at a time; after, not at all: the
// upgrader reads the response headers after hijacking, so it gets a copy
// of its own.
type handoff struct {
	gin.ResponseWriter
	header   http.Header
	hijacked chan struct{}
	wrote    bool
	// conn is the hijacked connection, set by Hijack on the session's
	// goroutine and used only there (and by the session's reader, which
	// runs on it too).
	conn *lingerConn
}

func newHandoff(w gin.ResponseWriter) *handoff {
	return &handoff{ResponseWriter: w, header: w.Header().Clone(), hijacked: make(chan struct{})}
}

func (h *handoff) Header() http.Header { return h.header }

// WriteHeader and Write serve a refused upgrade: the headers set on the
// copy go out with it.
func (h *handoff) WriteHeader(status int) {
	if !h.wrote {
		h.wrote = true
		maps.Copy(h.ResponseWriter.Header(), h.header)
	}
	h.ResponseWriter.WriteHeader(status)
}

func (h *handoff) Write(b []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// Hijack hands melody the connection with a lingering close.
func (h *handoff) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := h.ResponseWriter.Hijack()
	if err != nil {
		return c, rw, err
	}
	h.conn = newLingerConn(c)
	close(h.hijacked)
	return h.conn, rw, nil
}

const upgradedKey = "goldmine.upgraded" // in the gin context: the request became a WebSocket

// connKey keys a session's *wsConn in its request's context. The context,
// which the session keeps anyway, is lighter than melody's Keys: a map
// per session, read under the session's lock at every message.
type connKey struct{}

func conn(ss *melody.Session) *wsConn {
	return ss.Request.Context().Value(connKey{}).(*wsConn)
}

// wsConn is one WebSocket session: the room.Conn its room sends to, and
// the state of the protocol on it. Apart from Send and Close, which rooms
// call, it is used only from the session's read goroutine.
type wsConn struct {
	srv    *Server
	ip     string // the client's address, as the access log and the limits have it
	device string // the hash of the browser's device cookie, or ""
	// h is the upgrade's writer until onConnect takes from it lc, the
	// hijacked connection: the session does not keep the writer.
	h  *handoff
	lc *lingerConn
	ss *melody.Session
	// limiter and strikes are made when first needed (allow): a quiet
	// socket, which says hello and then listens, never needs them.
	// first is when the first message came, before limiter existed.
	limiter *rate.Limiter
	strikes *rate.Limiter
	first   time.Time
	member  *room.Member
	player  string // set once the player holds a connection slot
	hello   *time.Timer
	helloed atomic.Bool
	closing atomic.Bool // the server queued a close: ignore what follows
	// killed is set when the send buffer overflowed: what the room sends
	// from then on is dropped, and the close frame 4004 is queued behind
	// what is already queued (onSent).
	killed    atomic.Bool
	tooSlow   bool        // the 4004 close frame is queued; only onSent uses it
	refused   atomic.Bool // the buffer refused a frame after the kill
	killTimer atomic.Pointer[time.Timer]
}

// Send implements room.Conn. It never blocks: a full buffer makes melody
// report ErrMessageBufferFull, and onError then closes the session.
// Nothing is sent after that: the client resyncs once it reconnects.
func (c *wsConn) Send(frame []byte) {
	if !c.killed.Load() {
		c.ss.Write(frame)
	}
}

// Close implements room.Conn. Only the first close counts. A ban is said
// in words first: an error banned, then close 4003.
func (c *wsConn) Close(code int, reason string) {
	if c.closing.CompareAndSwap(false, true) {
		if code == room.CloseBanned {
			c.sendError("banned", "you are banned", nil)
		}
		c.ss.CloseWithMsg(melody.FormatCloseMessage(code, reason))
	}
}

// kill closes a session whose send buffer is full, with 4004. A client
// that does not keep up may still read: it must then find the close frame
// after complete frames, not a frame cut in the middle. So the frames
// already queued stay, nothing more is queued, and the close frame goes
// behind them as soon as the writer takes one (onSent). A client that
// reads none of it within --ws-write-wait is cut: its frame in progress
// times out, or else the timer closes the socket.
func (c *wsConn) kill() {
	if !c.killed.CompareAndSwap(false, true) {
		return
	}
	c.closing.Store(true)
	c.srv.log.Warn("server: closing a session that does not keep up", "ip", c.ss.Request.RemoteAddr)
	c.srv.metrics.slowClosed.Inc()
	ws := c.ss.WebsocketConnection()
	c.killTimer.Store(time.AfterFunc(c.srv.cfg.WS.WriteWait, func() { ws.Close() }))
}

func (c *wsConn) send(v any) {
	b, _ := json.Marshal(v)
	c.Send(b)
}

type errorFrame struct {
	Type    string          `json:"type"`
	Code    string          `json:"code"`
	Message string          `json:"message"`
	ID      json.RawMessage `json:"id,omitempty"`
}

func (c *wsConn) sendError(code, message string, id json.RawMessage) {
	c.send(errorFrame{Type: "error", Code: code, Message: message, ID: id})
}

func (s *Server) onConnect(ss *melody.Session) {
	c := conn(ss)
	c.ss = ss
	c.lc, c.h = c.h.conn, nil
	ss.Request = trimRequest(ss.Request)
	c.hello = time.AfterFunc(s.cfg.WS.HelloTimeout, func() {
		if !c.helloed.Load() {
			c.Close(ClosePolicy, "no hello in time")
		}
	})
}

func (s *Server) onError(ss *melody.Session, err error) {
	if errors.Is(err, melody.ErrMessageBufferFull) {
		c := conn(ss)
		if c.killed.Load() {
			c.refused.Store(true)
		}
		c.kill()
	}
}

// onSent runs on the session's writer after each frame it wrote. Once the
// session is killed it offers the close frame to the buffer until the
// buffer takes it: nothing else is queued then, so it goes behind the
// frames already there, as soon as the writer has taken one of them out.
// (melody reports a refused frame through onError, on this goroutine.)
func (s *Server) onSent(ss *melody.Session, _ []byte) {
	c := conn(ss)
	if !c.killed.Load() || c.tooSlow {
		return
	}
	c.refused.Store(false)
	ss.CloseWithMsg(melody.FormatCloseMessage(CloseTooSlow, "too slow"))
	c.tooSlow = !c.refused.Load()
}

func (s *Server) onDisconnect(ss *melody.Session) {
	c := conn(ss)
	if c.hello != nil {
		c.hello.Stop()
	}
	if t := c.killTimer.Load(); t != nil {
		t.Stop()
	}
	if c.member != nil {
		c.member.Disconnect()
	}
	if c.player != "" {
		s.conns.releasePlayer(c.player)
	}
}

func (s *Server) onMessage(ss *melody.Session, data []byte) {
	c := conn(ss)
	// What a client sends after the server's close frame is not acted on;
	// frames already buffered when the socket stopped reading neither.
	if c.closing.Load() || c.lc.closing.Load() {
		return
	}
	if !c.helloed.Load() {
		// Until the hello is done, each message is handled on a goroutine
		// of its own, which ends with it. The read goroutine lives as long
		// as the socket, and its stack keeps the largest size it ever grew
		// to until the GC can shrink it, which it cannot below four times
		// what a parked read uses. Decoding the hello and running it (the
		// token, the join, the welcome's snapshot) are the deepest calls
		// a session makes; done here, a quiet socket's reader keeps the
		// small stack its read needs (docs/benchmarks.md).
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.handle(c, data)
		}()
		<-done
		return
	}
	s.handle(c, data)
}

// handle runs one message of a session, on its read goroutine or, before
// the hello, on one of its own (onMessage); never two at once.
func (s *Server) handle(c *wsConn, data []byte) {
	if !c.allow() {
		s.metrics.rateLimited.WithLabelValues("ws").Inc()
		if c.strikes == nil {
			c.strikes = rate.NewLimiter(rateStrikeRefillHz, maxRateStrikes)
		}
		if !c.strikes.Allow() {
			c.Close(ClosePolicy, "message rate limit")
			return
		}
		c.sendError("rate_limited", "too many messages: slow down", droppedMoveID(data))
		return
	}
	// gorilla does not check that text frames are UTF-8; RFC 6455 says to
	// close with 1007.
	if !utf8.Valid(data) {
		c.Close(CloseInvalidUTF8, "invalid UTF-8")
		return
	}
	m, err := decodeMessage(data)
	if err != nil {
		c.sendError("bad_message", strings.TrimPrefix(err.Error(), "bad message: "), nil)
		return
	}
	switch {
	case m.Type == "ping":
		c.send(map[string]any{"type": "pong", "t": nullIfEmpty(m.T)})
	case m.Type == "hello":
		s.hello(c, m)
	case c.member == nil:
		c.sendError("bad_message", "send hello first", nil)
	default:
		s.act(c, m)
	}
}

// allow takes a token of the session's message rate. The limiter is made
// at the second message, and charged for the first at the time it came:
// the same decisions as a limiter made at connect, which starts full.
func (c *wsConn) allow() bool { return c.allowAt(time.Now()) }

func (c *wsConn) allowAt(now time.Time) bool {
	if c.limiter == nil {
		if c.first.IsZero() && c.srv.cfg.WS.Burst >= 1 {
			c.first = now
			return true // a full bucket takes any first message
		}
		c.limiter = rate.NewLimiter(rate.Limit(c.srv.cfg.WS.Rate), c.srv.cfg.WS.Burst)
		c.limiter.AllowN(c.first, 1)
	}
	return c.limiter.AllowN(now, 1)
}

// droppedMoveID is the move id of a dig the rate limit drops, so that the
// client learns which one it was, as with any refused dig; nil for anything
// else. Decoding a frame of at most --ws-max-message bytes costs little
// next to what the limit spares: the room, the store and the broadcast.
func droppedMoveID(data []byte) json.RawMessage {
	if !utf8.Valid(data) { // an id must not echo invalid text
		return nil
	}
	m, err := decodeMessage(data)
	if err != nil || m.Type != "dig" {
		return nil
	}
	return m.ID
}

func nullIfEmpty(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// hello authenticates the connection and puts it in its room.
func (s *Server) hello(c *wsConn, m clientMsg) {
	if c.member != nil {
		c.sendError("bad_message", "already in a room: open a new connection for another", nil)
		return
	}
	// Before the room is looked up: whether it exists is what a guesser
	// wants to learn.
	if blocked, warn := s.guesses.blocked(c.ip, time.Now()); blocked {
		if warn {
			s.log.Warn("server: refusing hellos from an address that asked for too many unknown rooms", "ip", c.ip)
		}
		s.metrics.rateLimited.WithLabelValues("hello").Inc()
		c.sendError("rate_limited", "too many hellos for unknown rooms from your address: try again in a minute", nil)
		c.Close(ClosePolicy, "too many unknown rooms")
		return
	}
	ctx, cancel := context.WithTimeout(c.ss.Request.Context(), 10*time.Second)
	defer cancel()
	p, err := s.identity.Authenticate(ctx, m.Token)
	if errors.Is(err, ErrBanned) {
		c.Close(room.CloseBanned, "banned")
		return
	}
	if err != nil {
		if !errors.Is(err, ErrBadToken) {
			s.log.Error("server: hello", "err", err)
			c.sendError("unavailable", "cannot check the token now", nil)
			return
		}
		c.sendError("unauthorized", "bad token", nil)
		return
	}
	if s.bans != nil && !p.Bot {
		// What a ban of this player will cover: this browser, this address.
		if err := s.bans.SeenPlayer(ctx, p.ID, c.device, c.ip); err != nil {
			s.log.Warn("server: record where a player came from", "err", err)
		}
	}
	if c.player != p.ID {
		if !s.conns.acquirePlayer(p.ID, s.cfg.Limits.MaxConnsPerPlayer) {
			s.metrics.refused.WithLabelValues("player").Inc()
			c.sendError("too_many_connections", fmt.Sprintf("a player may hold %d connections at once", s.cfg.Limits.MaxConnsPerPlayer), nil)
			c.Close(ClosePolicy, "too many connections for this player")
			return
		}
		if c.player != "" {
			s.conns.releasePlayer(c.player)
		}
		c.player = p.ID
	}
	mem, err := s.rooms.Join(ctx, m.Room, p, room.Role(m.As), c)
	if errors.Is(err, room.ErrUnknownRoom) && s.cfg.Cluster != nil {
		var w where
		if w, err = s.locate(ctx, m.Room); err == nil {
			if w.here {
				mem, err = s.rooms.Join(ctx, m.Room, p, room.Role(m.As), c)
			} else {
				// The connection stays usable, as after any error; the
				// client opens a new one at the owner.
				c.send(wrongNodeFrame{Type: "error", Code: "wrong_node", Node: w.loc.Node, WSURL: wsURLOf(w.loc.URL),
					Message: "room " + w.loc.Room + " is served by node " + w.loc.Node + ": connect to ws_url"})
				return
			}
		}
	}
	if err != nil {
		if errors.Is(err, room.ErrUnknownRoom) {
			s.guesses.fail(c.ip, time.Now())
		}
		s.sendErr(c, err, nil)
		return
	}
	c.member = mem
	c.helloed.Store(true)
	c.hello.Stop()
	c.hello = nil // its timer and closure go; onDisconnect runs after this, on the read goroutine
}

// act runs a room action for a member that said hello.
func (s *Server) act(c *wsConn, m clientMsg) {
	var err error
	switch m.Type {
	case "dig":
		err = c.member.Dig(*m.Row, *m.Col, m.ID)
	case "start":
		err = c.member.Start()
	case "leave":
		err = c.member.Leave()
	case "rematch":
		err = c.member.Rematch()
	case "chat":
		err = c.member.Chat(*m.Text)
	case "resync":
		err = c.member.Resync()
	}
	if err != nil {
		s.sendErr(c, err, m.ID)
	}
}

func (s *Server) sendErr(c *wsConn, err error, id json.RawMessage) {
	code, status, msg := classify(err)
	if status >= 500 && code == "internal" {
		s.log.Error("server: ws action failed", "err", err)
	}
	c.sendError(code, msg, id)
}
