package match_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/match"
)

// clock is a settable clock for the service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// TestIdleTicketDropped: a ticket whose holder stopped calling leaves the
// queue after Idle, and one whose holder keeps calling with short waits
// stays.
func TestIdleTicketDropped(t *testing.T) {
	ck := &clock{now: t0}
	var started []match.Match
	var mu sync.Mutex
	svc := match.New(match.Config{Now: ck.Now, Idle: 10 * time.Second, Round: time.Hour,
		Rules: match.Rules{BotAfter: time.Hour, MaxPlayers: seats(2)},
		Start: func(_ context.Context, m match.Match) (match.Placed, error) {
			mu.Lock()
			started = append(started, m)
			mu.Unlock()
			return match.Placed{RoomID: "R"}, nil
		}})
	svc.Start()
	defer svc.Close()
	ctx := context.Background()
	gone := match.Ticket{PlayerID: "gone", Preset: "classic", Rating: 1500}
	stays := match.Ticket{PlayerID: "stays", Preset: "classic", Rating: 2400}
	svc.Wait(ctx, gone, 0)
	for i := 0; i < 3; i++ {
		svc.Wait(ctx, stays, 0)
		ck.add(5 * time.Second)
	}
	// gone was last seen 15 s ago, stays 5 s ago: a newcomer at gone's
	// rating finds nobody (gone was dropped), one at stays' finds stays.
	out, _ := svc.Wait(ctx, match.Ticket{PlayerID: "new", Preset: "classic", Rating: 1500}, 300*time.Millisecond)
	if out.Placed != nil {
		t.Fatalf("matched with an idle ticket: %+v", out.Placed)
	}
	out, _ = svc.Wait(ctx, match.Ticket{PlayerID: "new2", Preset: "classic", Rating: 2400}, 2*time.Second)
	if out.Placed == nil {
		t.Fatal("the ticket kept alive by short calls was dropped")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(started) != 1 || started[0].Players[0].PlayerID != "stays" {
		t.Fatalf("matches %+v", started)
	}
}
