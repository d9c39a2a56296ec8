package room

import (
	"context"
	"time"

	"github.com/goldmine-game/goldmine/game"
)

// FakeStore is a Store whose methods call its function fields, in the
// manner of benbjohnson/wtf's mock package: each test sets the behaviour
// it needs, failures included. A method whose field is nil panics, so a
// call the test did not expect cannot pass unnoticed. It lives in a test
// file of package room so that the tests of both room and room_test can
// use it.
type FakeStore struct {
	SaveFn      func(ctx context.Context, w *Write) error
	LiveRoomsFn func(ctx context.Context) ([]Saved, error)
}

var _ Store = (*FakeStore)(nil)

// Save calls SaveFn.
func (s *FakeStore) Save(ctx context.Context, w *Write) error { return s.SaveFn(ctx, w) }

// LiveRooms calls LiveRoomsFn.
func (s *FakeStore) LiveRooms(ctx context.Context) ([]Saved, error) { return s.LiveRoomsFn(ctx) }

// State is what a checkpoint of a room covers, as values that
// reflect.DeepEqual can compare: the game as its moves and views.
type State struct {
	Record    Record
	Moves     []MoveRecord
	MoveIDs   map[string]int64
	Result    *Result
	TurnStart time.Time
	Deadline  time.Time
	Game      []game.Move
	Over      bool
	Turn      int
	Scores    []int
	Full      game.View
}

// StateOf returns r's state as its checkpoint covers it. Record.UpdatedAt
// is left zero: it is the time of a write, not of the room.
func StateOf(r *Room) State {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.record()
	rec.UpdatedAt = time.Time{}
	s := State{Record: rec, Moves: r.moves, MoveIDs: r.moveIDs, Result: r.result,
		TurnStart: r.turnStart, Deadline: r.deadline}
	if r.g != nil {
		s.Game, s.Over, s.Turn, s.Scores, s.Full = r.g.Moves(), r.g.Over(), r.g.Turn(), r.g.Scores(), r.g.FullView()
	}
	return s
}
