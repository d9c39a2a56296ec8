// Package admin is the admin console: server-rendered pages with htmx, at
// /admin, to watch every room live (hidden gold included), act on rooms and
// players, replay every finished game, and read the audit log.
package admin

import (
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
	"github.com/goldmine-game/goldmine/static"
)

// Rooms is what the console needs from the live rooms.
type Rooms interface {
	List(f room.Filter) []room.Summary
	Room(id string) (*room.Room, error)
	CloseRoom(id string) error
	Kick(id, playerID, bot string) error
	SkipTurn(id string) error
	Disconnect(playerID string, code int, reason string) int
	Stats() room.Stats
	DigsLastMinute() int
}

// Bots seats computer players; it is a *bots.Manager.
type Bots interface {
	Add(ctx context.Context, roomID string, level solver.Level) (room.Player, error)
}

// Store is what the console needs from the database.
type Store interface {
	AuthStore
	Games(ctx context.Context, f domain.GamesFilter) ([]room.GameRecord, error)
	Game(ctx context.Context, id int64) (domain.Game, error)
	GamesSince(ctx context.Context, since time.Time) (int, error)
	SearchPlayers(ctx context.Context, q string, limit int) ([]domain.Player, error)
	Player(ctx context.Context, id string) (domain.Player, error)
	Leaderboard(ctx context.Context, period string, limit int) ([]domain.LeaderboardEntry, error)
	BanPlayer(ctx context.Context, id string, opt domain.BanOptions) (domain.BanResult, error)
	UnbanPlayer(ctx context.Context, id string) error
	PlayerAddress(ctx context.Context, id string) (string, error)
	AddAudit(ctx context.Context, e domain.AuditEntry) error
	AuditLog(ctx context.Context, limit int, before int64) ([]domain.AuditEntry, error)
	Size(ctx context.Context) (int64, error)
}

// Config configures the console.
type Config struct {
	Rooms  Rooms
	Store  Store
	Assets *static.Assets
	// Bots, when set, lets the admin seat a bot in a waiting room.
	Bots Bots
	// Sessions returns the number of open WebSockets.
	Sessions func() int
	// Password, when set, is the admin password (it replaces a stored
	// one). When empty, the stored one is used; with none stored, a
	// one-time setup link is logged at start.
	Password string
	// BaseURL is the server's public base URL (scheme and host, no path),
	// which the setup link is logged with: its --advertise-url, or one
	// made from the listen address. Empty logs a bare path.
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
	// Prefix is the path the server is mounted under ("" for the root, or
	// "/game"); the console is at Prefix + "/admin".
	Prefix string
	// Cluster, when set, shows every node's rooms and follows a room's
	// owner for its page, stream and actions (cluster.go). NodeKey signs
	// those requests between nodes: the same on every node.
	Cluster Cluster
	NodeKey []byte
	// Backups, when set, lists the scheduled backups and takes one on
	// demand (backups.go).
	Backups Backups
}

// Admin is the console.
type Admin struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	started time.Time
	auth    *auth
	cats    catalogues
	// pages are the parsed templates by language, then by page.
	pages   map[string]map[string]*template.Template
	cop     *http.CrossOriginProtection
	done    chan struct{} // closed by Close: ends the live streams
	closeMu sync.Once
}

//go:embed templates/*.html
var templateFS embed.FS

