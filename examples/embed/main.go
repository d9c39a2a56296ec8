// Command embed is a small host program with Goldmine inside it: a site
// with a route and a login of its own, Goldmine mounted at /game and
// signing players in through the site's sessions, and a hook that writes
// every game's result to the site's own table.
//
//	go run ./examples/embed    # then open http://localhost:8081/
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite"

	"github.com/goldmine-game/goldmine/app"
	"github.com/goldmine-game/goldmine/game"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.Default()
	h, err := newHost(".", log) // app.New, a hook, the routes
	if err != nil {
		log.Error("embed: start", "err", err)
		os.Exit(1)
	}
	hs := &http.Server{Addr: ":8081", Handler: h, ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(h.gm.Drain)       // the game console's live streams end
	if err := h.gm.Start(ctx); err != nil { // the rooms come back, the timers and bots run
		log.Error("embed: start", "err", err)
		h.Close(context.Background())
		os.Exit(1)
	}
	go func() {
		log.Info("embed: serving", "addr", hs.Addr)
		if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			log.Error("embed: serve", "err", err)
			stop()
		}
	}()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	if err := h.Close(sctx); err != nil { // Goldmine's Close, then the site's database
		log.Error("embed: close", "err", err)
	}
}

// host is the site: its own database, its own sessions, and Goldmine.
type host struct {
	http.Handler
	db *sql.DB
	gm *app.Server

	mu       sync.Mutex
	sessions map[string]app.Player // session token -> who signed in
	users    int
}

// newHost opens the site's database and Goldmine's in dir and builds the
// site's routes. Goldmine runs once the caller calls h.gm.Start; until
// then /game/ answers 503.
func newHost(dir string, log *slog.Logger) (*host, error) {
	// WAL and a busy timeout: the results page reads while the hook
	// writes, and without them SQLite answers the writer SQLITE_BUSY.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "site.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	// The site's own table, which the game-over hook fills.
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS results (
		game_id INTEGER PRIMARY KEY, winner TEXT NOT NULL, players TEXT NOT NULL, ended_at TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	h := &host{db: db, sessions: map[string]app.Player{}}

	// --- The lines that matter -------------------------------------------
	h.gm, err = app.New(app.Config{
		DB:       filepath.Join(dir, "goldmine.db"),
		Prefix:   "/game",
		Log:      log,
		Identity: h, // players sign in through the site (Authenticate below)
		Presets:  []game.Rules{{Preset: "blitz", Rows: 6, Cols: 6, Gold: 5, MaxPlayers: 2, TurnSeconds: 10}},
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	h.gm.OnGameOver(func(ctx context.Context, g app.Game) error {
		var winner, names []string
		for _, p := range g.Players {
			names = append(names, p.Name)
			if p.Winner {
				winner = append(winner, p.Name)
			}
		}
		_, err := h.db.ExecContext(ctx, `INSERT INTO results (game_id, winner, players, ended_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (game_id) DO NOTHING`, g.ID, strings.Join(winner, " & "), strings.Join(names, ", "), g.EndedAt.Format(time.RFC3339))
		return err
	})
	mux := http.NewServeMux()
	mux.Handle("/game/", h.gm.Handler())
	// ----------------------------------------------------------------------

	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("GET /results", h.results)
	h.Handler = mux
	return h, nil
}

// sessionCookie holds a browser's session token on the site.
const sessionCookie = "site_session"

// TokenFor implements app.BrowserIdentity: the game's web client signs in
// whoever signed in on the site, by its session cookie.
func (h *host) TokenFor(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	if _, err := h.Authenticate(r.Context(), c.Value); err != nil {
		return ""
	}
	return c.Value
}

// Authenticate implements app.Identity with the site's own sessions.
func (h *host) Authenticate(ctx context.Context, token string) (app.Player, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.sessions[token]
	if !ok {
		return app.Player{}, fmt.Errorf("embed: no such session: %w", app.ErrBadToken)
	}
	return p, nil
}

func (h *host) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, `<!doctype html><title>The host site</title>
<h1>The host site</h1>
<p>This is the host's own page. Its game is at <a href="/game/">/game/</a>; its results are at <a href="/results">/results</a>.</p>
<form method="post" action="/login"><input type="hidden" name="next" value="/game/">
<input name="name" placeholder="Your name"> <button>Sign in and play</button></form>`)
}

// login signs a player in by name, as a real site would after checking a
// password, and hands out the session token that Goldmine then accepts: as
// a cookie, for the game's web client, and in JSON, for other clients. A
// form with next goes on there.
func (h *host) login(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" || len(name) > 40 {
		http.Error(w, "a name of 1 to 40 characters, please", http.StatusBadRequest)
		return
	}
	var b [16]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	h.mu.Lock()
	h.users++
	p := app.Player{ID: fmt.Sprintf("site-%d", h.users), Name: name}
	h.sessions[token] = p
	h.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	if next := r.FormValue("next"); strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"player_id": p.ID, "name": p.Name, "token": token})
}

func (h *host) results(w http.ResponseWriter, r *http.Request) {
	rows, err := h.db.QueryContext(r.Context(), "SELECT game_id, winner, players, ended_at FROM results ORDER BY game_id")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	type result struct {
		GameID  int64  `json:"game_id"`
		Winner  string `json:"winner"`
		Players string `json:"players"`
		EndedAt string `json:"ended_at"`
	}
	out := []result{}
	for rows.Next() {
		var res result
		if err := rows.Scan(&res.GameID, &res.Winner, &res.Players, &res.EndedAt); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, res)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// Close stops Goldmine, then closes the site's database.
func (h *host) Close(ctx context.Context) error {
	return errors.Join(h.gm.Close(ctx), h.db.Close())
}
