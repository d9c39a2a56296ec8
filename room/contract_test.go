package room_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// twoPlayers creates a classic room with rules r and seats Ann and Bob:
// the game starts by itself.
func twoPlayers(t *testing.T, m *room.Manager, r game.Rules) (string, []*room.Member, []*conn) {
	t.Helper()
	ctx := context.Background()
	snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: r})
	if err != nil {
		t.Fatal(err)
	}
	var members []*room.Member
	var conns []*conn
	for _, p := range []room.Player{{ID: "ann", Name: "Ann"}, {ID: "bob", Name: "Bob"}} {
		c := &conn{}
		mem, err := m.Join(ctx, snap.ID, p, room.RolePlayer, c)
		if err != nil {
			t.Fatal(err)
		}
		members, conns = append(members, mem), append(conns, c)
	}
	if s, _ := m.Snapshot(snap.ID); s.Status != room.Playing {
		t.Fatalf("status %s, want playing", s.Status)
	}
	return snap.ID, members, conns
}

func (c *conn) ofType(typ string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, f := range c.frames {
		if f["type"] == typ {
			out = append(out, f)
		}
	}
	return out
}

// TestAbsentSkipReason: the turn of a disconnected player is skipped with
// reason absent, even when the turn timer is shorter than the absent skip
// and so is what ends the turn (issue 16.1).
func TestAbsentSkipReason(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "g.db"))
	clock := room.NewFakeClock(t0)
	m := newManager(st, clock)
	r, _ := game.Preset("classic")
	r.TurnSeconds = 1
	id, members, conns := twoPlayers(t, m, r)
	s, _ := m.Snapshot(id)
	mover, other := *s.Turn, 1-*s.Turn
	members[mover].Disconnect()
	clock.Advance(1100 * time.Millisecond)
	skips := conns[other].ofType("turn_skipped")
	if len(skips) != 1 {
		t.Fatalf("%d skips after the turn timer, want 1", len(skips))
	}
	if got, want := skips[0]["reason"], "absent"; got != want {
		t.Fatalf("reason=%v, want %v", got, want)
	}
	// The connected player's turn still ends with timeout.
	clock.Advance(1100 * time.Millisecond)
	skips = conns[other].ofType("turn_skipped")
	if len(skips) != 2 || skips[1]["reason"] != "timeout" {
		t.Fatalf("skips %v, want a second one for timeout", skips)
	}
}

// TestConcurrentCreatesKeepTheLimits: creations racing each other cannot
// pass a room limit together (issue 16.2).
func TestConcurrentCreatesKeepTheLimits(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "g.db"))
	r, _ := game.Preset("classic")
	t.Run("PerPlayer", func(t *testing.T) {
		m := room.NewManager(room.Config{Store: st, Clock: room.NewFakeClock(t0), Log: quiet, MaxRoomsPerPlayer: 2})
		ok, refused := race(ctx, 20, func(int) error {
			_, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: r})
			return err
		})
		if ok != 2 || refused != 18 {
			t.Fatalf("%d created, %d refused; want 2 and 18", ok, refused)
		}
		if n := len(m.List(room.Filter{})); n != 2 {
			t.Fatalf("%d live rooms, want 2", n)
		}
	})
	t.Run("InAll", func(t *testing.T) {
		m := room.NewManager(room.Config{Store: st, Clock: room.NewFakeClock(t0), Log: quiet, MaxRooms: 3})
		ok, refused := race(ctx, 20, func(i int) error {
			_, err := m.Create(ctx, room.Player{ID: fmt.Sprint("p", i), Name: "P"}, room.Options{Rules: r})
			return err
		})
		if ok != 3 || refused != 17 {
			t.Fatalf("%d created, %d refused; want 3 and 17", ok, refused)
		}
	})
	t.Run("FailedSaveFreesTheSlot", func(t *testing.T) {
		st2 := openStore(t, filepath.Join(t.TempDir(), "g.db"))
		m := room.NewManager(room.Config{Store: st2, Clock: room.NewFakeClock(t0), Log: quiet, MaxRoomsPerPlayer: 1})
		st2.Close()
		if _, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: r}); !errors.Is(err, room.ErrUnavailable) {
			t.Fatalf("create on a closed store: %v", err)
		}
		// The reservation of the failed create is gone: the limit error
		// is not what refuses this one.
		if _, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: r}); errors.Is(err, room.ErrLimit) {
			t.Fatalf("a failed create kept its slot: %v", err)
		}
	})
}

