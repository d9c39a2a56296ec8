package room_test

import (
	"context"
	"errors"
	"testing"

	"github.com/goldmine-game/goldmine/room"
)

// TestRematch: after game_over, the next game starts once every player
// still seated asked for it, with the first mover rotated and the seats of
// those who left dropped; with fewer than 2 left the room waits again.
func TestRematch(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		m, j, _ := fakeManager(room.Config{})
		id, members, conns := twoPlayers(t, m, tiny)
		playOut(t, m, id, members)
		over := mustRoom(t, m, id).Snapshot()
		if err := members[0].Rematch(); err != nil {
			t.Fatal(err)
		}
		stored := j.count()
		if err := members[0].Rematch(); err != nil {
			t.Fatalf("asking twice: %v", err)
		}
		if got := j.count(); got != stored {
			t.Fatalf("asking twice stored %d writes, want none", got-stored)
		}
		if err := members[1].Rematch(); err != nil {
			t.Fatal(err)
		}
		rm := conns[0].ofType("rematch")
		if len(rm) != 2 || rm[0]["seat"] != float64(0) || rm[1]["seat"] != float64(1) ||
			rm[0]["seq"] != float64(over.Seq+1) || rm[1]["seq"] != float64(over.Seq+2) {
			t.Fatalf("rematch frames %v, want seats 0 then 1 from seq %d", rm, over.Seq+1)
		}
		gs := conns[1].ofType("game_started")
		if len(gs) != 2 {
			t.Fatalf("%d game_started, want 2", len(gs))
		}
		if got, want := gs[1]["game"], float64(2); got != want {
			t.Fatalf("game=%v, want %v", got, want)
		}
		if got, want := gs[1]["turn"], float64(1); got != want {
			t.Fatalf("first mover of game 2=%v, want %v (rotated)", got, want)
		}
		if got, want := gs[1]["seq"], float64(over.Seq+3); got != want {
			t.Fatalf("seq=%v, want %v", got, want)
		}
		s := mustRoom(t, m, id).Snapshot()
		if s.Status != room.Playing || s.Result != nil || s.Players[0].Rematch || s.Players[1].Rematch {
			t.Fatalf("room after the rematch: %+v", s)
		}
		if saved := j.saved(t, id); saved.Room.GameNo != 2 || len(saved.Moves) != 0 || saved.Room.First != 1 {
			t.Fatalf("stored game %d, first %d, %d moves; want game 2, first 1, no move",
				saved.Room.GameNo, saved.Room.First, len(saved.Moves))
		}
	})
	t.Run("ErrNotFinished", func(t *testing.T) {
		m, _, _ := fakeManager(room.Config{})
		_, members, _ := twoPlayers(t, m, tiny)
		if err := members[0].Rematch(); !errors.Is(err, room.ErrNotFinished) {
			t.Fatalf("rematch in play: %v, want ErrNotFinished", err)
		}
	})
	t.Run("LeaverDropped", func(t *testing.T) {
		// Two of three asked; the third leaving completes the request, and
		// game 2 has the two seats.
		m, _, _ := fakeManager(room.Config{})
		three := tiny
		three.MaxPlayers = 3
		snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: three})
		if err != nil {
			t.Fatal(err)
		}
		var members []*room.Member
		ann := &conn{}
		for i, p := range []room.Player{{ID: "ann", Name: "Ann"}, {ID: "bob", Name: "Bob"}, {ID: "cat", Name: "Cat"}} {
			c := &conn{}
			if i == 0 {
				c = ann
			}
			mem, err := m.Join(ctx, snap.ID, p, room.RolePlayer, c)
			if err != nil {
				t.Fatal(err)
			}
			members = append(members, mem)
		}
		playOut(t, m, snap.ID, members)
		for _, mem := range members[:2] {
			if err := mem.Rematch(); err != nil {
				t.Fatal(err)
			}
		}
		if err := members[2].Leave(); err != nil {
			t.Fatal(err)
		}
		gs := ann.ofType("game_started")
		if len(gs) != 2 {
			t.Fatalf("%d game_started, want 2", len(gs))
		}
		if got, want := len(gs[1]["players"].([]any)), 2; got != want {
			t.Fatalf("game 2 has %d seats, want %d", got, want)
		}
	})
	t.Run("TooFewLeft", func(t *testing.T) {
		m, j, _ := fakeManager(room.Config{})
		id, members, conns := twoPlayers(t, m, tiny)
		playOut(t, m, id, members)
		if err := members[0].Leave(); err != nil {
			t.Fatal(err)
		}
		if err := members[1].Rematch(); err != nil {
			t.Fatal(err)
		}
		rr := conns[1].ofType("room_reset")
		if len(rr) != 1 || rr[0]["status"] != string(room.Waiting) || len(rr[0]["players"].([]any)) != 1 {
			t.Fatalf("room_reset %v, want one seat, waiting", rr)
		}
		saved := j.saved(t, id)
		if saved.Room.Status != room.Waiting || len(saved.Room.Seats) != 1 || saved.Room.Seats[0].Rematch {
			t.Fatalf("stored %+v, want waiting with bob alone", saved.Room)
		}
		if s := mustRoom(t, m, id).Snapshot(); s.Result != nil || s.Commitment != nil {
			t.Fatalf("a reset room shows the last game: %+v", s)
		}
	})
}
