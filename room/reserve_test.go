package room_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// TestReservedSeats: a quick-match room seats only its matched players
// (and bots) until the reservation runs out, then anyone; and a rated
// room's games carry the flag to the store.
func TestReservedSeats(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "goldmine.db"))
	clock := room.NewFakeClock(t0)
	m := newManager(st, clock)
	rules, _ := game.Preset("party")
	rules.MaxPlayers = 4
	snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules, Rated: true,
		Reserved: []string{"ann", "bob"}, ReserveFor: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Rated {
		t.Fatal("snapshot not rated")
	}
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "eve", Name: "Eve"}, room.RolePlayer, &conn{}); !errors.Is(err, room.ErrRoomFull) {
		t.Fatalf("a stranger's join = %v, want ErrRoomFull", err)
	}
	for _, p := range []room.Player{{ID: "bob", Name: "Bob"}, {ID: "bot1", Name: "Bot", Bot: true}} {
		if _, err := m.Join(ctx, snap.ID, p, room.RolePlayer, &conn{}); err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
	}
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "eve", Name: "Eve"}, room.RolePlayer, &conn{}); err == nil {
		t.Fatal("a stranger joined a reserved room")
	}
	clock.Advance(30 * time.Second)
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "eve", Name: "Eve"}, room.RolePlayer, &conn{}); err != nil {
		t.Fatalf("after the reservation: %v", err)
	}
}

// TestMatchRoomClosesWhenPlayed: a quick-match room whose game was played
// and that everyone left closes after MatchRoomIdle, not the 10 minutes of
// other rooms.
func TestMatchRoomClosesWhenPlayed(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "goldmine.db"))
	clock := room.NewFakeClock(t0)
	m := newManager(st, clock)
	rules, _ := game.Preset("classic")
	snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules, Rated: true,
		Reserved: []string{"ann", "bob"}, ReserveFor: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, &conn{})
	b, _ := m.Join(ctx, snap.ID, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, &conn{})
	if err := a.Leave(); err != nil { // a forfeit: the game is over
		t.Fatal(err)
	}
	if err := b.Leave(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(room.MatchRoomIdle - time.Second)
	if _, err := m.Snapshot(snap.ID); err != nil {
		t.Fatalf("closed too early: %v", err)
	}
	clock.Advance(2 * time.Second)
	if _, err := m.Snapshot(snap.ID); !errors.Is(err, room.ErrUnknownRoom) {
		t.Fatalf("after MatchRoomIdle: %v, want the room closed", err)
	}
}
