package admin

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds on evaluating passwords. bcrypt is slow on purpose (tens of
// milliseconds of a core), so that guessing is slow: evaluations from one
// address run one at a time, and at most LoginConcurrent run at once in
// all, so that a crowd of addresses cannot take the cores from the game.
const (
	LoginConcurrent = 2
	// loginQueueWait is how long an attempt may wait for a free
	// evaluation before it is refused as busy.
	loginQueueWait = 10 * time.Second
)

// errLoginBusy reports an attempt that found no free evaluation in time.
var errLoginBusy = errors.New("admin: too many logins being checked at once")

// throttle counts login attempts per client address. An attempt is
// reserved when its request arrives, before its body is read or its
// password hashed, and counts as a failure unless it succeeds: so neither
// concurrent guesses nor guesses whose bodies arrive later can get more
// than LoginFailures evaluations per LoginWindow from one address.
type throttle struct {
	now       func() time.Time
	total     chan struct{} // a slot per evaluation running, in all
	evaluated atomic.Int64

	mu       sync.Mutex
	attempts map[string][]*attempt // by address: reserved or failed, in the window
	running  map[string]chan struct{}
	swept    time.Time
}

// attempt is one reserved login attempt.
type attempt struct {
	t  *throttle
	ip string
	at time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, total: make(chan struct{}, LoginConcurrent),
		attempts: map[string][]*attempt{}, running: map[string]chan struct{}{}}
}

// reserve takes an attempt for ip, or returns nil when ip has used its
// attempts for the window.
func (t *throttle) reserve(ip string) *attempt {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if now.Sub(t.swept) > LoginWindow {
		t.sweepLocked()
		t.swept = now
	}
	kept := slices.DeleteFunc(t.attempts[ip], func(a *attempt) bool { return !a.at.After(now.Add(-LoginWindow)) })
	if len(kept) >= LoginFailures {
		t.attempts[ip] = kept
		return nil
	}
	a := &attempt{t: t, ip: ip, at: now}
	t.attempts[ip] = append(kept, a)
	return a
}

// evaluate runs check (the bcrypt comparison) once a slot is free for the
// attempt's address and in all, or fails with errLoginBusy or ctx's error.
func (a *attempt) evaluate(ctx context.Context, check func() bool) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, loginQueueWait)
	defer cancel()
	a.t.mu.Lock()
	mine := a.t.running[a.ip]
	if mine == nil {
		mine = make(chan struct{}, 1)
		a.t.running[a.ip] = mine
	}
	a.t.mu.Unlock()
	select {
	case mine <- struct{}{}:
	case <-ctx.Done():
		return false, busy(ctx)
	}
	defer func() { <-mine }()
	select {
	case a.t.total <- struct{}{}:
	case <-ctx.Done():
		return false, busy(ctx)
	}
	defer func() { <-a.t.total }()
	a.t.evaluated.Add(1)
	return check(), nil
}

func busy(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errLoginBusy
	}
	return ctx.Err()
}

// forget drops the attempt: only failures count against an address, and
// an attempt the server could not check (its store failed) is none.
func (a *attempt) forget() {
	a.t.mu.Lock()
	defer a.t.mu.Unlock()
	a.t.attempts[a.ip] = slices.DeleteFunc(a.t.attempts[a.ip], func(b *attempt) bool { return b == a })
	if len(a.t.attempts[a.ip]) == 0 {
		delete(a.t.attempts, a.ip)
	}
}

// sweepLocked forgets the addresses with no attempt in the window and no
// evaluation running, so that the maps stay as small as the live set.
func (t *throttle) sweepLocked() {
	cut := t.now().Add(-LoginWindow)
	for ip, as := range t.attempts {
		if as = slices.DeleteFunc(as, func(a *attempt) bool { return !a.at.After(cut) }); len(as) == 0 {
			delete(t.attempts, ip)
		} else {
			t.attempts[ip] = as
		}
	}
	for ip, ch := range t.running {
		if len(ch) == 0 && t.attempts[ip] == nil {
			delete(t.running, ip)
		}
	}
}