// race runs n calls of f at once and counts successes and ErrLimit.
func race(ctx context.Context, n int, f func(int) error) (ok, refused int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := f(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, room.ErrLimit):
				refused++
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok, refused
}

// TestPresenceNotStoredHasNoSeq: a presence change the store could not
// commit is announced without a seq, so that no seq a client saw can be
// given to another event after a restart (issue 15.6).
func TestPresenceNotStoredHasNoSeq(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	st := openStore(t, path)
	m := newManager(st, room.NewFakeClock(t0))
	r, _ := game.Preset("classic")
	id, members, conns := twoPlayers(t, m, r)
	stored, _ := m.Snapshot(id)
	st.Close() // every save now fails, as on a full disk
	members[1].Disconnect()
	ps := conns[0].ofType("presence")
	if len(ps) != 1 {
		t.Fatalf("%d presence frames, want 1", len(ps))
	}
	if seq, has := ps[0]["seq"]; has {
		t.Fatalf("a presence that was not stored carries seq %v", seq)
	}
	if ps[0]["connected"] != false || ps[0]["seat"] != float64(1) {
		t.Fatalf("presence %v", ps[0])
	}
	if s, _ := m.Snapshot(id); s.Seq != stored.Seq {
		t.Fatalf("seq %d after an unstored presence, want %d", s.Seq, stored.Seq)
	}

	// After a restart, the room goes on from the last stored seq.
	st2 := openStore(t, path)
	m2 := newManager(st2, room.NewFakeClock(t0.Add(time.Minute)))
	if _, err := m2.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if s, _ := m2.Snapshot(id); s.Seq != stored.Seq {
		t.Fatalf("recovered at seq %d, want %d", s.Seq, stored.Seq)
	}
	c := &conn{}
	if _, err := m2.Join(ctx, id, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, c); err != nil {
		t.Fatal(err)
	}
	ps = c.ofType("presence")
	if len(ps) != 1 || ps[0]["seq"] != float64(stored.Seq+1) {
		t.Fatalf("stored presence %v, want seq %d", ps, stored.Seq+1)
	}
}

// TestListOrder: the list is newest first, cut at its limit, and follows
// rooms as they are created, closed and recovered (issue 16.5 keeps it
// in order instead of sorting it for every request).
func TestListOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	st := openStore(t, path)
	clock := room.NewFakeClock(t0)
	m := newManager(st, clock)
	r, _ := game.Preset("classic")
	var ids []string
	for i := range 6 {
		s, err := m.Create(ctx, room.Player{ID: fmt.Sprint("p", i), Name: "P"}, room.Options{Rules: r})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
		if i != 2 { // two rooms of one instant: then by id
			clock.Advance(time.Second)
		}
	}
	want := func(m *room.Manager, f room.Filter, order ...int) {
		t.Helper()
		got := m.List(f)
		if len(got) != len(order) {
			t.Fatalf("List(%+v) has %d rooms, want %d", f, len(got), len(order))
		}
		for i, o := range order {
			if got[i].ID != ids[o] {
				t.Fatalf("List(%+v)[%d] = %s, want room %d (%s)", f, i, got[i].ID, o, ids[o])
			}
		}
	}
	a, b := 2, 3 // of one instant: the smaller id first
	if ids[b] < ids[a] {
		a, b = b, a
	}
	want(m, room.Filter{}, 5, 4, a, b, 1, 0)
	want(m, room.Filter{Limit: 2}, 5, 4)
	if err := m.CloseRoom(ids[4]); err != nil {
		t.Fatal(err)
	}
	want(m, room.Filter{}, 5, a, b, 1, 0)
	st.Close()
	m2 := newManager(openStore(t, path), room.NewFakeClock(t0.Add(time.Hour)))
	if _, err := m2.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	want(m2, room.Filter{}, 5, a, b, 1, 0)
	want(m2, room.Filter{Status: room.Playing})
}
