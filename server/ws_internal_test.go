package server

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// TestLazyLimiter checks that the limiter a session makes at its second
// message decides every message as one made at connect would: the same
// answers for the same arrival times, from a quiet start to a flood.
func TestLazyLimiter(t *testing.T) {
	for _, tt := range []struct {
		name        string
		rate, burst int
	}{{"defaults", DefaultRate, DefaultBurst}, {"tight", 2, 3}, {"burst one", 5, 1}, {"burst zero", 5, 0}} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tt.rate)))
			c := &wsConn{srv: &Server{cfg: Config{WS: WSConfig{Rate: float64(tt.rate), Burst: tt.burst}}}}
			eager := rate.NewLimiter(rate.Limit(tt.rate), tt.burst)
			at := time.Now()
			for i := range 2000 {
				// Floods and pauses: gaps from 0 to 200 ms.
				at = at.Add(time.Duration(rng.IntN(200)) * time.Millisecond * time.Duration(rng.IntN(2)))
				got := c.allowAt(at)
				if want := eager.AllowN(at, 1); got != want {
					t.Fatalf("message %d: allowed %v, a limiter made at connect says %v", i, got, want)
				}
			}
		})
	}
	t.Run("QuietSocket", func(t *testing.T) {
		c := &wsConn{srv: &Server{cfg: Config{WS: WSConfig{Rate: DefaultRate, Burst: DefaultBurst}}}}
		if !c.allowAt(time.Now()) || c.limiter != nil {
			t.Fatalf("the first message made a limiter (%v)", c.limiter)
		}
	})
}

// TestTrimRequest: a session keeps the addresses and the context of its
// upgrade request, not its headers.
func TestTrimRequest(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://example.com/ws?x=1", nil)
	r.Header.Set("Cookie", "a=b")
	r.Header.Set("User-Agent", "test")
	r.RemoteAddr = "192.0.2.1:1234"
	got := trimRequest(r)
	if len(got.Header) != 0 || got.RemoteAddr != r.RemoteAddr || got.Host != r.Host || got.Context() != r.Context() {
		t.Fatalf("trimmed to %+v", got)
	}
}
