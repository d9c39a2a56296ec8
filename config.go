package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/goldmine-game/goldmine/bots"
	"github.com/goldmine-game/goldmine/match"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/store"
)

// config is every setting of the server, filled from flags, with
// GOLDMINE_* environment variables as fallbacks.
type config struct {
	Addr              string
	TLSCert           string
	TLSKey            string
	ACMEDomain        string
	ACMEEmail         string
	HTTPAddr          string
	TrustedProxies    string
	MetricsToken      string
	MetricsAddr       string
	MaxConns          int
	MaxConnsPerIP     int
	MaxConnsPerPlayer int
	APIRate           float64
	APIBurst          int
	PlayerAPIRate     float64
	PlayerAPIBurst    int
	MaxBody           int64
	BodyTimeout       time.Duration
	IdleTimeout       time.Duration
	MaxTCPConns       int
	MaxTCPConnsPerIP  int
	FrameAncestors    string
	WSPing            time.Duration
	WSPongWait        time.Duration
	WSWriteWait       time.Duration
	ReadHeaderTimeout time.Duration
	DebugAddr         string
	WeChatAppID       string
	WeChatSecret      string
	WeChatAPI         string
	DB                string
	Sync              string
	DBMaxMB           int64
	AllowedOrigins    string
	AdminPassword     string
	Grace             time.Duration
	BotDelay          time.Duration
	MatchBotAfter     time.Duration
	AbsentSkip        time.Duration
	RoomIdle          time.Duration
	MaxSpectators     int
	MaxRooms          int
	MaxRoomsPerUser   int
	ChatRate          float64
	ChatBurst         int
	WSRate            float64
	WSBurst           int
	WSMaxMessage      int64
	WSBuffer          int
	WSLinger          time.Duration
	UnknownRoomRate   float64
	UnknownRoomBurst  int
	HelloTimeout      time.Duration
	ShutdownTimeout   time.Duration
	LogLevel          string
	LogFormat         string
	NodeID            string
	AdvertiseURL      string
	Lease             time.Duration
	BackupDir         string
	BackupEvery       time.Duration
	BackupKeep        int
}

