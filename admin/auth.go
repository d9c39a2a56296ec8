package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/goldmine-game/goldmine/domain"
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
	throttle *throttle // login attempts by client address (throttle.go)
}

// newAuth sets the password given on the command line, which replaces the
// stored one.
func newAuth(ctx context.Context, st Store, password string, now func() time.Time) (*auth, error) {
	a := &auth{store: st, now: now, throttle: newThrottle(now)}
	if password != "" {
		if err := SetPassword(ctx, st, password); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// login checks a password, within an attempt reserved for its address
// (throttle.go), and, if right, opens a session. A wrong password leaves
// the attempt counted. A store error is returned as err, with ok false,
// and is not counted as a failure; so is errLoginBusy, when no evaluation
// was free in time, but that attempt stays counted.
func (a *auth) login(ctx context.Context, att *attempt, password string) (token string, ok bool, err error) {
	hash, err := a.store.AdminPassword(ctx)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		att.forget()
		return "", false, err
	}
	if hash == nil || len(password) > maxPassword {
		return "", false, nil
	}
	ok, err = att.evaluate(ctx, func() bool { return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil })
	if err != nil || !ok {
		return "", false, err
	}
	att.forget()
	if token, err = a.openSession(ctx, att.ip, "password"); err != nil {
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
