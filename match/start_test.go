package match

import (
	"context"
	"testing"
	"time"
)

// TestCloseRightAfterStartWaits: Close waits for the rounds to stop even
// when it comes before the goroutine that runs them was scheduled: else a
// round could run after its host closed the store under it.
func TestCloseRightAfterStartWaits(t *testing.T) {
	for i := range 100 {
		s := New(Config{Round: time.Hour, Rules: Rules{BotAfter: time.Hour},
			Start: func(context.Context, Match) (Placed, error) { return Placed{}, nil }})
		s.Start()
		s.Close()
		select {
		case <-s.stopped:
		default:
			t.Fatalf("round %d: Close returned while the rounds' goroutine had not stopped", i)
		}
	}
}
