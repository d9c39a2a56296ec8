package server

import (
	"testing"
	"time"
)

// TestGuessLimiterRefills checks the bucket on a clock of its own: burst
// failures cut an address off, a token comes back every 60/rate seconds,
// other addresses are apart, and full buckets are forgotten.
func TestGuessLimiterRefills(t *testing.T) {
	l := newGuessLimiter(20, 20) // 20 a minute: one token every 3 s
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 20; i++ {
		if b, _ := l.blocked("1.2.3.4", t0); b {
			t.Fatalf("blocked after %d failures, want 20", i)
		}
		l.fail("1.2.3.4", t0)
	}
	if b, warn := l.blocked("1.2.3.4", t0); !b || !warn {
		t.Fatalf("after 20 failures: blocked %v, warn %v; want both", b, warn)
	}
	if _, warn := l.blocked("1.2.3.4", t0.Add(time.Second)); warn {
		t.Fatal("warned twice within a minute")
	}
	if b, _ := l.blocked("5.6.7.8", t0); b {
		t.Fatal("another address is blocked")
	}
	if b, _ := l.blocked("1.2.3.4", t0.Add(3*time.Second)); b {
		t.Fatal("still blocked after 3 s: a token should be back")
	}
	l.fail("1.2.3.4", t0.Add(3*time.Second))
	if b, _ := l.blocked("1.2.3.4", t0.Add(3*time.Second)); !b {
		t.Fatal("the refilled token was not taken")
	}
	// A minute and more later the bucket is full: the next sweep drops it.
	l.fail("5.6.7.8", t0.Add(5*time.Minute))
	if _, ok := l.buckets["1.2.3.4"]; ok {
		t.Fatal("a full bucket was kept")
	}
}
