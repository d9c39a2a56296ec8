package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/olahol/melody"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
	"github.com/goldmine-game/goldmine/static"
)

// Rooms is what the server needs from the live rooms.
type Rooms interface {
	Create(ctx context.Context, creator room.Player, opts room.Options) (room.Snapshot, error)
	Snapshot(id string) (room.Snapshot, error)
	List(f room.Filter) []room.Summary
	Join(ctx context.Context, id string, p room.Player, role room.Role, c room.Conn) (*room.Member, error)
	Stats() room.Stats
}

// Store is what the server needs from persistence.
type Store interface {
	PlayerStore
	CreatePlayer(ctx context.Context, name string, bot bool) (domain.Player, error)
	RenamePlayer(ctx context.Context, id, name string) (domain.Player, error)
	Games(ctx context.Context, f domain.GamesFilter) ([]room.GameRecord, error)
	Game(ctx context.Context, id int64) (domain.Game, error)
	Leaderboard(ctx context.Context, period string, limit int) ([]domain.LeaderboardEntry, error)
	RatingStore
}

// Config configures a Server. Zero limits take the defaults below.
type Config struct {
	Rooms  Rooms
	Store  Store
	Tokens *Tokens
	// Identity authenticates hellos and Bearer tokens; nil means Tokens.
	Identity Identity
	Log      *slog.Logger
	// AllowedOrigins are the browser origins allowed to open /ws besides
	// the server's own; "*" allows any. Requests without an Origin header
	// (mini-programs, native clients) are always allowed.
	AllowedOrigins []string
	WS             WSConfig
	Limits         Limits
	// Metrics, if nil, are made by New.
	Metrics *Metrics
	// MetricsToken, when set, serves /metrics to requests bearing it. When
	// empty, /metrics is not on this handler (see MetricsHandler).
	MetricsToken string
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For is believed. None by default: gin would trust all.
	TrustedProxies []string
	// Assets, if set, are served at /static/, the web client at / and
	// /r/{id}, and the SDK at /sdk/goldmine.js.
	Assets *static.Assets
	// WeChat configures WeChat mini-program login; WeChatStore backs it.
	WeChat      WeChat
	WeChatStore WeChatStore
	// Bots seats bots in rooms; nil answers POST /api/rooms/{id}/bots with
	// 501 not_configured.
	Bots Bots
	// Prefix is the path everything is served under: "" for the root, or
	// "/game" to serve /game/api/..., /game/ws and so on. It starts with a
	// slash and does not end with one.
	Prefix string
	// Presets are the presets rooms may be created from; nil means the
	// built-in ones.
	Presets *game.Catalog
	// PageToken, when set, signs the web client's user in: it returns the
	// token of the player the page request comes from (by the host's own
	// session cookie, say), or "". The page then carries that token, so it
	// is rendered for each request and never cached. Set with Identity.
	PageToken func(r *http.Request) string
	// Cluster, when set, makes this node one of several sharing a
	// PostgreSQL database (docs/scaling.md): the API answers for every
	// node's rooms, and a hello for another node's room gets wrong_node.
	Cluster Cluster
	// Bans keeps banned players from coming back as new ones; nil means
	// Store, when it has the methods (a *store.Store does).
	Bans BanStore
	// AdvertiseURL is this node's public base URL (with the prefix, if
	// any), which ws_url is made from. Empty: the URL each request came to.
	AdvertiseURL string
	// FrameAncestors are the CSP sources allowed to show the pages in a
	// frame, separated by spaces; empty means DefaultFrameAncestors
	// ('self'). A host embedding the client in its own pages names itself.
	FrameAncestors string
	// Match is quick match (POST /api/match); nil answers 501.
	Match Matcher
}

// Bots seats bots in waiting rooms; package bots implements it.
type Bots interface {
	Add(ctx context.Context, roomID string, level solver.Level) (room.Player, error)
}

