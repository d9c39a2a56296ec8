package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
)

// Player is who a host's Identity says a request comes from: the one
// player type of rooms, games and the store. A host sets two fields:
//   - ID is the host's own id for the player: 1 to 64 printable
//     characters without spaces. It is Goldmine's player id from then on
//     (in rooms, games and the leaderboard), so it must never name
//     another person.
//   - Name is shown to the other players: 1 to 40 characters once trimmed.
//
// Bot and BotLevel are Goldmine's own: what a host sets there is ignored.
type Player = room.Player

// Identity lets a host sign players in with its own credentials (a session
// cookie's value, a JWT, an API key), replacing Goldmine's own tokens.
// Clients send the host's token where they would send Goldmine's: as
// "Authorization: Bearer <token>" on the API and as "token" in the
// WebSocket hello. With an Identity set, POST /api/players and the WeChat
// login answer 501 not_configured.
//
// Authenticate is called for every API request that needs a player and for
// every hello, possibly from many goroutines at once: make it fast, or
// cache. Return an error wrapping ErrBadToken for a token that is not
// good (the client gets 401 unauthorized); any other error is a 500, or an
// "unavailable" error on the socket.
type Identity interface {
	Authenticate(ctx context.Context, token string) (Player, error)
}

// BrowserIdentity is an Identity that also knows a browser's own session
// on the host site (a cookie, say). With one, the built-in web client at
// Prefix+"/" signs its user in by itself: the page carries the token
// TokenFor returns, and the client asks who that is. Without one, the web
// client asks its user to sign in on the host site.
type BrowserIdentity interface {
	Identity
	// TokenFor returns the token of the player r comes from, or "" for
	// nobody signed in.
	TokenFor(r *http.Request) string
}

// ErrBadToken is what an Identity returns, wrapped, for a token that does
// not sign anyone in.
var ErrBadToken = server.ErrBadToken

// playerStore is what hostIdentity needs of the store.
type playerStore interface {
	EnsurePlayer(ctx context.Context, id, name string) (domain.Player, error)
}

// hostIdentity puts the host's players in the store, where rooms, games and
// bans need them, and turns them away once an admin bans them.
type hostIdentity struct {
	host  Identity
	store playerStore
}

func (h hostIdentity) Authenticate(ctx context.Context, token string) (room.Player, error) {
	p, err := h.host.Authenticate(ctx, token)
	if err != nil {
		return room.Player{}, fmt.Errorf("app: identity: %w", err) // ErrBadToken stays visible
	}
	if err := checkPlayer(&p); err != nil {
		// The host vouched for a player Goldmine cannot take: the host's
		// bug, but the client can only be told no.
		return room.Player{}, fmt.Errorf("app: identity: %w: %w", err, ErrBadToken)
	}
	sp, err := h.store.EnsurePlayer(ctx, p.ID, p.Name)
	if err != nil {
		return room.Player{}, fmt.Errorf("app: identity: %w", err)
	}
	if sp.Banned() {
		return room.Player{}, fmt.Errorf("app: player %s: %w", p.ID, server.ErrBanned)
	}
	return room.Player{ID: sp.ID, Name: sp.Name, Bot: sp.Bot}, nil
}

// checkPlayer validates what a host's Identity returned, and trims the name.
func checkPlayer(p *Player) error {
	if p.ID == "" || len(p.ID) > 64 || strings.IndexFunc(p.ID, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return fmt.Errorf("player id %q: want 1 to 64 printable characters without spaces", p.ID)
	}
	p.Name = strings.TrimSpace(p.Name)
	if n := utf8.RuneCountInString(p.Name); n == 0 || n > 40 || !utf8.ValidString(p.Name) || strings.IndexFunc(p.Name, unicode.IsControl) >= 0 {
		return fmt.Errorf("player %s: name %q: want 1 to 40 characters", p.ID, p.Name)
	}
	return nil
}
