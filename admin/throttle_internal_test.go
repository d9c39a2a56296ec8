package admin

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestThrottleBoundsConcurrentEvaluations: from many addresses at once, at
// most LoginConcurrent evaluations run together, and one at a time per
// address.
func TestThrottleBoundsConcurrentEvaluations(t *testing.T) {
	th := newThrottle(time.Now)
	var now, peak atomic.Int64
	var wg sync.WaitGroup
	for ip := 0; ip < 20; ip++ {
		key := fmt.Sprintf("198.51.100.%d", ip)
		running := &atomic.Int64{} // this address's evaluations now
		for i := 0; i < LoginFailures; i++ {
			att := th.reserve(key)
			if att == nil {
				t.Fatalf("attempt %d of %s refused", i, key)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := att.evaluate(context.Background(), func() bool {
					n := now.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					if running.Add(1) > 1 {
						t.Errorf("two evaluations at once for %s", key)
					}
					time.Sleep(2 * time.Millisecond)
					running.Add(-1)
					now.Add(-1)
					return false
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		if th.reserve(key) != nil {
			t.Fatalf("attempt %d of %s let in", LoginFailures+1, key)
		}
	}
	wg.Wait()
	if got := peak.Load(); got > LoginConcurrent {
		t.Fatalf("%d evaluations ran at once, want at most %d", got, LoginConcurrent)
	}
	if got := th.evaluated.Load(); got != 20*LoginFailures {
		t.Fatalf("%d evaluated, want %d", got, 20*LoginFailures)
	}
}
