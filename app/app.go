// Package app is Goldmine as a library: the whole game server (rooms,
// protocol v1 over WebSocket, the JSON API, the SQLite store, the bots,
// the admin console and the web client) behind one http.Handler, for a Go
// program to mount in its own process.
//
//	gm, err := app.New(app.Config{DB: "game.db", Prefix: "/game"})
//	if err != nil { ... }
//	defer gm.Close(context.Background())
//	gm.OnGameOver(...) // hooks go between New and Start
//	if err := gm.Start(ctx); err != nil { ... }
//	mux.Handle("/game/", gm.Handler())
//
// The goldmine binary is the first host of this package: it adds flags,
// TLS and listeners, and nothing a host could not do too. docs/embedding.md
// describes the API, the hooks' guarantees and the identity contract.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goldmine-game/goldmine/admin"
	"github.com/goldmine-game/goldmine/bots"
	"github.com/goldmine-game/goldmine/cluster"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/match"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/static"
	"github.com/goldmine-game/goldmine/store"
)

// Config configures a Server. Only DB is required; every zero value takes
// the default the goldmine binary documents for its flag, from the same
// constants (room.DefaultMaxRooms, server.DefaultRate...). Where the
// binary's flag takes 0 for "no limit", the field takes a negative value
// (RoomConfig); DBMaxBytes is 0 for no cap in both.
type Config struct {
	// DB is the SQLite file, created if missing, or a postgres:// URL of a
	// PostgreSQL database (docs/scaling.md).
	DB string
	// Sync is "full" (the default: every commit is fsynced) or "normal".
	Sync string
	// DBMaxBytes caps the database file; 0 means no cap.
	DBMaxBytes int64
	// Prefix is the path Goldmine is mounted under: "" for the root, or a
	// path such as "/game" (with a leading slash, without a trailing one).
	// The API, /ws, the console, the web client and the static files all
	// move under it.
	Prefix string
	// Log receives Goldmine's logs; nil means slog.Default().
	Log *slog.Logger

	// Identity, when set, signs players in with the host's own credentials
	// instead of Goldmine's tokens; see Identity.
	Identity Identity
	// Presets are added to the built-in presets (classic, flags, party).
	// Each is named by its Preset field and validated like any rules.
	Presets []game.Rules

	// AdminPassword is the console's password. Empty means the one stored
	// in the database, or, with none, a one-time setup link in the log.
	AdminPassword string
	// AllowedOrigins are browser origins, besides the host's own, allowed
	// to open the WebSocket; "*" allows any.
	AllowedOrigins []string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed, as addresses or CIDRs.
	TrustedProxies []string
	// MetricsToken, when set, serves Prometheus metrics at Prefix+"/metrics"
	// to requests bearing it. MetricsHandler serves them without a token.
	MetricsToken string
	// WeChat configures WeChat mini-program login (not with Identity).
	WeChat server.WeChat
	// FrameAncestors are the CSP sources allowed to show Goldmine's pages
	// in a frame, separated by spaces (default 'self'). A host that shows
	// the web client in a frame of a page on another origin names that
	// origin here, e.g. "'self' https://www.example.com".
	FrameAncestors string

	// WS and Limits are the WebSocket settings and the server's limits.
	WS     server.WSConfig
	Limits server.Limits
	// Rooms are the rooms' timers and limits.
	Rooms RoomConfig
	// BotDelay is a bot's mean pause before it acts.
	BotDelay time.Duration
	// HookQueue is how many hook events may wait at once (default 1024);
	// beyond it, new ones are dropped and counted. HookTimeout bounds each
	// hook call's context (default 30 s).
	HookQueue   int
	HookTimeout time.Duration

	// Node, AdvertiseURL and Lease place this node in a cluster of nodes
	// sharing a PostgreSQL DB (docs/scaling.md); SQLite ignores them.
	// Node is unique per node and kept across restarts (default "node");
	// AdvertiseURL is the public base URL clients and other nodes reach
	// this node at, prefix included; Lease is how long the node's hold on
	// its rooms lasts without a renewal (default 10 s).
	Node         string
	AdvertiseURL string
	Lease        time.Duration

	// Backups schedules backups of a SQLite DB (none by default).
	Backups BackupConfig

	// PublicURL is the base URL people reach this server at, prefix
	// included, for the links it logs (the admin setup link). Default
	// AdvertiseURL; with neither, a bare path is logged.
	PublicURL string

	// MatchBotAfter is how long a quick-match player waits before a bot
	// takes the other seat (default match.DefaultBotAfter).
	MatchBotAfter time.Duration
}

