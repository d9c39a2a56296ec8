package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// guessLimiter counts the hellos for unknown rooms from each client
// address. A private room is joined by its id alone, so a loop of hellos
// with made-up ids is a search for private rooms: past its burst, an
// address has every hello refused, found room or not, until its bucket
// refills. Hellos for rooms that exist cost nothing, so players behind one
// address (a carrier NAT, a school) only meet the limit when together they
// keep asking for rooms that are gone.
type guessLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	full    time.Duration // how long an empty bucket takes to refill
	buckets map[string]*guessBucket
	swept   time.Time
}

type guessBucket struct {
	lim    *rate.Limiter
	seen   time.Time
	logged time.Time // when the address was last logged as cut off
}

// newGuessLimiter allows burst failed hellos per address, refilled at
// perMinute a minute.
func newGuessLimiter(perMinute float64, burst int) *guessLimiter {
	r := rate.Limit(perMinute / 60)
	return &guessLimiter{rate: r, burst: burst, buckets: map[string]*guessBucket{},
		full: time.Duration(float64(burst) / float64(r) * float64(time.Second))}
}

// blocked reports whether ip has no failed hello left: its hellos are
// refused without looking the room up. log is true at most once a minute
// per address, for the warning.
func (l *guessLimiter) blocked(ip string, now time.Time) (blocked, log bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[ip]
	if b == nil || b.lim.TokensAt(now) >= 1 {
		return false, false
	}
	if now.Sub(b.logged) >= time.Minute {
		b.logged = now
		log = true
	}
	return true, log
}

// fail counts a hello for an unknown room from ip.
func (l *guessLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget addresses whose bucket is full again, at most once a minute,
	// so that the map stays as small as the set of recent guessers.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[ip]
	if b == nil {
		b = &guessBucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	b.lim.AllowN(now, 1)
}
