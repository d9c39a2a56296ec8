package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
)

// A ban must hold when the banned player makes a new player: each browser
// gets an HttpOnly device cookie when it makes a player, the store records
// which players came from which device (and the address they last came
// from), and a ban covers them (store/bans.go).

// ErrBanned reports a token of a banned player. Clients get the protocol
// code banned: 403 on the HTTP API; on a WebSocket, an error frame and
// close 4003.
var ErrBanned = errors.New("banned")

var errBanned = errorf(http.StatusForbidden, "banned", "you are banned")

// BanStore is what the server needs to keep banned players out; a
// *store.Store has it.
type BanStore interface {
	Banned(ctx context.Context, c domain.BanCheck) (bool, error)
	CreatePlayerFrom(ctx context.Context, name, device, addr string) (domain.Player, error)
	SeenPlayer(ctx context.Context, id, device, addr string) error
}

// deviceCookie names the browser: 32 random bytes, HttpOnly so that no
// script (ours or an injected one) can read or drop it, stored hashed.
const (
	deviceCookie = "goldmine_device"
	deviceMaxAge = 400 * 24 * 60 * 60 // the longest browsers keep a cookie
)

// device returns the hash of the request's device cookie, or "" without
// one.
func device(r *http.Request) string {
	ck, err := r.Cookie(deviceCookie)
	if err != nil || len(ck.Value) != 64 {
		return ""
	}
	sum := sha256.Sum256([]byte(ck.Value))
	return hex.EncodeToString(sum[:])
}

// ensureDevice returns the hash of the browser's device cookie, giving the
// browser one first if it has none.
func (s *Server) ensureDevice(c *gin.Context) string {
	if d := device(c.Request); d != "" {
		return d
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := hex.EncodeToString(b)
	http.SetCookie(c.Writer, &http.Cookie{Name: deviceCookie, Value: v, Path: s.cfg.Prefix + "/", MaxAge: deviceMaxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https"})
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// refuseBanned answers 403 banned, and reports true, when what the
// request brings (its browser, its address, a WeChat openid) is banned.
func (s *Server) refuseBanned(c *gin.Context, check domain.BanCheck) bool {
	if s.bans == nil {
		return false
	}
	banned, err := s.bans.Banned(c.Request.Context(), check)
	if err != nil {
		s.abort(c, err)
		return true
	}
	if banned {
		s.log.Info("server: refused a banned newcomer", "ip", check.Address)
		s.abort(c, errBanned)
		return true
	}
	return false
}
