package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// TestLeases runs two nodes on one PostgreSQL database: a room belongs to
// the node that created it; the other node cannot claim it while that
// node's lease holds, and claims it, with every move, once the lease ran
// out; from then on the first node's writes of the room are refused, and
// its heartbeat no longer lists the room.
func TestLeases(t *testing.T) {
	dsn := newPostgresDB(t)
	ctx := context.Background()
	node := func(id string) *store.Store {
		return openAt(t, dsn, func(o *store.Options) {
			o.Node, o.URL, o.Lease = id, "http://"+id+".example:8080", time.Second
		})
	}
	a, b := node("a"), node("b")
	if !a.Clustered() || a.Node() != "a" || a.Lease() != time.Second {
		t.Fatalf("node a: clustered %v, id %q, lease %s", a.Clustered(), a.Node(), a.Lease())
	}
	store.InsertPlayer(t, a, "ann")
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: "LEASE1", Name: "Leased", CreatedBy: "ann", Rules: rules, Status: room.Waiting,
		Seats: []room.SeatRecord{{PlayerID: "ann", Name: "Ann"}, {PlayerID: "bob", Name: "Bob"}}}
	if err := a.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	rec.Status, rec.GameNo, rec.Seq = room.Playing, 1, 1
	if err := a.Save(ctx, &room.Write{Room: rec, NewGame: true}); err != nil {
		t.Fatal(err)
	}
	move := func(s *store.Store, n int) error {
		rec.Seq++
		return s.Save(ctx, &room.Write{Room: rec, MoveOnly: true,
			Move: &room.MoveRecord{GameNo: 1, N: n, Kind: game.Skip, Seat: (n - 1) % 2, At: fixedNow}})
	}
	for n := 1; n <= 3; n++ {
		if err := move(a, n); err != nil {
			t.Fatal(err)
		}
	}

	loc, err := b.Locate(ctx, "LEASE1")
	if err != nil || loc.Node != "a" || !loc.Live || loc.URL != "http://a.example:8080" || loc.Status != room.Playing {
		t.Fatalf("locate: %+v, %v", loc, err)
	}
	if _, err := b.Locate(ctx, "NOROOM"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("locate a missing room: %v", err)
	}
	remote, err := b.RemoteRooms(ctx)
	if err != nil || len(remote) != 1 || remote[0].Node != "a" || remote[0].Summary.Players != 2 {
		t.Fatalf("remote rooms at b: %+v, %v", remote, err)
	}
	if mine, err := a.RemoteRooms(ctx); err != nil || len(mine) != 0 {
		t.Fatalf("remote rooms at a: %+v, %v", mine, err)
	}
	if got, err := b.ClaimRooms(ctx, "", 10); err != nil || len(got) != 0 {
		t.Fatalf("b claimed %d rooms of a live node (%v)", len(got), err)
	}
	owned, err := a.Heartbeat(ctx, map[string]room.Count{"LEASE1": {Connected: 2, Spectators: 1}})
	if err != nil || !slices.Equal(owned, []string{"LEASE1"}) {
		t.Fatalf("a's heartbeat: %v, %v", owned, err)
	}
	if remote, _ := b.RemoteRooms(ctx); len(remote) != 1 || remote[0].Summary.Connected != 2 || remote[0].Summary.Spectators != 1 {
		t.Fatalf("the counts a published: %+v", remote)
	}
	nodes, err := b.Nodes(ctx)
	if err != nil || len(nodes) != 2 || !nodes[0].Live || !nodes[1].Live {
		t.Fatalf("nodes: %+v, %v", nodes, err)
	}

	// Node a stops renewing (as if it hung, or died with its row left).
	time.Sleep(1100 * time.Millisecond)
	if _, err := b.Heartbeat(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if loc, _ := b.Locate(ctx, "LEASE1"); loc.Live {
		t.Fatalf("a's lease still holds after it ran out: %+v", loc)
	}
	got, err := b.ClaimRooms(ctx, "", 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("b claimed %d rooms (%v), want 1", len(got), err)
	}
	if len(got[0].Moves) != 3 || got[0].Room.Seq != 4 {
		t.Fatalf("the adopted room: seq %d, %d moves; want 4 and 3", got[0].Room.Seq, len(got[0].Moves))
	}
	if again, err := b.ClaimRooms(ctx, "", 10); err != nil || len(again) != 0 {
		t.Fatalf("claimed again: %d (%v)", len(again), err)
	}
	// a is fenced off: a move and a room change are refused, and its
	// heartbeat tells it the room is gone.
	if err := move(a, 4); !errors.Is(err, room.ErrNotOwner) {
		t.Fatalf("a's move after b adopted the room: %v, want ErrNotOwner", err)
	}
	rec.Seq--
	if err := a.Save(ctx, &room.Write{Room: rec}); !errors.Is(err, room.ErrNotOwner) {
		t.Fatalf("a's room change after b adopted the room: %v, want ErrNotOwner", err)
	}
	if owned, err := a.Heartbeat(ctx, nil); err != nil || len(owned) != 0 {
		t.Fatalf("a's heartbeat after losing the room: %v, %v", owned, err)
	}
	if err := move(b, 4); err != nil {
		t.Fatalf("b's move: %v", err)
	}
	if live, err := b.LiveRooms(ctx); err != nil || len(live) != 1 || len(live[0].Moves) != 4 {
		t.Fatalf("b's live rooms: %+v, %v", live, err)
	}
}

// TestClaimWaitsForAMoveInFlight: a claim does not overtake a move that
// the owner is committing; it waits for it, and adopts the room with it.
func TestClaimWaitsForAMoveInFlight(t *testing.T) {
	dsn := newPostgresDB(t)
	ctx := context.Background()
	a := openAt(t, dsn, func(o *store.Options) { o.Node, o.Lease = "a", time.Second })
	b := openAt(t, dsn, func(o *store.Options) { o.Node, o.Lease = "b", time.Second })
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: "FLIGHT", Name: "f", CreatedBy: "ann", Rules: rules, Status: room.Playing, GameNo: 1, Seq: 1}
	if err := a.Save(ctx, &room.Write{Create: true, NewGame: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	// Stand in for a's writer in the middle of a commit: the fence's lock
	// is held, and the move is written but not committed.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("SELECT 1 FROM rooms WHERE id = 'FLIGHT' AND owner = 'a' FOR SHARE"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO moves (room_id, game_no, n, seq, seat, kind, "row", col, at)
		VALUES ('FLIGHT', 1, 1, 2, 0, 'skip', 0, 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE nodes SET lease_until = 0 WHERE id = 'a'"); err != nil {
		t.Fatal(err)
	}
	// The claim skips the locked row rather than wait...
	if got, err := b.ClaimRooms(ctx, "", 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed a room with a move in flight: %d (%v)", len(got), err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// ...and takes it, move and all, once the move is committed.
	got, err := b.ClaimRooms(ctx, "FLIGHT", 1)
	if err != nil || len(got) != 1 || len(got[0].Moves) != 1 || got[0].Room.Seq != 2 {
		t.Fatalf("claim after the commit: %+v, %v", got, err)
	}
}