// RoomConfig are the rooms' timers and limits; zero values take the
// defaults of package room, which the goldmine binary's flags use too.
type RoomConfig struct {
	Grace         time.Duration // a disconnected player keeps their seat this long
	AbsentSkip    time.Duration // the longest turn of a disconnected player
	IdleTimeout   time.Duration // a room nobody is connected to closes after this
	MaxSpectators int
	// MaxRooms caps the live rooms in all: 0 takes room.DefaultMaxRooms,
	// a negative value means no cap.
	MaxRooms int
	// MaxRoomsPerPlayer caps the live rooms one player created: 0 takes
	// room.DefaultMaxRoomsPerPlayer, a negative value means no cap.
	MaxRoomsPerPlayer int
	// ChatRate is the chat lines per second one room takes, and ChatBurst
	// how many at once: 0 takes room.DefaultChatRate and
	// room.DefaultChatBurst, a negative ChatRate means no limit.
	ChatRate  float64
	ChatBurst int
}

// roomLimit is a RoomConfig cap as package room takes it: 0 is the shared
// default, a negative value no cap (room's 0).
func roomLimit(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// Server is a Goldmine: New builds it with its database open, Start runs
// it, Close stops it. See New and Start for what runs when.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   *store.Store
	rooms   *room.Manager
	bots    *bots.Manager
	srv     *server.Server
	console *admin.Admin
	hooks   *hooks
	handler http.Handler // srv's, behind the gate that answers 503 until Start
	closed  chan struct{}
	// cluster runs while clustered, from Start until stopCluster;
	// clusterDone closes when it has.
	cluster     *cluster.Node
	stopCluster context.CancelFunc
	clusterDone chan struct{}
	backups     *scheduledBackups // nil without BackupConfig.Dir
	match       *match.Service

	mu      sync.Mutex // held through Start; orders Start before Close
	started bool       // under mu: Start was called
	serving atomic.Bool
}

// New builds a Goldmine on cfg: it opens (or creates) and migrates the
// database and builds every part and the handler, and runs nothing. Until
// Start, no room is recovered and no timer, bot, hook, quick-match round,
// cluster lease or backup schedule runs, and the handler answers 503. Only
// the store's own writer, pruner and checkpointer run, as long as the
// database is open: New writes through the writer (the token secret, the
// admin setup link).
//
// Register the hooks between New and Start: no event is lost. Close
// undoes New, whether Start was called or not.
func New(cfg Config) (_ *Server, err error) {
	if cfg.DB == "" {
		return nil, errors.New("app: Config.DB is required")
	}
	catalog, err := game.NewCatalog(cfg.Presets...)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	ctx := context.Background()
	s := &Server{cfg: cfg, log: cmp.Or(cfg.Log, slog.Default()), closed: make(chan struct{})}
	metrics := server.NewMetrics()
	s.store, err = store.Open(ctx, store.Options{Path: cfg.DB, Sync: cfg.Sync, MaxBytes: cfg.DBMaxBytes, Log: s.log,
		OnCommit: metrics.ObserveCommit, Node: cfg.Node, URL: cfg.AdvertiseURL, Lease: cfg.Lease})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.closeParts(ctx) // what was built, in Close's order
		}
	}()
	s.hooks = newHooks(s.store, s.log, metrics, cfg.HookQueue, cfg.HookTimeout)
	s.buildRooms(catalog, metrics)
	if s.store.Clustered() {
		s.buildCluster(metrics)
	}
	assets, err := static.New(cfg.Prefix + "/static/")
	if err != nil {
		return nil, err
	}
	if err := s.buildServer(ctx, catalog, assets, metrics); err != nil {
		return nil, err
	}
	registerOpsMetrics(metrics.Registry(), s.store, cfg.DB, store.IsPostgres(cfg.DB))
	if s.backups, err = newBackups(cfg.Backups, s.store, store.IsPostgres(cfg.DB), metrics.Registry(), s); err != nil {
		return nil, err
	}
	if err := s.buildConsole(ctx, assets); err != nil {
		return nil, err
	}
	s.handler = s.gate(s.srv.Handler())
	return s, nil
}

