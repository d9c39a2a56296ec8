package store

import (
	"cmp"
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
	startLog, prune, moveHead      *sql.Stmt
	insertGame, insertGamePlayer   *sql.Stmt
	countPlayer, addPlayer         *sql.Stmt
	lastGame                       *sql.Stmt
}

const (
	// Only what changes after creation: name, privacy, creator, creation
	// time and rules are written once, by the INSERT.
	sqlUpdateRoom = `UPDATE rooms SET status = ?, seq = ?, seats = ?, game_no = ?, seed = ?, salt = ?,
		first_seat = ?, started_at = ?, updated_at = ? WHERE id = ? AND owner = ?`
	// sqlInsertMoveFenced is sqlInsertMove on PostgreSQL, fenced by the
	// room's owner (see cluster.go), in one round trip: the move is
	// written only if this node owns the room, whose row it share-locks
	// until the commit. The casts type the parameters of the SELECT.
	sqlInsertMoveFenced = `INSERT INTO moves (room_id, game_no, n, seq, seat, kind, row, col, move_id, at)
		SELECT ?::text, ?::int, ?::int, ?::bigint, ?::int, ?::text, ?::int, ?::int, ?::text, ?::bigint
		WHERE EXISTS (SELECT 1 FROM rooms WHERE id = ?::text AND owner = ?::text FOR SHARE)`
	sqlInsertMove = `INSERT INTO moves (room_id, game_no, n, seq, seat, kind, row, col, move_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// sqlMoveHead moves a room's head to a move's (game_no, n), only
	// forward: a number already stored changes no row (migration 0008).
	sqlMoveHead = `INSERT INTO move_heads (room_id, game_no, n) VALUES (?, ?, ?)
		ON CONFLICT (room_id) DO UPDATE SET game_no = excluded.game_no, n = excluded.n
		WHERE (excluded.game_no, excluded.n) > (move_heads.game_no, move_heads.n)`
	// A new game's moves start after every journal row written so far.
	sqlStartLog = `UPDATE rooms SET log_from = (SELECT coalesce(max(id), 0) + 1 FROM moves) WHERE id = ?`
	// The journal's prune is in prune.go.
)

const (
	sqlInsertGame = `INSERT INTO games (room_id, game_no, rules, seed, first_seat, layout, salt, commitment,
		ended_reason, started_at, ended_at, moves) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	sqlInsertGamePlayer = `INSERT INTO game_players (game_id, seat, player_id, name, bot, score, rank, winner,
		forfeited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// A player of a counted game: created if a host's identity system
	// made them (no row yet), and their totals raised, in one statement.
	sqlCountPlayer = `INSERT INTO players (id, name, bot, created_at, games, wins, gold) VALUES (?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET games = players.games + 1, wins = players.wins + excluded.wins,
		gold = players.gold + excluded.gold`
	// A player of a game that counts for nobody (closed by an admin).
	sqlAddPlayer = `INSERT INTO players (id, name, bot, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	sqlLastGame  = `UPDATE rooms SET last_game_id = ? WHERE id = ?`
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
		{&s.ps.insertMove, cmp.Or(s.d.insertMove, sqlInsertMove)},
		{&s.ps.startLog, sqlStartLog},
		{&s.ps.prune, sqlPrune},
		{&s.ps.insertGame, sqlInsertGame},
		{&s.ps.insertGamePlayer, sqlInsertGamePlayer},
		{&s.ps.countPlayer, sqlCountPlayer},
		{&s.ps.addPlayer, sqlAddPlayer},
		{&s.ps.lastGame, sqlLastGame},
		{&s.ps.moveHead, s.d.moveHead},
	} {
		if p.sql == "" {
			continue // not on this database
		}
		st, err := s.w.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("store: prepare %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	return nil
}
