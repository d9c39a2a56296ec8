// Command goldmine serves Goldmine: a turn-based, multiplayer Minesweeper in
// which the hidden cells hold gold. One binary holds the game server, its
// SQLite store, the admin console and the web client.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/app"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole program, with its inputs passed in so that tests can
// call it. It returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	// gin's debug mode prints every route at start; the access log says
	// what matters. Only the program sets this global: a host embedding
	// goldmine/app chooses its own gin mode.
	gin.SetMode(gin.ReleaseMode)
	if len(args) > 0 {
		switch args[0] {
		case "version":
			return runVersion(args[1:], stdout, stderr)
		case "healthcheck":
			return runHealthcheck(ctx, args[1:], getenv, stdout, stderr)
		case "restore":
			return runRestore(ctx, args[1:], getenv, stdout, stderr)
		case "backup":
			return runBackup(ctx, args[1:], getenv, stdout, stderr)
		case "admin":
			return runAdmin(ctx, args[1:], getenv, os.Stdin, stdout, stderr)
		case "bench":
			return runBench(ctx, args[1:], stdout, stderr)
		case "duel":
			return runDuel(ctx, args[1:], stdout, stderr)
		case "ratings":
			return runRatings(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	var cfg config
	if err := cfg.parse("goldmine", args, getenv, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "goldmine:", err)
		return 2
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 2
	}
	if err := preflight(&cfg); err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 1
	}
	if err := serve(ctx, cfg, log); err != nil {
		log.Error("goldmine: stopped", "err", err)
		return 1
	}
	return 0
}

func newLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// serve builds every part, serves until ctx is done, and shuts down in
// order: stop accepting, finish requests, close the WebSockets with 1001,
// stop the rooms' timers, flush the store's writer and close the database.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	tlsSet, err := newTLS(cfg)
	if err != nil {
		return err
	}
	gm, err := app.New(appConfig(cfg, log))
	if err != nil {
		return err
	}
	// Closed last, after the listeners: see app.Server.Close.
	defer func() {
		if gm != nil {
			gm.Close(context.Background())
		}
	}()
	// The recovery finishes even if a signal comes meanwhile; then the
	// server stops without opening its ports (the deferred Close).
	if err := gm.Start(context.Background()); err != nil {
		return err
	}
	if ctx.Err() != nil {
		log.Info("goldmine: stopped during the start")
		return nil
	}
	ls, err := openListeners(cfg, gm, tlsSet, log)
	if err != nil {
		return err
	}
	errc := make(chan error, len(ls.servers))
	for i, hs := range ls.servers {
		ln := ls.listeners[i]
		if i == 0 && hs.TLSConfig != nil {
			ln = tls.NewListener(ln, hs.TLSConfig)
		}
		go func() { errc <- hs.Serve(ln) }()
	}
	logTLS(log, cfg, tlsSet)
	log.Info("goldmine: serving", "addr", ls.listeners[0].Addr().String(), "scheme", tlsSet.scheme(), "db", gm.Database())

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("goldmine: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	gm.Drain() // the console's live streams would hold Shutdown up
	for _, hs := range ls.servers {
		if err := hs.Shutdown(sctx); err != nil {
			log.Warn("goldmine: http shutdown", "addr", hs.Addr, "err", err)
		}
	}
	// WebSockets get 1001, the rooms stop, the writer is flushed and the
	// database closed.
	err = gm.Close(sctx)
	gm = nil
	if err != nil {
		return err
	}
	log.Info("goldmine: stopped cleanly")
	return nil
}