// buildRooms builds the rooms and the bots: the rooms ask the bots for
// substitutes, and the bots join rooms.
func (s *Server) buildRooms(catalog *game.Catalog, metrics *server.Metrics) {
	r := s.cfg.Rooms
	s.rooms = room.NewManager(room.Config{
		Store: s.store, Log: s.log, Grace: r.Grace, AbsentSkip: r.AbsentSkip, IdleTimeout: r.IdleTimeout,
		MaxSpectators: r.MaxSpectators, MaxRooms: roomLimit(r.MaxRooms, room.DefaultMaxRooms),
		MaxRoomsPerPlayer: roomLimit(r.MaxRoomsPerPlayer, room.DefaultMaxRoomsPerPlayer),
		ChatRate:          r.ChatRate, ChatBurst: r.ChatBurst,
		OnDig: metrics.ObserveMove,
		OnGameOver: func(g room.GameRecord) {
			metrics.ObserveGame(g)
			s.hooks.gameOver(g)
		},
		OnNotice:   s.hooks.notice,
		Presets:    catalog,
		Substitute: func(level string) (room.Player, room.BotConn, error) { return s.bots.Substitute(level) },
	})
	s.bots = bots.New(bots.Config{Rooms: s.rooms, Players: s.store, Log: s.log, Delay: s.cfg.BotDelay})
}

// buildCluster builds this node's part of the cluster; it runs from Start.
func (s *Server) buildCluster(metrics *server.Metrics) {
	var restoring sync.Mutex // one node's adoptions seat their bots one at a time
	s.cluster = cluster.New(cluster.Config{Store: s.store, Rooms: s.rooms, Log: s.log,
		OnAdopt: func(int) {
			restoring.Lock()
			defer restoring.Unlock()
			if err := s.bots.Restore(context.Background()); err != nil {
				s.log.Warn("app: some bots could not take their seats in adopted rooms", "err", err)
			}
		}})
	for _, c := range s.cluster.Collectors() {
		metrics.Registry().MustRegister(c)
	}
}

// buildServer builds the HTTP API and the WebSocket endpoint, and quick
// match, which makes rooms through the server (StartMatch) while the
// server answers its requests: built in that order, tied by the closures.
func (s *Server) buildServer(ctx context.Context, catalog *game.Catalog, assets *static.Assets, metrics *server.Metrics) error {
	cfg := s.cfg
	secret, err := s.store.Secret(ctx, "tokens", 32)
	if err != nil {
		return err
	}
	tokens, err := server.NewTokens(secret, s.store)
	if err != nil {
		return err
	}
	scfg := server.Config{
		Rooms: s.rooms, Store: s.store, Tokens: tokens, Log: s.log,
		AllowedOrigins: cfg.AllowedOrigins, TrustedProxies: cfg.TrustedProxies, Assets: assets,
		WeChat: cfg.WeChat, WeChatStore: s.store, Bots: s.bots, Metrics: metrics, MetricsToken: cfg.MetricsToken,
		WS: cfg.WS, Limits: cfg.Limits, Prefix: cfg.Prefix, Presets: catalog,
		AdvertiseURL: cfg.AdvertiseURL, FrameAncestors: cfg.FrameAncestors,
	}
	if cfg.Identity != nil {
		scfg.Identity = hostIdentity{host: cfg.Identity, store: s.store}
		if b, ok := cfg.Identity.(BrowserIdentity); ok {
			scfg.PageToken = b.TokenFor
		}
	}
	if s.cluster != nil {
		scfg.Cluster = s.cluster
	}
	var srv *server.Server
	s.match = match.New(match.Config{
		Queue: s.matchQueue(),
		Rules: match.Rules{BotAfter: cfg.MatchBotAfter, MaxPlayers: func(preset string) int {
			r, _ := catalog.Preset(preset)
			return r.MaxPlayers
		}},
		Start: func(ctx context.Context, m match.Match) (match.Placed, error) { return srv.StartMatch(ctx, m) },
		Open:  func(p match.Placed) bool { return srv.MatchOpen(p) },
		Log:   s.log,
	})
	scfg.Match = s.match
	if s.srv, err = server.New(scfg); err != nil {
		return err
	}
	srv = s.srv
	return nil
}

// buildConsole builds the admin console and adds its routes to the server.
func (s *Server) buildConsole(ctx context.Context, assets *static.Assets) error {
	cfg := s.cfg
	acfg := admin.Config{Rooms: s.rooms, Store: s.store, Assets: assets, Bots: s.bots,
		Sessions: s.srv.Sessions, Password: cfg.AdminPassword, Log: s.log, Prefix: cfg.Prefix,
		BaseURL: strings.TrimSuffix(strings.TrimSuffix(cmp.Or(cfg.PublicURL, cfg.AdvertiseURL), "/"), cfg.Prefix)}
	if s.backups != nil {
		acfg.Backups = s.backups
	}
	if s.cluster != nil {
		var err error
		if acfg.NodeKey, err = s.store.Secret(ctx, "nodes", 32); err != nil {
			return err
		}
		acfg.Cluster = s.cluster
	}
	console, err := admin.New(ctx, acfg)
	if err != nil {
		return err
	}
	s.console = console
	s.console.Register(s.srv.Router())
	return nil
}

