package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// Games returns a page of finished games with their players, newest first.
// Pass the last id of one page as Before to get the next.
func (s *Store) Games(ctx context.Context, f domain.GamesFilter) ([]room.GameRecord, error) {
	f.Limit = clamp(f.Limit, 20, 100)
	q := gameCols + " FROM games g WHERE 1 = 1"
	var args []any
	if f.Player != "" {
		q += " AND g.id IN (SELECT game_id FROM game_players WHERE player_id = ?)"
		args = append(args, f.Player)
	}
	if f.Before > 0 {
		q += " AND g.id < ?"
		args = append(args, f.Before)
	}
	q += " ORDER BY g.id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: games: %w", err)
	}
	defer rows.Close()
	var out []room.GameRecord
	for rows.Next() {
		g, err := scanGame(rows)
		if err != nil {
			return nil, fmt.Errorf("store: games: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: games: %w", err)
	}
	if err := s.gamePlayers(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Game returns one finished game with its moves, or ErrNotFound.
func (s *Store) Game(ctx context.Context, id int64) (domain.Game, error) {
	rec, err := scanGame(s.r.QueryRowContext(ctx, gameCols+" FROM games g WHERE g.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Game{}, fmt.Errorf("store: game %d: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return domain.Game{}, fmt.Errorf("store: game %d: %w", id, err)
	}
	recs := []room.GameRecord{rec}
	if err := s.gamePlayers(ctx, recs); err != nil {
		return domain.Game{}, err
	}
	var data string
	if err := s.r.QueryRowContext(ctx, "SELECT moves FROM games WHERE id = ?", id).Scan(&data); err != nil {
		return domain.Game{}, fmt.Errorf("store: game %d: %w", id, err)
	}
	moves, err := decodeMoves(rec.GameNo, data)
	if err != nil {
		return domain.Game{}, fmt.Errorf("store: game %d moves: %w", id, err)
	}
	recs[0].Moves = moves
	return domain.Game{GameRecord: recs[0]}, nil
}

const gameCols = `SELECT g.id, g.room_id, g.game_no, g.rules, g.seed, g.first_seat, g.layout, g.salt, g.commitment,
	g.ended_reason, g.started_at, g.ended_at`

func scanGame(row interface{ Scan(...any) error }) (room.GameRecord, error) {
	var g room.GameRecord
	var rules, reason string
	var seed, started, ended int64
	if err := row.Scan(&g.ID, &g.RoomID, &g.GameNo, &rules, &seed, &g.First, &g.Layout, &g.Salt, &g.Commitment,
		&reason, &started, &ended); err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(rules), &g.Rules); err != nil {
		return g, fmt.Errorf("game %d rules: %w", g.ID, err)
	}
	g.Seed, g.Reason, g.StartedAt, g.EndedAt = uint64(seed), game.EndReason(reason), fromMS(started), fromMS(ended)
	return g, nil
}

// gamePlayers fills in the players of games, in one query.
func (s *Store) gamePlayers(ctx context.Context, games []room.GameRecord) error {
	if len(games) == 0 {
		return nil
	}
	idx := map[int64]int{}
	args := make([]any, len(games))
	for i, g := range games {
		idx[g.ID] = i
		args[i] = g.ID
	}
	rows, err := s.r.QueryContext(ctx, `SELECT game_id, seat, player_id, name, bot, score, rank, winner, forfeited
		FROM game_players WHERE game_id IN (?`+strings.Repeat(", ?", len(games)-1)+`) ORDER BY game_id, seat`, args...)
	if err != nil {
		return fmt.Errorf("store: game players: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p room.GamePlayer
		if err := rows.Scan(&id, &p.Seat, &p.PlayerID, &p.Name, &p.Bot, &p.Score, &p.Rank, &p.Winner, &p.Forfeited); err != nil {
			return fmt.Errorf("store: game players: %w", err)
		}
		g := &games[idx[id]]
		g.Players = append(g.Players, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: game players: %w", err)
	}
	return nil
}

// Leaderboard ranks human, unbanned players by wins, then gold: over all
// time, or over the games that ended in the last 7 days. A shared top score
// counted as a win for every winner. Equal wins and gold share a rank.
func (s *Store) Leaderboard(ctx context.Context, period string, limit int) ([]domain.LeaderboardEntry, error) {
	limit = clamp(limit, 10, 100)
	var rows *sql.Rows
	var err error
	switch period {
	case domain.PeriodAll, "":
		rows, err = s.r.QueryContext(ctx, `SELECT id, name, wins, games, gold FROM players
			WHERE bot = 0 AND banned_at IS NULL AND games > 0 ORDER BY wins DESC, gold DESC, id LIMIT ?`, limit)
	case domain.PeriodWeek:
		since := ms(s.now().Add(-7 * 24 * time.Hour))
		rows, err = s.r.QueryContext(ctx, `SELECT gp.player_id, p.name, sum(gp.winner) AS w, count(*), sum(gp.score) AS gd
			FROM game_players gp JOIN games g ON g.id = gp.game_id JOIN players p ON p.id = gp.player_id
			WHERE g.ended_at >= ? AND g.ended_reason <> 'closed' AND p.bot = 0 AND p.banned_at IS NULL
			GROUP BY gp.player_id, p.name ORDER BY w DESC, gd DESC, gp.player_id LIMIT ?`, since, limit)
	default:
		return nil, fmt.Errorf("store: leaderboard period %q: want %q or %q", period, domain.PeriodAll, domain.PeriodWeek)
	}
	if err != nil {
		return nil, fmt.Errorf("store: leaderboard: %w", err)
	}
	defer rows.Close()
	var out []domain.LeaderboardEntry
	for rows.Next() {
		var st domain.LeaderboardEntry
		if err := rows.Scan(&st.PlayerID, &st.Name, &st.Wins, &st.Games, &st.Gold); err != nil {
			return nil, fmt.Errorf("store: leaderboard: %w", err)
		}
		st.Rank = len(out) + 1
		if n := len(out); n > 0 && out[n-1].Wins == st.Wins && out[n-1].Gold == st.Gold {
			st.Rank = out[n-1].Rank
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: leaderboard: %w", err)
	}
	return out, nil
}

// clamp returns v, or def when v <= 0, and at most max.
func clamp(v, def, max int) int {
	if v <= 0 {
		return def
	}
	return min(v, max)
}