// flags defines the flags of cfg on a new FlagSet.
func (cfg *config) flags(name string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&cfg.Addr, "addr", ":8080", "address to serve HTTP and WebSocket on (with --acme-domain and no --addr: :443)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate file (PEM, full chain) to serve HTTPS and WSS with")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key file (PEM) of --tls-cert")
	fs.StringVar(&cfg.ACMEDomain, "acme-domain", "", "comma-separated domains to get Let's Encrypt certificates for, automatically (needs ports 80 and 443)")
	fs.StringVar(&cfg.ACMEEmail, "acme-email", "", "contact address for Let's Encrypt (optional)")
	fs.StringVar(&cfg.HTTPAddr, "http-addr", ":80", "with --acme-domain: address of the plain HTTP listener that answers ACME challenges and redirects to HTTPS")
	fs.StringVar(&cfg.TrustedProxies, "trusted-proxies", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (none by default)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "serve /metrics on --addr to requests with 'Authorization: Bearer TOKEN'")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", "", "serve /metrics, without authentication, on this separate address (keep it private)")
	fs.IntVar(&cfg.MaxConns, "max-conns", server.DefaultMaxConns, "open WebSockets in total")
	fs.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", server.DefaultMaxConnsPerIP, "open WebSockets from one client address")
	fs.IntVar(&cfg.MaxConnsPerPlayer, "max-conns-per-player", server.DefaultMaxConnsPerPlayer, "open WebSockets of one player")
	fs.Float64Var(&cfg.APIRate, "api-rate", server.DefaultAPIRate, "HTTP API requests without a valid player token (sign-ups, anonymous reads) per second per client address, sustained (past it: 429 with Retry-After)")
	fs.IntVar(&cfg.APIBurst, "api-burst", server.DefaultAPIBurst, "HTTP API requests without a valid player token per client address in a burst")
	fs.Float64Var(&cfg.PlayerAPIRate, "api-player-rate", server.DefaultPlayerAPIRate, "HTTP API requests per second of one signed-in player (by Bearer token, from any address), sustained")
	fs.IntVar(&cfg.PlayerAPIBurst, "api-player-burst", server.DefaultPlayerAPIBurst, "HTTP API requests of one signed-in player in a burst")
	fs.Int64Var(&cfg.MaxBody, "max-body", server.DefaultMaxBody, "largest request body in bytes (past it: 413, refused on its Content-Length before it is read)")
	fs.DurationVar(&cfg.BodyTimeout, "read-body-timeout", server.DefaultBodyTimeout, "longest time a client may take to send a request body")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", server.DefaultIdleTimeout, "close a keep-alive HTTP connection idle for this long")
	fs.IntVar(&cfg.MaxTCPConns, "max-tcp-conns", 0, "open TCP connections (HTTP and WebSocket) in total; past it new ones are closed at once (0: the open-file limit less 256)")
	fs.IntVar(&cfg.MaxTCPConnsPerIP, "max-tcp-conns-per-ip", server.DefaultMaxTCPConnsPerIP, "open TCP connections (HTTP and WebSocket) from one peer address; --trusted-proxies are exempt")
	fs.StringVar(&cfg.FrameAncestors, "frame-ancestors", server.DefaultFrameAncestors, "CSP frame-ancestors: who may show the pages in a frame, e.g. \"'self' https://host.example\"")
	fs.DurationVar(&cfg.WSPing, "ws-ping", server.DefaultPingPeriod, "how often the server pings each WebSocket")
	fs.DurationVar(&cfg.WSPongWait, "ws-pong-wait", server.DefaultPongWait, "close a WebSocket silent for this long (no pong, no message)")
	fs.DurationVar(&cfg.WSWriteWait, "ws-write-wait", server.DefaultWriteWait, "longest write of one frame to a WebSocket")
	fs.StringVar(&cfg.DebugAddr, "debug-addr", "", "serve Go's profiler (/debug/pprof/) on this address; keep it private (off by default)")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", server.DefaultReadHeaderTimeout, "longest time a client may take to send its request headers")
	fs.StringVar(&cfg.DB, "db", "./goldmine.db", "SQLite database file (created if missing), or a postgres://user:pass@host/db URL")
	fs.StringVar(&cfg.Sync, "sync", store.SyncFull, "SQLite synchronous mode: full (a stored move survives power loss) or normal (survives a process crash; the last commits can be lost on power loss)")
	fs.Int64Var(&cfg.DBMaxMB, "db-max-mb", 0, "cap on the database size in MiB; moves are refused with 'unavailable' past it (0: no cap)")
	fs.StringVar(&cfg.AllowedOrigins, "allowed-origins", "", "comma-separated browser origins allowed to open /ws besides this server's own, or * for any; requests without an Origin (mini-programs) are always allowed")
	fs.StringVar(&cfg.AdminPassword, "admin-password", "", "password of the admin console")
	fs.StringVar(&cfg.WeChatAppID, "wechat-appid", "", "AppID of the WeChat mini-program, for WeChat login")
	fs.StringVar(&cfg.WeChatSecret, "wechat-secret", "", "AppSecret of the WeChat mini-program (prefer the environment variable)")
	fs.StringVar(&cfg.WeChatAPI, "wechat-api", server.DefaultWeChatAPI, "base URL of WeChat's API, for jscode2session")
	fs.DurationVar(&cfg.Grace, "grace", room.DefaultGrace, "how long a disconnected player keeps their seat")
	fs.DurationVar(&cfg.BotDelay, "bot-delay", bots.DefaultDelay, "a bot's mean pause before it digs")
	fs.DurationVar(&cfg.MatchBotAfter, "match-bot-after", match.DefaultBotAfter, "how long a quick-match player waits before a bot of their rating takes the other seat")
	fs.DurationVar(&cfg.AbsentSkip, "absent-skip", room.DefaultAbsentSkip, "longest turn of a disconnected player")
	fs.DurationVar(&cfg.RoomIdle, "room-idle", room.DefaultIdleTimeout, "close a room nobody has been connected to for this long")
	fs.IntVar(&cfg.MaxSpectators, "max-spectators", room.DefaultMaxSpectators, "spectators per room")
	fs.IntVar(&cfg.MaxRooms, "max-rooms", room.DefaultMaxRooms, "live rooms in total (0: no cap)")
	fs.IntVar(&cfg.MaxRoomsPerUser, "max-rooms-per-player", room.DefaultMaxRoomsPerPlayer, "live rooms one player may create (0: no cap)")
	fs.Float64Var(&cfg.ChatRate, "chat-rate", room.DefaultChatRate, "chat lines per second one room takes, sustained; past it a line is refused with chat_limited (0: no limit)")
	fs.IntVar(&cfg.ChatBurst, "chat-burst", room.DefaultChatBurst, "chat lines one room takes in a burst")
	fs.Float64Var(&cfg.WSRate, "ws-rate", server.DefaultRate, "WebSocket messages per second per session, sustained")
	fs.IntVar(&cfg.WSBurst, "ws-burst", server.DefaultBurst, "WebSocket messages per session in a burst")
	fs.Int64Var(&cfg.WSMaxMessage, "ws-max-message", server.DefaultMaxMessage, "largest WebSocket message in bytes; larger ones get close 1009")
	fs.IntVar(&cfg.WSBuffer, "ws-buffer", server.DefaultBuffer, "frames queued per session before it is closed as too slow")
	fs.DurationVar(&cfg.WSLinger, "ws-linger", server.DefaultLinger, "after a WebSocket close frame, how long the server reads and drops what the client still sends before closing the socket (so that the close frame is not lost to a reset)")
	fs.Float64Var(&cfg.UnknownRoomRate, "unknown-room-rate", server.DefaultUnknownRoomRate, "hellos for rooms that do not exist per minute per client address, sustained; past them, and the burst, the address's hellos are refused for a while")
	fs.IntVar(&cfg.UnknownRoomBurst, "unknown-room-burst", server.DefaultUnknownRoomBurst, "hellos for rooms that do not exist per client address in a burst")
	fs.DurationVar(&cfg.HelloTimeout, "hello-timeout", server.DefaultHelloTimeout, "close a WebSocket that sends no hello within this")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "longest graceful shutdown")
	fs.StringVar(&cfg.NodeID, "node-id", "node", "with a postgres:// --db: this node's id, unique among the nodes sharing the database and kept across restarts")
	fs.StringVar(&cfg.AdvertiseURL, "advertise-url", "", "with a postgres:// --db: the public base URL clients and other nodes reach this node at, e.g. https://node1.example.com")
	fs.DurationVar(&cfg.Lease, "lease", store.DefaultLease, "with a postgres:// --db: how long a node holds its rooms without renewing; other nodes adopt them after it")
	fs.StringVar(&cfg.BackupDir, "backup-dir", "", "SQLite only: folder for scheduled backups (VACUUM INTO copies, checked before the oldest is removed); off when empty")
	fs.DurationVar(&cfg.BackupEvery, "backup-every", 6*time.Hour, "with --backup-dir: time between two scheduled backups")
	fs.IntVar(&cfg.BackupKeep, "backup-keep", 14, "with --backup-dir: backups kept; the oldest beyond this are removed once a new one checks out")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s [flags]\n       %s backup [--db FILE] DEST\n       %s restore [--db FILE] BACKUP\n       %s healthcheck [--addr HOST:PORT]\n       %s bench [flags]   (the load generator; see %s bench --help)\n       %s version [--json]\n       %s admin COMMAND   (set-password, login-link, sessions; see %s admin --help)\n\n", name, name, name, name, name, name, name, name, name)
		fmt.Fprintf(out, "Goldmine serves turn-based multiplayer gold digging over HTTP and WebSocket.\n\nFlags (each also read from the environment variable shown):\n")
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(out, "  --%s [%s]%s\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
		})
	}
	return fs
}

