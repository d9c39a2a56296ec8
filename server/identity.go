package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
)

// Identity turns the token a client presents (in a hello, or as a Bearer
// token) into a player. A host program can plug in its own; Tokens is the
// built-in one.
type Identity interface {
	// Authenticate returns the player a token belongs to, or an error
	// wrapping ErrBadToken (or ErrBanned, for a banned player).
	Authenticate(ctx context.Context, token string) (room.Player, error)
}

// ErrBadToken reports a token that is malformed, forged, or names a player
// who does not exist. A banned player's token gives ErrBanned instead, so
// that they are told.
var ErrBadToken = errors.New("bad token")

// PlayerStore is what Tokens needs from the store.
type PlayerStore interface {
	Player(ctx context.Context, id string) (domain.Player, error)
}

// Tokens issues and checks the built-in player tokens: the player id and an
// HMAC-SHA256 of it under a server secret, so checking one costs no lookup
// of the token itself. The secret lives in the database, so tokens outlive
// restarts; the player row is still read on each check, so that a ban
// takes effect at once.
type Tokens struct {
	secret  []byte
	players PlayerStore
}

// NewTokens returns Tokens signing with secret (at least 32 bytes).
func NewTokens(secret []byte, players PlayerStore) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("server: token secret has %d bytes, want at least 32", len(secret))
	}
	return &Tokens{secret: secret, players: players}, nil
}

// Issue returns the token of a player.
func (t *Tokens) Issue(playerID string) string {
	return playerID + "." + t.sign(playerID)
}

func (t *Tokens) sign(playerID string) string {
	mac := hmac.New(sha256.New, t.secret)
	mac.Write([]byte("goldmine-player:" + playerID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify returns the player id a token was issued to, if its signature
// holds; it does not look the player up.
func (t *Tokens) verify(token string) (string, bool) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok || len(id) == 0 || len(id) > 64 || !hmac.Equal([]byte(sig), []byte(t.sign(id))) {
		return "", false
	}
	return id, true
}

// Authenticate implements Identity.
func (t *Tokens) Authenticate(ctx context.Context, token string) (room.Player, error) {
	id, ok := t.verify(token)
	if !ok {
		return room.Player{}, fmt.Errorf("server: %w", ErrBadToken)
	}
	p, err := t.players.Player(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return room.Player{}, fmt.Errorf("server: player %s: %w", id, ErrBadToken)
	}
	if err != nil {
		return room.Player{}, fmt.Errorf("server: authenticate: %w", err)
	}
	if p.Banned() {
		return room.Player{}, fmt.Errorf("server: player %s: %w", id, ErrBanned)
	}
	return room.Player{ID: p.ID, Name: p.Name, Bot: p.Bot}, nil
}
