package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// Save implements room.Store: the room row, and a move and a finished game
// when the change has them, in one transaction of the next group commit. A
// move-only change writes the move alone, with the room's seq.
func (s *Store) Save(ctx context.Context, w *room.Write) error {
	if w.MoveOnly && w.Move != nil && !w.Create && !w.NewGame && w.Game == nil {
		err := s.write(ctx, func(tx *sql.Tx) error { return s.insertMove(tx, w.Room.ID, w.Room.Seq, w.Move) })
		if err != nil {
			return fmt.Errorf("store: save move of %s: %w", w.Room.ID, err)
		}
		return nil
	}
	// The rules are written only with a new room and with each finished
	// game; the seats with every other change.
	var rules []byte
	var err error
	if w.Create || w.Game != nil {
		if rules, err = json.Marshal(w.Room.Rules); err != nil {
			return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
		}
	}
	seats, err := json.Marshal(w.Room.Seats)
	if err != nil {
		return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
	}
	var moves []byte
	if w.Game != nil {
		if moves, err = encodeMoves(w.Game.Moves); err != nil {
			return fmt.Errorf("store: save game of %s: %w", w.Room.ID, err)
		}
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.saveRoom(tx, w, rules, seats); err != nil {
			return err
		}
		if w.NewGame {
			if _, err := tx.Stmt(s.ps.startLog).Exec(w.Room.ID); err != nil {
				return fmt.Errorf("store: start the move log of %s: %w", w.Room.ID, err)
			}
		}
		if w.Move != nil {
			if err := s.insertMove(tx, w.Room.ID, w.Room.Seq, w.Move); err != nil {
				return err
			}
		}
		if w.Game != nil {
			id, err := s.saveGame(tx, w.Game, rules, moves)
			if err != nil {
				return err
			}
			w.Game.ID = id
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
	}
	return nil
}

// errMoveStored refuses a move whose number its game already has, or one
// before it.
var errMoveStored = errors.New("a move with this number is already stored")

func (s *Store) insertMove(tx *sql.Tx, roomID string, seq int64, m *room.MoveRecord) error {
	// Room for the fence's two, so that a move on PostgreSQL does not
	// grow the slice: this runs for every move.
	args := make([]any, 0, 12)
	args = append(args, roomID, m.GameNo, m.N, seq, m.Seat, m.Kind.String(), m.Row, m.Col, m.MoveID, ms(m.At))
	if s.d.postgres {
		args = append(args, roomID, s.node) // the fence (sqlInsertMoveFenced)
	}
	if s.ps.moveHead != nil {
		res, err := tx.Stmt(s.ps.moveHead).Exec(roomID, m.GameNo, m.N)
		if err != nil {
			return fmt.Errorf("store: save move %d of %s/%d: %w", m.N, roomID, m.GameNo, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: save move %d of %s/%d: %w", m.N, roomID, m.GameNo, errMoveStored)
		}
	}
	res, err := tx.Stmt(s.ps.insertMove).Exec(args...)
	if err != nil {
		return fmt.Errorf("store: save move %d of %s/%d: %w", m.N, roomID, m.GameNo, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: save move %d of %s/%d: %w", m.N, roomID, m.GameNo, room.ErrNotOwner)
	}
	return nil
}

// encodeMoves packs a game's moves for its games row, as
// [kind, seat, row, col, at, move_id] arrays in order.
func encodeMoves(moves []room.MoveRecord) ([]byte, error) {
	out := make([][6]any, len(moves))
	for i, m := range moves {
		out[i] = [6]any{m.Kind.String(), m.Seat, m.Row, m.Col, ms(m.At), m.MoveID}
	}
	return json.Marshal(out)
}

func decodeMoves(gameNo int, data string) ([]room.MoveRecord, error) {
	var raw [][6]json.RawMessage
	if err := json.Unmarshal([]byte(data), &raw); err != nil {
		return nil, err
	}
	out := make([]room.MoveRecord, len(raw))
	for i, r := range raw {
		var kind, id string
		var at int64
		m := room.MoveRecord{GameNo: gameNo, N: i + 1}
		for j, dst := range []any{&kind, &m.Seat, &m.Row, &m.Col, &at, &id} {
			if err := json.Unmarshal(r[j], dst); err != nil {
				return nil, fmt.Errorf("move %d: %w", i+1, err)
			}
		}
		k, err := game.ParseMoveKind(kind)
		if err != nil {
			return nil, err
		}
		m.Kind, m.At, m.MoveID = k, fromMS(at), id
		out[i] = m
	}
	return out, nil
}

func (s *Store) saveRoom(tx *sql.Tx, w *room.Write, rules, seats []byte) error {
	r := w.Room
	if w.Create {
		_, err := tx.Exec(`INSERT INTO rooms (name, private, created_by, created_at, rules, status, seq, seats,
			game_no, seed, salt, first_seat, started_at, updated_at, bot_substitute, owner, rated, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Name, r.Private, r.CreatedBy, ms(r.CreatedAt), string(rules), string(r.Status), r.Seq,
			string(seats), r.GameNo, int64(r.Seed), r.Salt, r.First, ms(r.StartedAt), ms(r.UpdatedAt),
			r.BotSubstitute, s.node, r.Rated, r.ID)
		if err != nil {
			return fmt.Errorf("store: create room %s: %w", r.ID, err)
		}
		return nil
	}
	res, err := tx.Stmt(s.ps.updateRoom).Exec(string(r.Status), r.Seq, string(seats), r.GameNo, int64(r.Seed), r.Salt,
		r.First, ms(r.StartedAt), ms(r.UpdatedAt), r.ID, s.node)
	if err != nil {
		return fmt.Errorf("store: update room %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var owner string
		if s.d.postgres && tx.QueryRow("SELECT owner FROM rooms WHERE id = ?", r.ID).Scan(&owner) == nil {
			// Fenced: another node owns the room now.
			return fmt.Errorf("store: update room %s: owned by %q: %w", r.ID, owner, room.ErrNotOwner)
		}
		return fmt.Errorf("store: update room %s: %w", r.ID, domain.ErrNotFound)
	}
	return nil
}

func (s *Store) saveGame(tx *sql.Tx, g *room.GameRecord, rules, moves []byte) (int64, error) {
	var id int64
	err := tx.Stmt(s.ps.insertGame).QueryRow(g.RoomID, g.GameNo, string(rules), int64(g.Seed), g.First, g.Layout,
		g.Salt, g.Commitment, string(g.Reason), ms(g.StartedAt), ms(g.EndedAt), string(moves)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save game %s/%d: %w", g.RoomID, g.GameNo, err)
	}
	// A game an admin closed is kept, but counts for nobody's statistics:
	// ending it at 0-0 must not hand every player a win.
	counts := g.Reason != game.EndClosed
	for _, p := range g.Players {
		if counts {
			_, err = tx.Stmt(s.ps.countPlayer).Exec(p.PlayerID, p.Name, p.Bot, ms(g.EndedAt), p.Winner, p.Score)
		} else {
			_, err = tx.Stmt(s.ps.addPlayer).Exec(p.PlayerID, p.Name, p.Bot, ms(g.EndedAt))
		}
		if err != nil {
			return 0, fmt.Errorf("store: save game player %s: %w", p.PlayerID, err)
		}
		if _, err := tx.Stmt(s.ps.insertGamePlayer).Exec(id, p.Seat, p.PlayerID, p.Name, p.Bot, p.Score, p.Rank,
			p.Winner, p.Forfeited); err != nil {
			return 0, fmt.Errorf("store: save game player %s: %w", p.PlayerID, err)
		}
	}
	if _, err := tx.Stmt(s.ps.lastGame).Exec(id, g.RoomID); err != nil {
		return 0, fmt.Errorf("store: save room %s: %w", g.RoomID, err)
	}
	// In the game's own transaction, so that a rating never misses or
	// doubles a game (ratings.go).
	if err := s.rateGame(tx, id, g); err != nil {
		return 0, err
	}
	return id, nil
}

// LiveRooms implements room.Store: every room not closed, with the moves of
// its current game: from the journal for a game in play, from the games
// row for a finished one.
// On PostgreSQL, those are the rooms this node owns; the others are
// claimed as their owners' leases run out (ClaimRooms).
func (s *Store) LiveRooms(ctx context.Context) ([]room.Saved, error) {
	if s.d.postgres {
		return s.liveRooms(ctx, s.r, "owner = ?", s.node)
	}
	return s.liveRooms(ctx, s.r, "true")
}

// querier is a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// liveRooms is LiveRooms of the live rooms that match where, read with q.
func (s *Store) liveRooms(ctx context.Context, q querier, where string, args ...any) ([]room.Saved, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, private, created_by, created_at, rules, status, seq, seats,
		game_no, seed, salt, first_seat, started_at, coalesce(last_game_id, 0), updated_at, log_from, bot_substitute, rated
		FROM rooms WHERE status <> 'closed' AND (`+where+`) ORDER BY created_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: live rooms: %w", err)
	}
	defer rows.Close()
	var out []room.Saved
	playing := map[string]int{} // room id -> index in out
	var logFrom int64 = -1
	for rows.Next() {
		var r room.Record
		var created, started, updated, seed, from int64
		var rules, seats, status string
		if err := rows.Scan(&r.ID, &r.Name, &r.Private, &r.CreatedBy, &created, &rules, &status, &r.Seq, &seats,
			&r.GameNo, &seed, &r.Salt, &r.First, &started, &r.LastGameID, &updated, &from, &r.BotSubstitute, &r.Rated); err != nil {
			return nil, fmt.Errorf("store: live rooms: %w", err)
		}
		r.CreatedAt, r.StartedAt, r.UpdatedAt = fromMS(created), fromMS(started), fromMS(updated)
		r.Status, r.Seed = room.Status(status), uint64(seed)
		if err := json.Unmarshal([]byte(rules), &r.Rules); err != nil {
			return nil, fmt.Errorf("store: room %s rules: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(seats), &r.Seats); err != nil {
			return nil, fmt.Errorf("store: room %s seats: %w", r.ID, err)
		}
		if r.Status == room.Playing {
			playing[r.ID] = len(out)
			if logFrom < 0 || from < logFrom {
				logFrom = from
			}
		}
		out = append(out, room.Saved{Room: r})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: live rooms: %w", err)
	}
	rows.Close()
	for i := range out {
		if r := out[i].Room; r.Status == room.Finished && r.LastGameID > 0 {
			var data string
			if err := q.QueryRowContext(ctx, "SELECT moves FROM games WHERE id = ?", r.LastGameID).Scan(&data); err != nil {
				return nil, fmt.Errorf("store: moves of game %d: %w", r.LastGameID, err)
			}
			if out[i].Moves, err = decodeMoves(r.GameNo, data); err != nil {
				return nil, fmt.Errorf("store: moves of game %d: %w", r.LastGameID, err)
			}
		}
	}
	if len(playing) > 0 {
		if err := s.journal(ctx, q, logFrom, playing, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// journal reads the move journal from id from on, in one pass, and hands
// each room in play the moves of its current game. A room's seq is that of
// its last stored event, which a move-only write keeps in the journal.
func (s *Store) journal(ctx context.Context, q querier, from int64, playing map[string]int, out []room.Saved) error {
	rows, err := q.QueryContext(ctx, `SELECT room_id, game_no, n, seq, seat, kind, row, col, move_id, at
		FROM moves WHERE id >= ? ORDER BY id`, from)
	if err != nil {
		return fmt.Errorf("store: move journal: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m room.MoveRecord
		var roomID, kind string
		var seq, at int64
		if err := rows.Scan(&roomID, &m.GameNo, &m.N, &seq, &m.Seat, &kind, &m.Row, &m.Col, &m.MoveID, &at); err != nil {
			return fmt.Errorf("store: move journal: %w", err)
		}
		i, ok := playing[roomID]
		if !ok || out[i].Room.GameNo != m.GameNo {
			continue
		}
		if m.Kind, err = game.ParseMoveKind(kind); err != nil {
			return fmt.Errorf("store: move journal: %w", err)
		}
		m.At = fromMS(at)
		out[i].Moves = append(out[i].Moves, m)
		out[i].Room.Seq = max(out[i].Room.Seq, seq)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: move journal: %w", err)
	}
	return nil
}
