package store

import (
	"context"
	"database/sql"
	"fmt"
)

// stmts are the writer's hot statements, prepared once on its one
// connection. Parsing them again for every move cost a third of the
// writer's time; tx.Stmt reuses a statement prepared on the transaction's
// connection.
type stmts struct {
	savepoint, release, rollbackTo *sql.Stmt
	updateRoom, insertMove         *sql.Stmt
	startLog, prune                *sql.Stmt
}

const (
	sqlUpdateRoom = `UPDATE rooms SET name = ?, private = ?, created_by = ?, created_at = ?, rules = ?,
		status = ?, seq = ?, seats = ?, game_no = ?, seed = ?, salt = ?, first_seat = ?, started_at = ?,
		updated_at = ? WHERE id = ?`
	sqlInsertMove = `INSERT INTO moves (room_id, game_no, n, seq, seat, kind, row, col, move_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// A new game's moves start after every journal row written so far.
	sqlStartLog = `UPDATE rooms SET log_from = (SELECT coalesce(max(id), 0) + 1 FROM moves) WHERE id = ?`
	// The journal keeps the moves of games in play; everything below the
	// first move of the oldest of them belongs to finished games, which
	// hold their own moves.
	sqlPrune = `DELETE FROM moves WHERE id < coalesce(
		(SELECT min(log_from) FROM rooms WHERE status = 'playing' AND log_from > 0),
		(SELECT coalesce(max(id), 0) + 1 FROM moves))`
)

func (s *Store) prepare(ctx context.Context) error {
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.ps.savepoint, "SAVEPOINT w"},
		{&s.ps.release, "RELEASE w"},
		{&s.ps.rollbackTo, "ROLLBACK TO w"},
		{&s.ps.updateRoom, sqlUpdateRoom},
		{&s.ps.insertMove, sqlInsertMove},
		{&s.ps.startLog, sqlStartLog},
		{&s.ps.prune, sqlPrune},
	} {
		st, err := s.w.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("store: prepare %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	return nil
}