// appConfig is the app.Config of the binary's flags.
func appConfig(cfg config, log *slog.Logger) app.Config {
	return app.Config{
		DB: cfg.DB, Sync: cfg.Sync, DBMaxBytes: cfg.DBMaxMB << 20, Log: log,
		AdminPassword: cfg.AdminPassword, AllowedOrigins: list(cfg.AllowedOrigins), TrustedProxies: list(cfg.TrustedProxies),
		MetricsToken: cfg.MetricsToken,
		WeChat:       server.WeChat{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, APIBase: cfg.WeChatAPI},
		WS: server.WSConfig{Rate: cfg.WSRate, Burst: cfg.WSBurst, MaxMessage: cfg.WSMaxMessage, Buffer: cfg.WSBuffer,
			HelloTimeout: cfg.HelloTimeout, PingPeriod: cfg.WSPing, PongWait: cfg.WSPongWait, WriteWait: cfg.WSWriteWait,
			Linger: cfg.WSLinger, UnknownRoomRate: cfg.UnknownRoomRate, UnknownRoomBurst: cfg.UnknownRoomBurst},
		Limits: server.Limits{MaxConns: cfg.MaxConns, MaxConnsPerIP: cfg.MaxConnsPerIP, MaxConnsPerPlayer: cfg.MaxConnsPerPlayer,
			APIRate: cfg.APIRate, APIBurst: cfg.APIBurst, PlayerAPIRate: cfg.PlayerAPIRate, PlayerAPIBurst: cfg.PlayerAPIBurst,
			MaxBody: cfg.MaxBody, BodyTimeout: cfg.BodyTimeout},
		FrameAncestors: cfg.FrameAncestors,
		Rooms: app.RoomConfig{Grace: cfg.Grace, AbsentSkip: cfg.AbsentSkip, IdleTimeout: cfg.RoomIdle,
			MaxSpectators: cfg.MaxSpectators, MaxRooms: appCap(cfg.MaxRooms), MaxRoomsPerPlayer: appCap(cfg.MaxRoomsPerUser),
			ChatRate: appRate(cfg.ChatRate), ChatBurst: cfg.ChatBurst},
		BotDelay: cfg.BotDelay, MatchBotAfter: cfg.MatchBotAfter,
		Node: cfg.NodeID, AdvertiseURL: cfg.AdvertiseURL, Lease: cfg.Lease, PublicURL: publicURL(cfg),
		Backups: app.BackupConfig{Dir: cfg.BackupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep},
	}
}

// listeners are the binary's HTTP servers, each with its listener: the
// public one first, then the ACME challenge, metrics and debug ones.
type listeners struct {
	cfg       config
	servers   []*http.Server
	listeners []net.Listener
}

func (ls *listeners) listen(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	ls.servers = append(ls.servers, server.HTTPServer(addr, h, server.Timeouts{ReadHeader: ls.cfg.ReadHeaderTimeout, Idle: ls.cfg.IdleTimeout}))
	ls.listeners = append(ls.listeners, ln)
	return nil
}

func (ls *listeners) closeAll() {
	for _, ln := range ls.listeners {
		ln.Close()
	}
}

// openListeners opens every listener before any serves, so that a port in
// use stops the start instead of leaving half a server up.
func openListeners(cfg config, gm *app.Server, tlsSet tlsSetup, log *slog.Logger) (_ *listeners, err error) {
	ls := &listeners{cfg: cfg}
	defer func() {
		if err != nil {
			ls.closeAll()
		}
	}()
	if err := ls.listen(cfg.Addr, gm.Handler()); err != nil {
		return nil, err
	}
	// The public listener caps its connections, per address and in all,
	// below TLS: a refused connection costs no handshake.
	limited, err := server.LimitListener(ls.listeners[0], server.ConnLimits{Max: cfg.MaxTCPConns, MaxPerIP: cfg.MaxTCPConnsPerIP,
		TrustedProxies: list(cfg.TrustedProxies), Log: log})
	if err != nil {
		return nil, err
	}
	ls.listeners[0] = limited
	log.Info("goldmine: connection caps", "max_tcp_conns", limited.Max(), "max_tcp_conns_per_ip", limited.MaxPerIP())
	ls.servers[0].TLSConfig = tlsSet.config
	if tlsSet.challenge != nil {
		if err := ls.listen(cfg.HTTPAddr, tlsSet.challenge); err != nil {
			return nil, err
		}
	}
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", gm.MetricsHandler())
		if err := ls.listen(cfg.MetricsAddr, mux); err != nil {
			return nil, err
		}
	}
	if cfg.DebugAddr != "" {
		if err := ls.listen(cfg.DebugAddr, debugMux()); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// debugMux serves pprof. The mutex and block profiles are empty unless
// sampled: one contention event in 100, and blocking of 10 µs or more.
// Their cost is paid only with the profiler on.
func debugMux() http.Handler {
	runtime.SetMutexProfileFraction(100)
	runtime.SetBlockProfileRate(10000)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := command("backup", "Usage: goldmine backup [--db FILE] DEST\n\nWrites a consistent copy of the database to DEST (which must not exist), while the server runs.\n", stderr)
	db := dbFlag(fs, getenv, "database to copy")
	if code, ok := parseCommand(fs, args, 1); !ok {
		return code
	}
	if err := store.Backup(ctx, *db, fs.Arg(0)); err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", *db, fs.Arg(0))
	return 0
}
