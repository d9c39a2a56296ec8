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
	// bcrypt reads at most 72 bytes; a longer password would be silently
	// cut, so it is refused instead.
	maxPassword = 72
	minPassword = 8
)

// ErrBadPassword reports a password outside the allowed lengths (8 to 72
// bytes: bcrypt reads only 72).
var ErrBadPassword = fmt.Errorf("admin: a password has %d to %d bytes", minPassword, maxPassword)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// auth checks the admin password and throttles failed logins. The
// password, the sessions and the one-time links live in the store
// (sessions.go), read at each use: `goldmine admin`, another process,
// changes them while the server runs.
type auth struct {
	store    Store
	now      func() time.Time
	mu       sync.Mutex
	failures map[string][]time.Time // by client address
}

// newAuth sets the password given on the command line, which replaces the
// stored one.
func newAuth(ctx context.Context, st Store, password string, now func() time.Time) (*auth, error) {
	a := &auth{store: st, now: now, failures: map[string][]time.Time{}}
	if password != "" {
		if err := SetPassword(ctx, st, password); err != nil {
			return nil, err
		}
	}
	return a, nil
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
// A store error is returned as err, with ok false, and is not counted as
// a failure.
func (a *auth) login(ctx context.Context, ip, password string) (token string, ok bool, err error) {
	hash, err := a.store.AdminPassword(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", false, err
	}
	if hash == nil || len(password) > maxPassword ||
		bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil {
		a.mu.Lock()
		a.failures[ip] = append(a.recentFailures(ip), a.now())
		a.mu.Unlock()
		return "", false, nil
	}
	if token, err = a.openSession(ctx, ip, "password"); err != nil {
		return "", false, err
	}
	return token, true, nil
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
