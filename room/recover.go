package room

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/goldmine-game/goldmine/game"
)

// Recover rebuilds every room the store holds as live: seats, scores, turn
// and seq exactly as they were, the game replayed from its seed and moves.
// Every player starts disconnected, with a fresh reconnect grace, and the
// turn timer starts again from now. A room that cannot be rebuilt is logged
// and left out, so that one bad room cannot keep the server down.
func (m *Manager) Recover(ctx context.Context) (int, error) {
	saved, err := m.cfg.Store.LiveRooms(ctx)
	if err != nil {
		return 0, fmt.Errorf("room: recover: %w", err)
	}
	return m.Adopt(saved), nil
}

// Adopt rebuilds stored rooms on this node (at start, or in a cluster
// when a node whose lease ran out left them) and returns how many it
// rebuilt. A room this node already holds is kept as it is; one that
// cannot be rebuilt is logged and skipped. Their players reconnect into
// them.
func (m *Manager) Adopt(saved []Saved) int {
	n := 0
	for _, s := range saved {
		m.mu.RLock()
		_, held := m.rooms[s.Room.ID]
		m.mu.RUnlock()
		if held {
			continue
		}
		r, err := m.rebuild(s)
		if err != nil {
			m.cfg.Log.Error("room: cannot recover room", "room", s.Room.ID, "err", err)
			continue
		}
		m.mu.Lock()
		m.add(r)
		m.mu.Unlock()
		r.mu.Lock()
		r.rearm()
		r.mu.Unlock()
		n++
	}
	return n
}

func (m *Manager) rebuild(s Saved) (*Room, error) {
	rec := s.Room
	r := m.newRoom(rec.ID, rec.Name, rec.Private, rec.CreatedBy, rec.CreatedAt, rec.Rules)
	now := m.cfg.Clock.Now()
	r.status, r.seq, r.gameNo, r.seed, r.salt, r.first = rec.Status, rec.Seq, rec.GameNo, rec.Seed, rec.Salt, rec.First
	r.startedAt, r.lastGameID = rec.StartedAt, rec.LastGameID
	r.botSubstitute, r.rated = rec.BotSubstitute, rec.Rated
	for _, sr := range rec.Seats {
		r.seats = append(r.seats, &seat{SeatRecord: sr, awaySince: now})
	}
	switch rec.Status {
	case Waiting:
		r.publish()
		return r, nil
	case Playing, Finished:
	default:
		return nil, fmt.Errorf("status %q is not live", rec.Status)
	}
	moves := make([]game.Move, len(s.Moves))
	r.moveIDs = map[string]int64{}
	for i, mv := range s.Moves {
		if mv.N != i+1 {
			return nil, fmt.Errorf("move %d of game %d is numbered %d", i+1, rec.GameNo, mv.N)
		}
		moves[i] = game.Move{Kind: mv.Kind, Seat: mv.Seat, Row: mv.Row, Col: mv.Col}
		if key := moveKey(mv.Seat, json.RawMessage(mv.MoveID)); key != "" {
			// The seq is not kept per move; any value marks the id as used.
			r.moveIDs[key] = 0
		}
	}
	g, err := game.Replay(rec.Rules, rec.Seed, len(rec.Seats), rec.First, moves)
	if err != nil {
		return nil, err
	}
	r.g, r.moves = g, s.Moves
	if o, over := g.Outcome(); over {
		if rec.Status != Finished {
			return nil, fmt.Errorf("game %d is over but the room is %s", rec.GameNo, rec.Status)
		}
		// finish rebuilds the result; its write and event are dropped,
		// since both were stored and sent before the crash.
		seq := r.seq
		var w Write
		r.finish(&w, o)
		r.seq, r.out = seq, r.out[:0]
		r.result.GameID = rec.LastGameID
		for i, sr := range rec.Seats {
			r.seats[i].Rematch = sr.Rematch
		}
	} else {
		if rec.Status != Playing {
			return nil, fmt.Errorf("game %d is not over but the room is %s", rec.GameNo, rec.Status)
		}
		r.newTurn()
	}
	r.publish()
	return r, nil
}