// WSConfig holds the WebSocket limits.
type WSConfig struct {
	MaxMessage   int64         // bytes; larger frames get close 1009
	PingPeriod   time.Duration // how often the server pings
	PongWait     time.Duration // how long a silent client is kept
	WriteWait    time.Duration // how long one write may take
	Buffer       int           // frames queued per session before it counts as slow
	HelloTimeout time.Duration // how long a connection may stay without a hello
	Rate         float64       // messages per second per session, sustained
	Burst        int           // messages per session in a burst
	// Linger is how long a closed socket keeps reading (and dropping) what
	// the client still sends, so that the close frame reaches it instead
	// of being lost to a reset; see lingerConn.
	Linger time.Duration
	// UnknownRoomRate and UnknownRoomBurst limit the hellos for rooms that
	// do not exist, per client address: UnknownRoomBurst of them, refilled
	// at UnknownRoomRate a minute. Past that the address's hellos are
	// refused with rate_limited and close 1008 (guessLimiter).
	UnknownRoomRate  float64
	UnknownRoomBurst int
}

// WebSocket defaults. The rate allows twice what protocol v1 promises
// (10/s, bursts of 20), so that a client at the promised rate never sees
// rate_limited.
const (
	DefaultMaxMessage   = 4096
	DefaultPingPeriod   = 25 * time.Second
	DefaultPongWait     = 60 * time.Second
	DefaultWriteWait    = 5 * time.Second
	DefaultBuffer       = 64
	DefaultHelloTimeout = 10 * time.Second
	DefaultRate         = 20
	DefaultBurst        = 40
	DefaultLinger       = 2 * time.Second
	// A player mistypes a code or opens a stale link now and then; 20
	// such hellos at once, and one every 3 s after, leave a school or a
	// carrier NAT plenty, while a script trying private room ids gets 20
	// a minute instead of 1,400 a second.
	DefaultUnknownRoomRate  = 20 // a minute
	DefaultUnknownRoomBurst = 20
)

func (c *WSConfig) defaults() {
	c.MaxMessage = cmp.Or(c.MaxMessage, DefaultMaxMessage)
	c.PingPeriod = cmp.Or(c.PingPeriod, DefaultPingPeriod)
	c.PongWait = cmp.Or(c.PongWait, DefaultPongWait)
	c.WriteWait = cmp.Or(c.WriteWait, DefaultWriteWait)
	c.Buffer = cmp.Or(c.Buffer, DefaultBuffer)
	c.HelloTimeout = cmp.Or(c.HelloTimeout, DefaultHelloTimeout)
	c.Rate = cmp.Or(c.Rate, DefaultRate)
	c.Burst = cmp.Or(c.Burst, DefaultBurst)
	c.Linger = cmp.Or(c.Linger, DefaultLinger)
	c.UnknownRoomRate = cmp.Or(c.UnknownRoomRate, DefaultUnknownRoomRate)
	c.UnknownRoomBurst = cmp.Or(c.UnknownRoomBurst, DefaultUnknownRoomBurst)
}

// Server is the HTTP and WebSocket front of Goldmine.
type Server struct {
	cfg        Config
	log        *slog.Logger
	rooms      Rooms
	store      Store
	tokens     *Tokens
	identity   Identity
	bans       BanStore // nil: no checks beyond the player's own ban
	engine     *gin.Engine
	handler    http.Handler     // the engine behind the guard (guard.go)
	router     *gin.RouterGroup // the engine under Config.Prefix
	ws         *melody.Melody
	sessions   sync.WaitGroup
	metrics    *Metrics
	conns      *counter
	apiLimiter *ipLimiter
	// playerLimiter limits the API calls of signed-in players, by player.
	playerLimiter *ipLimiter
	guesses       *guessLimiter
}

