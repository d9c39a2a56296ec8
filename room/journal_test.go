package room_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/goldmine-game/goldmine/room"
)

// errDisk is what a refusing store returns in these tests.
var errDisk = errors.New("disk full")

// journal keeps what a room.FakeStore was given, as a store would, so
// that tests can check the writes and rebuild rooms from them. While
// refuse is set, a write it returns an error for is refused and kept out.
type journal struct {
	mu     sync.Mutex
	refuse func(w *room.Write) error
	writes []room.Write
	rooms  map[string]*room.Saved
	games  int64
}

func newJournal() (*journal, *room.FakeStore) {
	j := &journal{rooms: map[string]*room.Saved{}}
	return j, &room.FakeStore{SaveFn: j.save, LiveRoomsFn: j.liveRooms}
}

func (j *journal) save(_ context.Context, w *room.Write) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.refuse != nil {
		if err := j.refuse(w); err != nil {
			return err
		}
	}
	s := j.rooms[w.Room.ID]
	if w.Create {
		if s != nil {
			return fmt.Errorf("journal: room %s exists", w.Room.ID)
		}
		s = &room.Saved{}
		j.rooms[w.Room.ID] = s
	}
	if s == nil {
		return fmt.Errorf("journal: no room %s", w.Room.ID)
	}
	s.Room = w.Room
	if w.NewGame {
		s.Moves = nil
	}
	if w.Move != nil {
		s.Moves = append(s.Moves, *w.Move)
	}
	if w.Game != nil {
		j.games++
		w.Game.ID = j.games
	}
	c := *w
	if w.Move != nil {
		mv := *w.Move
		c.Move = &mv
	}
	j.writes = append(j.writes, c)
	return nil
}

func (j *journal) liveRooms(context.Context) ([]room.Saved, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []room.Saved
	for _, s := range j.rooms {
		if s.Room.Status != room.Closed {
			out = append(out, room.Saved{Room: s.Room, Moves: append([]room.MoveRecord(nil), s.Moves...)})
		}
	}
	return out, nil
}

// refuseAll makes every write fail with err (nil to accept them again).
func (j *journal) refuseAll(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.refuse = nil
	if err != nil {
		j.refuse = func(*room.Write) error { return err }
	}
}

// refuseIf makes the writes that f picks fail with errDisk.
func (j *journal) refuseIf(f func(w *room.Write) bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.refuse = func(w *room.Write) error {
		if f(w) {
			return errDisk
		}
		return nil
	}
}

// last returns the last write accepted.
func (j *journal) last(t *testing.T) room.Write {
	t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.writes) == 0 {
		t.Fatal("no write was stored")
	}
	return j.writes[len(j.writes)-1]
}

// count returns how many writes were accepted.
func (j *journal) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.writes)
}

// saved returns the room as the journal holds it.
func (j *journal) saved(t *testing.T, id string) room.Saved {
	t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.rooms[id]
	if s == nil {
		t.Fatalf("no room %s in the journal", id)
	}
	return room.Saved{Room: s.Room, Moves: append([]room.MoveRecord(nil), s.Moves...)}
}

// fakeManager returns a manager on a journal and a fake clock.
func fakeManager(cfg room.Config) (*room.Manager, *journal, *room.FakeClock) {
	j, fs := newJournal()
	clock := room.NewFakeClock(t0)
	cfg.Store, cfg.Clock, cfg.Log = fs, clock, quiet
	return room.NewManager(cfg), j, clock
}
