package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/goldmine-game/goldmine/domain"
)

// AuthStore is what the console's sign-in needs from the database: the
// password, the sessions and the one-time links, all kept there (hashed)
// so that a restart keeps admins signed in and `goldmine admin`, another
// process, can change them while the server runs. *store.Store has it.
type AuthStore interface {
	AdminPassword(ctx context.Context) ([]byte, error)
	SetAdminPassword(ctx context.Context, hash []byte) error
	SetAdminPasswordWith(ctx context.Context, tokenHash string, hash []byte) error
	AddAdminToken(ctx context.Context, tokenHash, kind string, expires time.Time) error
	AdminTokenValid(ctx context.Context, tokenHash, kind string) (bool, error)
	AdminTokens(ctx context.Context, kind string) (int, error)
	OpenAdminSession(ctx context.Context, s domain.AdminSession) error
	OpenAdminSessionWith(ctx context.Context, tokenHash, kind string, s domain.AdminSession) error
	AdminSession(ctx context.Context, id string, now time.Time) (domain.AdminSession, error)
	TouchAdminSession(ctx context.Context, id string, seen, expires time.Time) error
	CloseAdminSession(ctx context.Context, id string) error
}

// LoginLinkTTL is how long a link from `goldmine admin login-link` works.
const LoginLinkTTL = 10 * time.Minute

// touchEvery is how stale a session's last use may be before a request
// writes the new one: a click-happy admin costs a write a minute, not one
// a request, and the idle expiry is off by at most this.
const touchEvery = time.Minute

// session is a signed-in admin, as a request sees it.
type session struct {
	id   string // the hash of the cookie's token; "" for another node's admin
	csrf string
}

// hashToken is how tokens are stored: a token is 32 random bytes, so a
// plain SHA-256 cannot be reversed, and a stolen database holds no way in.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SetPassword checks a new admin password, hashes it with bcrypt and stores
// it; every setup link stops working. It is for the command line
// (--admin-password, `goldmine admin set-password`).
func SetPassword(ctx context.Context, st AuthStore, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	if err := st.SetAdminPassword(ctx, hash); err != nil {
		return fmt.Errorf("admin: store password: %w", err)
	}
	return nil
}

func hashPassword(password string) ([]byte, error) {
	if len(password) < minPassword || len(password) > maxPassword {
		return nil, ErrBadPassword
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, fmt.Errorf("admin: hash password: %w", err)
	}
	return hash, nil
}

// NewLoginLink stores a one-time login link valid for LoginLinkTTL and
// returns its URL path and query under the console (append it to the
// server's base URL and prefix): "/admin/link?token=...".
func NewLoginLink(ctx context.Context, st AuthStore, now time.Time) (string, error) {
	token := randomHex(32)
	if err := st.AddAdminToken(ctx, hashToken(token), domain.AdminLogin, now.Add(LoginLinkTTL)); err != nil {
		return "", fmt.Errorf("admin: login link: %w", err)
	}
	return "/admin/link?token=" + token, nil
}

// NewSetupLink stores a setup link, valid until it is used or a password
// is set, and returns its URL path and query under the console:
// "/admin/setup?token=...".
func NewSetupLink(ctx context.Context, st AuthStore) (string, error) {
	token := randomHex(32)
	if err := st.AddAdminToken(ctx, hashToken(token), domain.AdminSetup, time.Time{}); err != nil {
		return "", fmt.Errorf("admin: setup link: %w", err)
	}
	return "/admin/setup?token=" + token, nil
}

// passwordSet reports whether an admin password is stored.
func (a *auth) passwordSet(ctx context.Context) (bool, error) {
	_, err := a.store.AdminPassword(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (a *auth) newSession(ip, via string) (token string, s domain.AdminSession) {
	token = randomHex(32)
	now := a.now()
	return token, domain.AdminSession{ID: hashToken(token), CSRF: randomHex(16), Via: via, IP: ip,
		CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(SessionIdle)}
}

// openSession opens a session and returns the cookie's token.
func (a *auth) openSession(ctx context.Context, ip, via string) (string, error) {
	token, s := a.newSession(ip, via)
	if err := a.store.OpenAdminSession(ctx, s); err != nil {
		return "", err
	}
	return token, nil
}

// openSessionWith uses up a one-time link of this kind and opens a session;
// store.ErrNotFound reports a link used, expired or never made.
func (a *auth) openSessionWith(ctx context.Context, linkToken, kind, ip, via string) (string, error) {
	token, s := a.newSession(ip, via)
	if err := a.store.OpenAdminSessionWith(ctx, hashToken(linkToken), kind, s); err != nil {
		return "", err
	}
	return token, nil
}

// session returns the live session of a cookie's token and marks it used,
// or nil (unknown, expired or revoked, or the store failed).
func (a *auth) session(ctx context.Context, token string) *session {
	s, err := a.store.AdminSession(ctx, hashToken(token), a.now())
	if err != nil {
		return nil
	}
	if now := a.now(); now.Sub(s.SeenAt) >= touchEvery {
		// A failed touch only shortens the session: it still serves now.
		a.store.TouchAdminSession(ctx, s.ID, now, now.Add(SessionIdle))
	}
	return &session{id: s.ID, csrf: s.CSRF}
}

func (a *auth) logout(ctx context.Context, token string) error {
	return a.store.CloseAdminSession(ctx, hashToken(token))
}