// New builds a Server and its routes. It fails only on a bad trusted
// proxy.
func New(cfg Config) (*Server, error) {
	cfg.WS.defaults()
	cfg.Limits.defaults()
	s := &Server{
		cfg:           cfg,
		log:           cmp.Or(cfg.Log, slog.Default()),
		rooms:         cfg.Rooms,
		store:         cfg.Store,
		tokens:        cfg.Tokens,
		identity:      cfg.Identity,
		metrics:       cfg.Metrics,
		conns:         newCounter(),
		apiLimiter:    newIPLimiter(cfg.Limits.APIRate, cfg.Limits.APIBurst),
		playerLimiter: newIPLimiter(cfg.Limits.PlayerAPIRate, cfg.Limits.PlayerAPIBurst),
		guesses:       newGuessLimiter(cfg.WS.UnknownRoomRate, cfg.WS.UnknownRoomBurst),
	}
	if s.identity == nil {
		s.identity = cfg.Tokens
	}
	s.bans = cfg.Bans
	if b, ok := cfg.Store.(BanStore); ok && s.bans == nil {
		s.bans = b
	}
	if s.cfg.Presets == nil {
		s.cfg.Presets, _ = game.NewCatalog()
	}
	if p := cfg.Prefix; p != "" && (!strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/")) {
		return nil, fmt.Errorf("server: prefix %q: want \"\" or a path like /game", p)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.registerGauges()
	s.ws = s.newMelody()
	var err error
	if s.engine, err = s.routes(); err != nil {
		return nil, err
	}
	if s.handler, err = s.newGuard(s.engine); err != nil {
		return nil, err
	}
	return s, nil
}

// registerGauges adds the metrics read from live state at scrape time.
func (s *Server) registerGauges() {
	reg := s.metrics.reg
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_ws_connections",
		Help: "Open WebSocket sessions."}, func() float64 { return float64(s.ws.Len()) }))
	for _, st := range []room.Status{room.Waiting, room.Playing, room.Finished} {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_rooms",
			Help: "Live rooms by status.", ConstLabels: prometheus.Labels{"status": string(st)}},
			func() float64 { return float64(s.rooms.Stats().Rooms[st]) }))
	}
}

// Metrics returns the server's metrics.
func (s *Server) Metrics() *Metrics { return s.metrics }

// MetricsHandler serves /metrics without authentication, for a listener of
// its own (--metrics-addr) that only the monitoring network reaches.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// Handler returns the server's HTTP handler, with the security headers,
// the body limits and deadlines of guard.go around every route.
func (s *Server) Handler() http.Handler { return s.handler }

// Engine returns the gin engine, so that other parts (the admin console)
// can add their routes to it.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Router returns the route group under the server's prefix, where other
// parts (the admin console) add their routes.
func (s *Server) Router() *gin.RouterGroup { return s.router }

// CloseSessions closes every WebSocket with code and reason, then waits,
// until ctx is done, for their handlers to finish. http.Server.Shutdown does
// not do this: it leaves hijacked connections alone.
func (s *Server) CloseSessions(ctx context.Context, code int, reason string) error {
	s.ws.CloseWithMsg(melody.FormatCloseMessage(code, reason))
	done := make(chan struct{})
	go func() {
		s.sessions.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sessions returns the number of open WebSocket sessions.
func (s *Server) Sessions() int { return s.ws.Len() }

// DefaultReadHeaderTimeout is how long a client may take to send its
// request headers. It cuts slowloris clients, which hold a connection open
// by sending headers a byte at a time.
const DefaultReadHeaderTimeout = 5 * time.Second

// DefaultIdleTimeout is how long a keep-alive connection may wait for its
// next request. A page polling every 3 s keeps its connection; an idle
// one gives its descriptor back within a minute.
const DefaultIdleTimeout = 60 * time.Second

// Timeouts are the read deadlines of an http.Server: the body's own is set
// per request by the handler (Limits.BodyTimeout), since http.Server's
// ReadTimeout would also cut the console's long-lived streams.
type Timeouts struct {
	ReadHeader time.Duration // zero: DefaultReadHeaderTimeout
	Idle       time.Duration // zero: DefaultIdleTimeout
}

// HTTPServer returns an http.Server for the handler with the timeouts that
// gin's Run leaves unset: slow or idle clients must not hold connections.
func HTTPServer(addr string, h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: cmp.Or(t.ReadHeader, DefaultReadHeaderTimeout),
		IdleTimeout:       cmp.Or(t.Idle, DefaultIdleTimeout),
		MaxHeaderBytes:    16 << 10,
	}
}
