package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"goldmine/game"
	"goldmine/room"
)

// Save implements room.Store: the room row, and a move and a finished game
// when the change has them, in one transaction of the next group commit.
func (s *Store) Save(ctx context.Context, w *room.Write) error {
	rules, err := json.Marshal(w.Room.Rules)
	if err != nil {
		return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
	}
	seats, err := json.Marshal(w.Room.Seats)
	if err != nil {
		return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := s.saveRoom(tx, w, rules, seats); err != nil {
			return err
		}
		if m := w.Move; m != nil {
			if _, err := tx.Stmt(s.ps.insertMove).Exec(w.Room.ID, m.GameNo, m.N, m.Seat, m.Kind.String(), m.Row, m.Col, m.MoveID, ms(m.At)); err != nil {
				return fmt.Errorf("store: save move %d of %s/%d: %w", m.N, w.Room.ID, m.GameNo, err)
			}
		}
		if w.Game != nil {
			id, err := saveGame(tx, w.Game, rules)
			if err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE rooms SET last_game_id = ? WHERE id = ?", id, w.Room.ID); err != nil {
				return fmt.Errorf("store: save room %s: %w", w.Room.ID, err)
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

func (s *Store) saveRoom(tx *sql.Tx, w *room.Write, rules, seats []byte) error {
	r := w.Room
	args := []any{r.Name, r.Private, r.CreatedBy, ms(r.CreatedAt), string(rules), string(r.Status), r.Seq,
		string(seats), r.GameNo, int64(r.Seed), r.Salt, r.First, ms(r.StartedAt), ms(r.UpdatedAt), r.ID}
	if w.Create {
		_, err := tx.Exec(`INSERT INTO rooms (name, private, created_by, created_at, rules, status, seq, seats,
			game_no, seed, salt, first_seat, started_at, updated_at, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if err != nil {
			return fmt.Errorf("store: create room %s: %w", r.ID, err)
		}
		return nil
	}
	res, err := tx.Stmt(s.ps.updateRoom).Exec(args...)
	if err != nil {
		return fmt.Errorf("store: update room %s: %w", r.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: update room %s: %w", r.ID, ErrNotFound)
	}
	return nil
}

func saveGame(tx *sql.Tx, g *room.GameRecord, rules []byte) (int64, error) {
	res, err := tx.Exec(`INSERT INTO games (room_id, game_no, rules, seed, first_seat, layout, salt, commitment,
		ended_reason, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.RoomID, g.GameNo, string(rules), int64(g.Seed), g.First, g.Layout, g.Salt, g.Commitment,
		string(g.Reason), ms(g.StartedAt), ms(g.EndedAt))
	if err != nil {
		return 0, fmt.Errorf("store: save game %s/%d: %w", g.RoomID, g.GameNo, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("store: save game %s/%d: %w", g.RoomID, g.GameNo, err)
	}
	// A game an admin closed is kept, but counts for nobody's statistics:
	// ending it at 0-0 must not hand every player a win.
	counts := g.Reason != game.EndClosed
	for _, p := range g.Players {
		// Players from a host's own identity system have no row yet.
		if _, err := tx.Exec(`INSERT INTO players (id, name, bot, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, p.PlayerID, p.Name, p.Bot, ms(g.EndedAt)); err != nil {
			return 0, fmt.Errorf("store: save game player %s: %w", p.PlayerID, err)
		}
		if _, err := tx.Exec(`INSERT INTO game_players (game_id, seat, player_id, name, bot, score, rank, winner,
			forfeited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, p.Seat, p.PlayerID, p.Name, p.Bot, p.Score, p.Rank, p.Winner, p.Forfeited); err != nil {
			return 0, fmt.Errorf("store: save game player %s: %w", p.PlayerID, err)
		}
		if !counts {
			continue
		}
		if _, err := tx.Exec(`UPDATE players SET games = games + 1, wins = wins + ?, gold = gold + ? WHERE id = ?`,
			p.Winner, p.Score, p.PlayerID); err != nil {
			return 0, fmt.Errorf("store: update player %s: %w", p.PlayerID, err)
		}
	}
	return id, nil
}

// LiveRooms implements room.Store: every room not closed, with the moves of
// its current game.
func (s *Store) LiveRooms(ctx context.Context) ([]room.Saved, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, private, created_by, created_at, rules, status, seq, seats,
		game_no, seed, salt, first_seat, started_at, coalesce(last_game_id, 0), updated_at
		FROM rooms WHERE status <> 'closed' ORDER BY created_at`)
	if err != nil {
		return nil, fmt.Errorf("store: live rooms: %w", err)
	}
	defer rows.Close()
	var out []room.Saved
	for rows.Next() {
		var r room.Record
		var created, started, updated, seed int64
		var rules, seats, status string
		if err := rows.Scan(&r.ID, &r.Name, &r.Private, &r.CreatedBy, &created, &rules, &status, &r.Seq, &seats,
			&r.GameNo, &seed, &r.Salt, &r.First, &started, &r.LastGameID, &updated); err != nil {
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
		out = append(out, room.Saved{Room: r})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: live rooms: %w", err)
	}
	for i := range out {
		if out[i].Room.GameNo == 0 {
			continue
		}
		if out[i].Moves, err = s.moves(ctx, out[i].Room.ID, out[i].Room.GameNo); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) moves(ctx context.Context, roomID string, gameNo int) ([]room.MoveRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n, seat, kind, row, col, move_id, at FROM moves
		WHERE room_id = ? AND game_no = ? ORDER BY n`, roomID, gameNo)
	if err != nil {
		return nil, fmt.Errorf("store: moves of %s/%d: %w", roomID, gameNo, err)
	}
	defer rows.Close()
	var out []room.MoveRecord
	for rows.Next() {
		m := room.MoveRecord{GameNo: gameNo}
		var kind string
		var at int64
		if err := rows.Scan(&m.N, &m.Seat, &kind, &m.Row, &m.Col, &m.MoveID, &at); err != nil {
			return nil, fmt.Errorf("store: moves of %s/%d: %w", roomID, gameNo, err)
		}
		if m.Kind, err = game.ParseMoveKind(kind); err != nil {
			return nil, fmt.Errorf("store: moves of %s/%d: %w", roomID, gameNo, err)
		}
		m.At = fromMS(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: moves of %s/%d: %w", roomID, gameNo, err)
	}
	return out, nil
}