// New parses the templates (a broken one stops the start) and loads the
// password.
func New(ctx context.Context, cfg Config) (*Admin, error) {
	a := &Admin{cfg: cfg, log: cmp.Or(cfg.Log, slog.Default()), now: cfg.Now, cop: http.NewCrossOriginProtection(),
		done: make(chan struct{})}
	if a.now == nil {
		a.now = time.Now
	}
	a.started = a.now()
	var err error
	if a.cats, err = loadCatalogues(); err != nil {
		return nil, err
	}
	a.pages = map[string]map[string]*template.Template{}
	for _, l := range consoleLangs {
		if a.pages[l], err = parseTemplates(cfg.Assets, cfg.Prefix, a.cats, l); err != nil {
			return nil, err
		}
	}
	if a.auth, err = newAuth(ctx, cfg.Store, cfg.Password, a.now); err != nil {
		return nil, err
	}
	if err := a.announceSetup(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

// LoginsEvaluated returns how many passwords have been checked against
// the admin password's hash since start: what the login throttle bounds.
func (a *Admin) LoginsEvaluated() int64 { return a.auth.throttle.evaluated.Load() }

// Close ends the live room streams. Call it before shutting the HTTP
// server down: a stream lasts as long as its browser stays, and
// http.Server.Shutdown waits for every request in flight.
func (a *Admin) Close() {
	a.closeMu.Do(func() { close(a.done) })
}

// parseTemplates parses each page with the layout, once per language: t
// and th look up the language's catalogue. A template that uses a key the
// catalogue lacks stops the start.
func parseTemplates(assets *static.Assets, prefix string, cats catalogues, lang string) (map[string]*template.Template, error) {
	other := consoleLangs[0]
	if lang == other {
		other = consoleLangs[1]
	}
	funcs := template.FuncMap{
		"t":  func(key string, args ...any) string { return cats.text(lang, key, args...) },
		"th": func(key string, args ...any) template.HTML { return cats.html(lang, key, args...) },
		// lang is the page's lang attribute; other the language the
		// switch offers, named in itself.
		"lang":      func() string { return cats.text(lang, "lang.html") },
		"other":     func() string { return other },
		"otherName": func() string { return cats.text(other, "lang.name") },
		"asset":     assets.URL,
		"ms":        func(t time.Time) int64 { return t.UnixMilli() },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.UTC().Format("2006-01-02 15:04:05")
		},
		"seatClass": func(s int) string { return fmt.Sprintf("s%d", s%8) },
		"add":       func(a, b int) int { return a + b },
		"kib":       func(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) },
		// adm is where the console is mounted: /admin under the host's
		// prefix.
		"adm": func() string { return prefix + "/admin" },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("admin: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		src, err := templateFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		if err := checkKeys(n, string(src), cats[lang]); err != nil {
			return nil, err
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || base == "parts.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("admin: template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// path returns the URL path of a console page.
func (a *Admin) path(p string) string { return a.cfg.Prefix + "/admin" + p }

// Register adds the console's routes under /admin.
func (a *Admin) Register(r gin.IRouter) {
	g := r.Group("/admin", a.crossOrigin())
	g.GET("/login", a.loginPage)
	g.POST("/login", a.loginPost)
	g.GET("/setup", a.setupPage)
	g.POST("/setup", a.setupPost)
	g.GET("/link", a.linkPage)
	g.GET("/lang", a.switchLang)
	g.POST("/link", a.linkPost)

	in := g.Group("", a.requireSession())
	in.POST("/logout", a.logout)
	in.GET("/", a.dashboard)
	in.GET("/rooms", a.rooms)
	in.GET("/rooms/:id", a.follow(a.roomPage))
	in.GET("/rooms/:id/stream", a.follow(a.roomStream))
	in.POST("/rooms/:id/close", a.follow(a.closeRoom))
	in.POST("/rooms/:id/skip", a.follow(a.skipTurn))
	in.POST("/rooms/:id/kick", a.follow(a.kick))
	in.POST("/rooms/:id/bots", a.follow(a.addBot))
	in.GET("/games", a.games)
	in.GET("/games/:id", a.gamePage)
	in.GET("/games/:id/step/:n", a.gameStep)
	in.GET("/players", a.players)
	in.POST("/players/:id/ban", a.ban)
	in.POST("/players/:id/unban", a.unban)
	in.POST("/players/:id/disconnect", a.disconnectPlayer)
	in.GET("/audit", a.audit)
	a.registerBackups(in)
}

// crossOrigin refuses state-changing requests from other sites, with Go's
// CrossOriginProtection (Sec-Fetch-Site and Origin).
func (a *Admin) crossOrigin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := a.cop.Check(c.Request); err != nil {
			c.AbortWithStatus(http.StatusForbidden)
			return
		}
		c.Next()
	}
}

const sessionKey = "admin.session"

// requireSession lets in requests with a live session and, for anything
// but GET, the session's CSRF token; others go to the login page (htmx
// requests get 401, as a redirect would land inside the page).
func (a *Admin) requireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.nodeSigned(c.Request) {
			// Another node's console, for its admin (cluster.go): that
			// node checked the session and the CSRF token.
			c.Set(sessionKey, &session{csrf: c.GetHeader(csrfHeader)})
			c.Header("Cache-Control", "no-store")
			c.Next()
			return
		}
		var s *session
		if ck, err := c.Cookie(cookieName); err == nil {
			s = a.auth.session(c.Request.Context(), ck)
		}
		if s == nil {
			if c.Request.Method == http.MethodGet && c.GetHeader("HX-Request") == "" {
				c.Redirect(http.StatusSeeOther, a.path("/login"))
				c.Abort()
				return
			}
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		if c.Request.Method != http.MethodGet && !checkCSRF(s, c.Request) {
			c.AbortWithStatus(http.StatusForbidden)
			return
		}
		c.Set(sessionKey, s)
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}

// render writes a page in the layout, or only its "content" fragment for
// an htmx request.
func (a *Admin) render(c *gin.Context, status int, page string, data map[string]any) {
	a.renderBlock(c, status, page, "layout.html", data)
}

func (a *Admin) renderBlock(c *gin.Context, status int, page, block string, data map[string]any) {
	t, ok := a.pages[a.lang(c)][page]
	if !ok {
		panic("admin: no page " + page)
	}
	if data == nil {
		data = map[string]any{}
	}
	if s, ok := c.Get(sessionKey); ok {
		data["CSRF"] = s.(*session).csrf
	}
	data["Page"] = page
	data["Back"] = c.Request.URL.RequestURI()
	if block == "layout.html" && c.GetHeader("HX-Request") != "" && c.GetHeader("HX-Boosted") == "" {
		block = "content"
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := t.ExecuteTemplate(c.Writer, block, data); err != nil {
		a.log.Error("admin: render", "page", page, "err", err)
	}
}

// record writes an admin action to the audit log.
func (a *Admin) record(c *gin.Context, action, target, detail string) {
	err := a.cfg.Store.AddAudit(c.Request.Context(), domain.AuditEntry{At: a.now(), Admin: "admin",
		Action: action, Target: target, Detail: detail})
	if err != nil {
		a.log.Error("admin: audit log", "action", action, "target", target, "err", err)
	}
}
