package store_test

import (
	"context"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// TestMoveNumbersAreUnique: the journal refuses a second move with a
// number its game has, and the migration that adds the constraint keeps
// the first of the duplicates an older binary stored (issue 16.4).
func TestMoveNumbersAreUnique(t *testing.T) { eachBackend(t, testMoveNumbersAreUnique) }

func testMoveNumbersAreUnique(t *testing.T, b backend) {
	ctx := context.Background()
	path := b.newPath(t)
	// The last version before the constraint, on each database.
	before := 4
	if store.IsPostgres(path) {
		before = 2
	}
	store.OpenAtVersion(t, path, before, `
		INSERT INTO players (id, name, created_at) VALUES ('ann', 'Ann', 0);
		INSERT INTO rooms (id, name, private, created_by, created_at, rules, status, seq, seats, game_no, seed, salt,
			first_seat, started_at, updated_at, log_from, owner)
		VALUES ('DUPE22', 'd', 0, 'ann', 0, '{"rows":9,"cols":9,"gold":10,"max_players":2}', 'playing', 5,
			'[{"player_id":"ann","name":"Ann"},{"player_id":"bob","name":"Bob"}]', 1, 1, 's', 0, 0, 0, 1, 'node');
		INSERT INTO moves (room_id, game_no, n, seq, seat, kind, "row", col, move_id, at) VALUES
			('DUPE22', 1, 1, 2, 0, 'dig', 1, 1, '"a"', 1),
			('DUPE22', 1, 1, 2, 0, 'dig', 1, 2, '"b"', 2),
			('DUPE22', 1, 2, 3, 1, 'skip', 0, 0, '', 3),
			('DUPE22', 1, 2, 4, 1, 'skip', 0, 0, '', 4);`)
	s := openAt(t, path)
	live, err := s.LiveRooms(ctx)
	if err != nil || len(live) != 1 {
		t.Fatalf("LiveRooms() = %d rooms, %v", len(live), err)
	}
	moves := live[0].Moves
	if len(moves) != 2 || moves[0].N != 1 || moves[0].Col != 1 || moves[0].MoveID != `"a"` || moves[1].N != 2 {
		t.Fatalf("moves after the migration: %+v, want the first of each number", moves)
	}
	rec := live[0].Room
	save := func(n int) error {
		rec.Seq++
		return s.Save(ctx, &room.Write{Room: rec, MoveOnly: true,
			Move: &room.MoveRecord{GameNo: 1, N: n, Kind: game.Skip, Seat: n % 2, At: fixedNow}})
	}
	if err := save(2); err == nil {
		t.Fatal("a second move 2 was stored")
	}
	if err := save(3); err != nil {
		t.Fatalf("move 3 after a refused duplicate: %v", err)
	}
	if live, _ := s.LiveRooms(ctx); len(live[0].Moves) != 3 {
		t.Fatalf("%d moves stored, want 3", len(live[0].Moves))
	}
}
