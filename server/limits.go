package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Limits caps what one client, one player and everyone together may use.
// Zero fields take the defaults below.
type Limits struct {
	// MaxConns caps the open WebSockets of the whole server.
	MaxConns int
	// MaxConnsPerIP caps the open WebSockets from one client address.
	MaxConnsPerIP int
	// MaxConnsPerPlayer caps the rooms one player is connected to at once.
	MaxConnsPerPlayer int
	// APIRate and APIBurst limit the HTTP API requests that carry no
	// valid player token, per client address: sign-ups, and anonymous
	// reads.
	APIRate  float64
	APIBurst int
	// PlayerAPIRate and PlayerAPIBurst limit the HTTP API requests of one
	// signed-in player, by the player of their Bearer token, wherever
	// they come from: players behind one address do not share a bucket.
	PlayerAPIRate  float64
	PlayerAPIBurst int
	// MaxBody caps request bodies, in bytes; a request declaring a larger
	// one is refused before any of it is read.
	MaxBody int64
	// BodyTimeout is how long a client may take to send a request body.
	BodyTimeout time.Duration
}

// Limit defaults, sized for players behind one carrier NAT, a school or
// an office: at least 200 of them share an address.
//
//   - A mini-program may hold 5 sockets; 3 per player leaves room for a
//     reconnect racing its old socket, and stops one account from sitting
//     in every room. 600 sockets per address are 200 players at that cap.
//   - A signed-in player's page polls the lobby every 3 s and makes a few
//     calls per action: 10/s with bursts of 60 is several times that, and
//     stops a script using one token at 10 calls a second.
//   - Calls without a token are mostly sign-ups: 200 newcomers at once fit
//     the burst, and a script hammering from one address gets 429 after it.
const (
	DefaultMaxConns          = 20000
	DefaultMaxConnsPerIP     = 600
	DefaultMaxConnsPerPlayer = 3
	DefaultAPIRate           = 20
	DefaultAPIBurst          = 200
	DefaultPlayerAPIRate     = 10
	DefaultPlayerAPIBurst    = 60
	DefaultMaxBody           = 16 << 10
)

func (l *Limits) defaults() {
	if l.MaxConns == 0 {
		l.MaxConns = DefaultMaxConns
	}
	if l.MaxConnsPerIP == 0 {
		l.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if l.MaxConnsPerPlayer == 0 {
		l.MaxConnsPerPlayer = DefaultMaxConnsPerPlayer
	}
	if l.APIRate == 0 {
		l.APIRate = DefaultAPIRate
	}
	if l.APIBurst == 0 {
		l.APIBurst = DefaultAPIBurst
	}
	if l.PlayerAPIRate == 0 {
		l.PlayerAPIRate = DefaultPlayerAPIRate
	}
	if l.PlayerAPIBurst == 0 {
		l.PlayerAPIBurst = DefaultPlayerAPIBurst
	}
	if l.MaxBody == 0 {
		l.MaxBody = DefaultMaxBody
	}
	if l.BodyTimeout == 0 {
		l.BodyTimeout = DefaultBodyTimeout
	}
}

// counter counts open connections in total and by key.
type counter struct {
	mu    sync.Mutex
	total int
	byIP  map[string]int
	byID  map[string]int
}

func newCounter() *counter { return &counter{byIP: map[string]int{}, byID: map[string]int{}} }

// acquireConn takes a connection slot for ip; it says which limit refused.
func (c *counter) acquireConn(ip string, l Limits) (ok bool, refused string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total >= l.MaxConns {
		return false, "total"
	}
	if c.byIP[ip] >= l.MaxConnsPerIP {
		return false, "ip"
	}
	c.total++
	c.byIP[ip]++
	return true, ""
}

func (c *counter) releaseConn(ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if c.byIP[ip]--; c.byIP[ip] <= 0 {
		delete(c.byIP, ip)
	}
}

func (c *counter) acquirePlayer(id string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID[id] >= max {
		return false
	}
	c.byID[id]++
	return true
}

func (c *counter) releasePlayer(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID[id]--; c.byID[id] <= 0 {
		delete(c.byID, id)
	}
}

// ipLimiter is a token bucket per key (a client address, or a player) for
// the HTTP API.
type ipLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(r float64, burst int) *ipLimiter {
	return &ipLimiter{rate: rate.Limit(r), burst: burst, buckets: map[string]*bucket{}}
}

// allow takes a token for ip, or says how long until one is free.
func (l *ipLimiter) allow(ip string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget addresses idle long enough to have a full bucket again, at
	// most once a minute, so that the map stays as small as the live set.
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[ip]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[ip] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// rateLimit answers 429 with Retry-After to a client over the API rate:
// a request with a valid player token is counted against that player,
// any other against its client address.
func (s *Server) rateLimit() gin.HandlerFunc {
	return func(c *gin.Context) {
		lim, key := s.apiLimiter, c.ClientIP()
		if id, ok := s.tokenPlayer(c); ok {
			lim, key = s.playerLimiter, id
		}
		ok, wait := lim.allow(key, time.Now())
		if !ok {
			s.metrics.rateLimited.WithLabelValues("api").Inc()
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			if c.Request.ContentLength != 0 {
				// The body is never read: closing spares draining it,
				// which a client that trickles it would make last.
				c.Header("Connection", "close")
			}
			s.abort(c, errorf(http.StatusTooManyRequests, "rate_limited", "too many requests: slow down"))
			return
		}
		c.Next()
	}
}

// tokenPlayer returns the player id of the request's Bearer token, if it
// is valid. The built-in tokens are checked by their signature alone, with
// no database read, so that a flood of calls costs nothing before it is
// refused; a host's Identity is asked, and its answer kept for the
// handler.
func (s *Server) tokenPlayer(c *gin.Context) (string, bool) {
	token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if token = strings.TrimSpace(token); !ok || token == "" {
		return "", false
	}
	if t, builtin := s.identity.(*Tokens); builtin {
		return t.verify(token)
	}
	p, err := s.bearer(c)
	if err != nil {
		return "", false
	}
	return p.ID, true
}