// gate answers 503, as a server that is starting, until Start has run:
// before it the rooms are not recovered, and a client would be told that
// its room does not exist.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.serving.Load() {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"unavailable","message":"Goldmine is starting: try again in a moment"}}`+"\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Start recovers the rooms that were live when the database was last
// closed (their timers run again, their bots take their seats; their
// players' clients reconnect into them) and starts the background work:
// the hooks, quick match's rounds, the cluster's lease and adoptions, and
// the backup schedule, which run until Close. ctx bounds the recovery
// only. From then on the handler serves.
//
// Start runs once: a second call, or one after Close, returns an error.
// When Start fails, what it started stops with Close.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.closed:
		return errors.New("app: Start after Close: the server is closed")
	default:
	}
	if s.started {
		return errors.New("app: Start called twice")
	}
	s.started = true
	s.hooks.start() // before the recovery: the recovered rooms' events queue for it
	n, err := s.rooms.Recover(ctx)
	if err != nil {
		return err
	}
	if err := s.bots.Restore(ctx); err != nil {
		s.log.Warn("app: some bots could not take their seats again", "err", err)
	}
	s.match.Start()
	s.backups.start()
	if s.cluster != nil {
		// The first round claims the rooms of nodes that died meanwhile.
		var cctx context.Context
		cctx, s.stopCluster = context.WithCancel(context.Background())
		s.clusterDone = make(chan struct{})
		go func() {
			defer close(s.clusterDone)
			s.cluster.Run(cctx)
		}()
	}
	s.serving.Store(true)
	s.log.Info("app: ready", "db", s.store.Path(), "prefix", s.cfg.Prefix, "rooms_recovered", n)
	return nil
}

// Database names the database in use: the SQLite file's path, or the
// PostgreSQL URL without its password.
func (s *Server) Database() string { return s.store.Path() }

// Handler serves everything under Config.Prefix: mount it there, e.g.
// mux.Handle("/game/", h). Requests outside the prefix get a JSON 404.
// Until Start, every request gets a JSON 503 with Retry-After: the
// handler can be mounted, and its listener opened, before Start.
func (s *Server) Handler() http.Handler { return s.handler }

// MetricsHandler serves the Prometheus metrics without authentication, for
// a listener that only the monitoring network reaches. It serves before
// Start too.
func (s *Server) MetricsHandler() http.Handler { return s.srv.MetricsHandler() }

// Drain ends the console's live streams (server-sent events) and quick
// match's long polls (which answer 202 at once), which would otherwise hold
// http.Server.Shutdown up for as long as an admin's browser stays or a
// poll lasts. Register it with the host's server, before serving:
//
//	hs.RegisterOnShutdown(gm.Drain)
func (s *Server) Drain() {
	s.console.Close()
	s.match.Close()
}

// Close shuts Goldmine down in order: the console's live streams end,
// every WebSocket is closed with 1001 "server restarting" (clients
// reconnect when the host is back, into the same games), the bots and the
// rooms' timers stop, the hooks still queued run until ctx is done, and
// the store's writer is flushed and the database closed. Stop the host's
// http.Server first, so that no new request comes in. Close works after
// New alone too, and is safe to call more than once; later calls return
// nil.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock() // a Start under way finishes first
	select {
	case <-s.closed:
		s.mu.Unlock()
		return nil
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	return s.closeParts(ctx)
}

// closeParts stops and closes every part that was built, in order; New
// calls it too, when it fails half-way.
func (s *Server) closeParts(ctx context.Context) error {
	if s.console != nil {
		s.console.Close()
	}
	if s.match != nil {
		s.match.Close()
	}
	if s.clusterDone != nil {
		// No adoption while this node stops; its lease ends with the
		// store, after the last write.
		s.stopCluster()
		<-s.clusterDone
	}
	var errs []error
	if s.srv != nil {
		if err := s.srv.CloseSessions(ctx, server.CloseGoingAway, "server restarting"); err != nil {
			errs = append(errs, fmt.Errorf("app: close websockets: %w", err))
		}
	}
	if s.bots != nil {
		s.bots.Close()
		s.rooms.Close()
	}
	s.backups.close() // a backup under way finishes before the store closes
	if s.hooks != nil {
		if err := s.hooks.close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("app: close store: %w", err))
	}
	return errors.Join(errs...)
}
