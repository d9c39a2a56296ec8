package room_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// TestSkip: an admin's SkipTurn and the turn timer pass the turn through
// the same code (Room.skip), so they store the same move and announce the
// same event but for its reason; they differ only when the store refuses:
// the admin is told, the timer tries again later.
func TestSkip(t *testing.T) {
	classic, _ := game.Preset("classic")
	turn := time.Duration(classic.TurnSeconds) * time.Second
	// skipOnce passes one turn by way of skip and returns what the room
	// sent and stored for it.
	skipOnce := func(t *testing.T, skip func(m *room.Manager, id string, clock *room.FakeClock) error) (map[string]any, room.Write, int) {
		t.Helper()
		m, j, clock := fakeManager(room.Config{})
		id, _, conns := twoPlayers(t, m, classic)
		s, _ := m.Snapshot(id)
		clock.Advance(time.Second) // so that a new deadline differs from the old
		if err := skip(m, id, clock); err != nil {
			t.Fatal(err)
		}
		sk := conns[1].ofType("turn_skipped")
		if len(sk) != 1 {
			t.Fatalf("%d turn_skipped, want 1", len(sk))
		}
		return sk[0], j.last(t), *s.Turn
	}
	admin, adminW, was := skipOnce(t, func(m *room.Manager, id string, _ *room.FakeClock) error { return m.SkipTurn(id) })
	timer, timerW, _ := skipOnce(t, func(_ *room.Manager, _ string, clock *room.FakeClock) error {
		clock.Advance(turn - time.Second)
		return nil
	})

	t.Run("OK", func(t *testing.T) {
		if got, want := admin["reason"], "admin"; got != want {
			t.Fatalf("admin skip reason=%v, want %v", got, want)
		}
		if got, want := timer["reason"], "timeout"; got != want {
			t.Fatalf("timer skip reason=%v, want %v", got, want)
		}
		if got, want := admin["seat"], float64(was); got != want {
			t.Fatalf("skipped seat=%v, want %v", got, want)
		}
		if got, want := admin["turn"], float64(1-was); got != want {
			t.Fatalf("turn=%v, want %v", got, want)
		}
		// The new turn's deadline runs from the skip.
		if got, want := admin["deadline"], float64(t0.Add(time.Second+turn).UnixMilli()); got != want {
			t.Fatalf("admin skip deadline=%v, want %v", got, want)
		}
		if got, want := timer["deadline"], float64(t0.Add(2*turn).UnixMilli()); got != want {
			t.Fatalf("timer skip deadline=%v, want %v", got, want)
		}
		delete(admin, "reason")
		delete(timer, "reason")
		delete(admin, "deadline")
		delete(timer, "deadline")
		if !reflect.DeepEqual(admin, timer) {
			t.Fatalf("the two skips differ beyond reason and deadline:\nadmin %v\ntimer %v", admin, timer)
		}
		for _, w := range []room.Write{adminW, timerW} {
			if !w.MoveOnly || w.Move == nil || w.Move.Kind != game.Skip || w.Move.Seat != was || w.Move.N != 1 {
				t.Fatalf("stored %+v (move %+v), want the skip of seat %d alone", w, w.Move, was)
			}
		}
	})

	t.Run("ErrNotStarted", func(t *testing.T) {
		m, _, _ := fakeManager(room.Config{})
		snap, err := m.Create(t.Context(), room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: classic})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.SkipTurn(snap.ID); !errors.Is(err, game.ErrNotStarted) {
			t.Fatalf("SkipTurn of a waiting room: %v, want ErrNotStarted", err)
		}
	})

	t.Run("AdminRefused", func(t *testing.T) {
		// The admin learns of it; nothing is retried.
		m, j, clock := fakeManager(room.Config{})
		id, _, conns := twoPlayers(t, m, classic)
		j.refuseAll(errDisk)
		if err := m.SkipTurn(id); !errors.Is(err, room.ErrUnavailable) {
			t.Fatalf("SkipTurn on a refusing store: %v, want ErrUnavailable", err)
		}
		j.refuseAll(nil)
		stored := j.count()
		clock.Advance(turn - time.Second)
		if got := j.count(); got != stored {
			t.Fatalf("%d writes before the turn's deadline, want none", got-stored)
		}
		if sk := conns[0].ofType("turn_skipped"); len(sk) != 0 {
			t.Fatalf("skips %v before the deadline", sk)
		}
	})

	t.Run("TimerRefused", func(t *testing.T) {
		// The timer tries again after retryAfter (5 s), with its reason,
		// and the turn after the retried skip runs from the retry.
		m, j, clock := fakeManager(room.Config{})
		id, _, conns := twoPlayers(t, m, classic)
		r := mustRoom(t, m, id)
		j.refuseAll(errDisk)
		clock.Advance(turn)
		before := room.StateOf(r)
		if sk := conns[0].ofType("turn_skipped"); len(sk) != 0 {
			t.Fatalf("a refused skip was sent: %v", sk)
		}
		j.refuseAll(nil)
		clock.Advance(4 * time.Second)
		if sk := conns[0].ofType("turn_skipped"); len(sk) != 0 {
			t.Fatalf("retried before 5 s: %v", sk)
		}
		clock.Advance(time.Second)
		sk := conns[0].ofType("turn_skipped")
		if len(sk) != 1 || sk[0]["reason"] != "timeout" || sk[0]["seq"] != float64(before.Record.Seq+1) {
			t.Fatalf("skips %v, want one timeout at seq %d", sk, before.Record.Seq+1)
		}
		if got, want := sk[0]["deadline"], float64(t0.Add(2*turn+5*time.Second).UnixMilli()); got != want {
			t.Fatalf("deadline=%v, want %v", got, want)
		}
	})
}
