package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"goldmine/store"
)

// Login and session settings.
const (
	// SessionIdle logs an admin out after this long without a request.
	SessionIdle = 30 * time.Minute
	// LoginFailures are allowed per address per LoginWindow; the next
	// attempt gets 429.
	LoginFailures = 5
	LoginWindow   = time.Minute
	cookieName    = "goldmine_admin"
	passwordKey   = "admin:password"
	// bcrypt reads at most 72 bytes; a longer password would be silently
	// cut, so it is refused instead.
	maxPassword = 72
	minPassword = 8
)

// errBadPassword reports a password outside the allowed lengths.
var errBadPassword = fmt.Errorf("admin: a password has %d to %d bytes", minPassword, maxPassword)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// auth holds the admin password and the sessions.
type auth struct {
	store    Store
	now      func() time.Time
	mu       sync.Mutex
	hash     []byte // bcrypt hash of the password; nil until one is set
	setup    string // one-time setup token while no password is set
	sessions map[string]*session
	failures map[string][]time.Time // by client address
}

type session struct {
	csrf string
	seen time.Time
}

// newAuth loads or sets the password. A password given on the command line
// replaces the stored one; with neither, a one-time setup token is made.
func newAuth(ctx context.Context, st Store, password string, now func() time.Time) (*auth, error) {
	a := &auth{store: st, now: now, sessions: map[string]*session{}, failures: map[string][]time.Time{}}
	if password != "" {
		if err := a.setPassword(ctx, password); err != nil {
			return nil, err
		}
		return a, nil
	}
	hash, err := st.Meta(ctx, passwordKey)
	switch {
	case err == nil:
		a.hash = hash
	case errors.Is(err, store.ErrNotFound):
		a.setup = randomHex(16)
	default:
		return nil, fmt.Errorf("admin: load password: %w", err)
	}
	return a, nil
}

func (a *auth) setPassword(ctx context.Context, password string) error {
	if len(password) < minPassword || len(password) > maxPassword {
		return errBadPassword
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("admin: hash password: %w", err)
	}
	if err := a.store.SetMeta(ctx, passwordKey, hash); err != nil {
		return fmt.Errorf("admin: store password: %w", err)
	}
	a.mu.Lock()
	a.hash, a.setup = hash, ""
	a.mu.Unlock()
	return nil
}

// setupToken returns the one-time token, or "" once a password is set.
func (a *auth) setupToken() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.setup
}

// throttled reports whether ip failed too often in the last window.
func (a *auth) throttled(ip string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.recentFailures(ip)) >= LoginFailures
}

func (a *auth) recentFailures(ip string) []time.Time {
	cut := a.now().Add(-LoginWindow)
	kept := a.failures[ip][:0]
	for _, t := range a.failures[ip] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(a.failures, ip)
	} else {
		a.failures[ip] = kept
	}
	return kept
}

// login checks a password and, if right, opens a session.
func (a *auth) login(ip, password string) (id string, ok bool) {
	a.mu.Lock()
	hash := a.hash
	a.mu.Unlock()
	if hash == nil || len(password) > maxPassword ||
		bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		a.mu.Lock()
		a.failures[ip] = append(a.recentFailures(ip), a.now())
		a.mu.Unlock()
		return "", false
	}
	id = randomHex(32)
	a.mu.Lock()
	a.sessions[id] = &session{csrf: randomHex(16), seen: a.now()}
	a.mu.Unlock()
	return id, true
}

// session returns a live session and marks it used, or nil.
func (a *auth) session(id string) *session {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.sessions[id]
	if s == nil {
		return nil
	}
	if a.now().Sub(s.seen) > SessionIdle {
		delete(a.sessions, id)
		return nil
	}
	s.seen = a.now()
	return s
}

func (a *auth) logout(id string) {
	a.mu.Lock()
	delete(a.sessions, id)
	a.mu.Unlock()
}

// checkCSRF compares a request's token with the session's.
func checkCSRF(s *session, r *http.Request) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// secure reports whether the request came over TLS, directly or through a
// proxy that says so: the session cookie is then marked Secure.
func secure(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}