// envName is the environment variable of a flag: --db-max-mb is
// GOLDMINE_DB_MAX_MB.
func envName(flagName string) string {
	return "GOLDMINE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse fills cfg from the environment, then from args, which win.
func (cfg *config) parse(name string, args []string, getenv func(string) string, out io.Writer) error {
	fs := cfg.flags(name, out)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if getenv(envName("addr")) != "" {
		set["addr"] = true
	}
	return cfg.check(set)
}

// check refuses settings that cannot work together, and fills in the
// defaults that depend on other settings.
func (cfg *config) check(set map[string]bool) error {
	switch {
	case (cfg.TLSCert == "") != (cfg.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case cfg.TLSCert != "" && cfg.ACMEDomain != "":
		return errors.New("use --tls-cert/--tls-key or --acme-domain, not both")
	case cfg.MetricsAddr != "" && cfg.MetricsAddr == cfg.Addr:
		return errors.New("--metrics-addr must differ from --addr")
	case cfg.DebugAddr != "" && cfg.DebugAddr == cfg.Addr:
		return errors.New("--debug-addr must differ from --addr")
	case cfg.Lease < time.Second:
		return errors.New("--lease must be at least 1s")
	case cfg.NodeID == "" || len(cfg.NodeID) > 64 || strings.ContainsFunc(cfg.NodeID, func(r rune) bool { return r <= ' ' || r > '~' }):
		return errors.New("--node-id must be 1 to 64 printable ASCII characters without spaces")
	}
	if cfg.AdvertiseURL != "" {
		u, err := url.Parse(cfg.AdvertiseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("--advertise-url must be an http:// or https:// base URL, got %q", cfg.AdvertiseURL)
		}
		cfg.AdvertiseURL = strings.TrimSuffix(cfg.AdvertiseURL, "/")
	}
	if cfg.ACMEDomain != "" && !set["addr"] {
		cfg.Addr = ":443"
	}
	return nil
}

// list splits a comma-separated flag value.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// appCap turns a cap flag, where 0 means no cap, into package app's
// setting, where 0 takes the default and a negative value means no cap.
func appCap(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// appRate is appCap for the chat rate flag.
func appRate(r float64) float64 {
	if r == 0 {
		return -1
	}
	return r
}
