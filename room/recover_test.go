package room_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// TestRecoverJournal rebuilds rooms from what a store journaled, over a
// fake store: an intact journal gives the room back as it was; a journal
// with a move missing or numbered twice cannot be replayed faithfully, so
// that room is left out (and logged) while the others are rebuilt.
func TestRecoverJournal(t *testing.T) {
	ctx := context.Background()
	classic, _ := game.Preset("classic")
	classic.TurnSeconds = 0 // the recovered deadline is not what is compared
	// played returns the journal of a room where four moves were made,
	// and of a waiting room, with the playing room as it was.
	played := func(t *testing.T) (room.Saved, room.Saved, room.Snapshot) {
		t.Helper()
		m, j, _ := fakeManager(room.Config{})
		id, members, _ := twoPlayers(t, m, classic)
		for i := range 4 {
			s, _ := m.Snapshot(id)
			row, col := firstHidden(s)
			if err := members[*s.Turn].Dig(row, col, json.RawMessage(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		other, err := m.Create(ctx, room.Player{ID: "cat", Name: "Cat"}, room.Options{Rules: classic})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := m.Snapshot(id)
		saved := j.saved(t, id)
		if got, want := len(saved.Moves), 4; got != want {
			t.Fatalf("%d moves journaled, want %d", got, want)
		}
		return saved, j.saved(t, other.ID), s
	}
	recover := func(t *testing.T, saved ...room.Saved) (*room.Manager, int, error) {
		t.Helper()
		m := room.NewManager(room.Config{Clock: room.NewFakeClock(t0.Add(time.Hour)), Log: quiet, Store: &room.FakeStore{
			LiveRoomsFn: func(context.Context) ([]room.Saved, error) { return saved, nil },
			SaveFn: func(context.Context, *room.Write) error {
				t.Error("recovery wrote to the store")
				return nil
			},
		}})
		n, err := m.Recover(ctx)
		return m, n, err
	}

	t.Run("OK", func(t *testing.T) {
		saved, waiting, before := played(t)
		m, n, err := recover(t, saved, waiting)
		if err != nil || n != 2 {
			t.Fatalf("Recover() = %d, %v; want 2 rooms", n, err)
		}
		after, err := m.Snapshot(saved.Room.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range before.Players {
			before.Players[i].Connected = false
		}
		if !reflect.DeepEqual(after, before) {
			t.Fatalf("recovered room:\n got %+v\nwant %+v", after, before)
		}
	})
	for _, tt := range []struct {
		name    string
		corrupt func(moves []room.MoveRecord) []room.MoveRecord
	}{
		// Moves 1 and 4 alone would replay (seats 0 then 1, the cell of 4
		// still hidden after 1): only the numbering tells of the gap.
		{"Gap", func(mv []room.MoveRecord) []room.MoveRecord { return []room.MoveRecord{mv[0], mv[3]} }},
		{"NumberedTwice", func(mv []room.MoveRecord) []room.MoveRecord { mv[2].N = 2; return mv }},
		{"FromTwo", func(mv []room.MoveRecord) []room.MoveRecord { return mv[1:] }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			saved, waiting, _ := played(t)
			saved.Moves = tt.corrupt(saved.Moves)
			m, n, err := recover(t, saved, waiting)
			if err != nil || n != 1 {
				t.Fatalf("Recover() = %d, %v; want the other room alone", n, err)
			}
			if _, err := m.Room(saved.Room.ID); !errors.Is(err, room.ErrUnknownRoom) {
				t.Fatalf("the room with a broken journal was rebuilt: %v", err)
			}
			if _, err := m.Room(waiting.Room.ID); err != nil {
				t.Fatalf("the intact room: %v", err)
			}
		})
	}
	t.Run("LiveRoomsFails", func(t *testing.T) {
		m := room.NewManager(room.Config{Clock: room.NewFakeClock(t0), Log: quiet, Store: &room.FakeStore{
			LiveRoomsFn: func(context.Context) ([]room.Saved, error) { return nil, errDisk },
		}})
		if n, err := m.Recover(ctx); n != 0 || !errors.Is(err, errDisk) {
			t.Fatalf("Recover() = %d, %v; want 0 and the store's error", n, err)
		}
	})
}
