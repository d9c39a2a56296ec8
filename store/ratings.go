package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/rating"
	"github.com/goldmine-game/goldmine/room"
)

// Ratable reports whether a game of a rated room changes ratings: not one
// an admin ended, nor one in which fewer than 2 seats dug (a game nobody
// played says nothing about anybody's strength).
func Ratable(g *room.GameRecord) bool {
	if g.Reason == game.EndClosed || len(g.Players) < 2 {
		return false
	}
	moved := map[int]bool{}
	for _, m := range g.Moves {
		if m.Kind == game.Dig {
			moved[m.Seat] = true
		}
	}
	return len(moved) >= 2
}

// ratedSeat is one seat of a rated game, as the store rates it.
type ratedSeat struct {
	seat      int
	playerID  string
	bot       bool
	botLevel  string
	rank      int
	forfeited bool
}

// rateGame rates a game just stored, inside its transaction, if its room
// was rated and the game counts.
func (s *Store) rateGame(tx *sql.Tx, id int64, g *room.GameRecord) error {
	if !g.Rated || !Ratable(g) {
		return nil
	}
	if _, err := tx.Exec("UPDATE games SET rated = 1 WHERE id = ?", id); err != nil {
		return fmt.Errorf("store: rate game %d: %w", id, err)
	}
	seats := make([]ratedSeat, len(g.Players))
	for i, p := range g.Players {
		seats[i] = ratedSeat{seat: p.Seat, playerID: p.PlayerID, bot: p.Bot, botLevel: p.BotLevel, rank: p.Rank, forfeited: p.Forfeited}
		if p.Bot && p.BotLevel != "" {
			if _, err := tx.Exec("UPDATE game_players SET bot_level = ? WHERE game_id = ? AND seat = ?", p.BotLevel, id, p.Seat); err != nil {
				return fmt.Errorf("store: rate game %d: %w", id, err)
			}
		}
	}
	return s.applyRatings(tx, id, seats, ms(g.EndedAt))
}

// applyRatings rates one game's seats from the ratings as they stand, and
// stores the new ones with each player's change.
func (s *Store) applyRatings(tx *sql.Tx, gameID int64, seats []ratedSeat, at int64) error {
	in := make([]rating.Seat, len(seats))
	games := make([]int, len(seats))
	// FOR UPDATE on PostgreSQL: two nodes rating games of one player wait
	// for each other, and a rebuild (which locks the table) holds them off
	// until it is done.
	lock := ""
	if s.d.postgres {
		lock = " FOR UPDATE"
	}
	for i, st := range seats {
		in[i] = rating.Seat{Rank: st.rank, Forfeited: st.forfeited}
		if st.bot {
			r, ok := rating.Bot(st.botLevel)
			if !ok {
				r, _ = rating.Bot("normal")
			}
			in[i].Rating, in[i].Fixed = r, true
			continue
		}
		err := tx.QueryRow("SELECT rating, rd, volatility, games FROM ratings WHERE player_id = ?"+lock, st.playerID).
			Scan(&in[i].Rating.Rating, &in[i].Rating.RD, &in[i].Rating.Volatility, &games[i])
		if errors.Is(err, sql.ErrNoRows) {
			in[i].Rating, err = rating.Start, nil
		}
		if err != nil {
			return fmt.Errorf("store: rating of %s: %w", st.playerID, err)
		}
	}
	out := rating.System{}.Game(in)
	for i, st := range seats {
		if st.bot {
			continue
		}
		before, after := in[i].Rating, out[i]
		if _, err := tx.Exec(`INSERT INTO ratings (player_id, rating, rd, volatility, games, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (player_id) DO UPDATE SET rating = excluded.rating, rd = excluded.rd,
			volatility = excluded.volatility, games = excluded.games, updated_at = excluded.updated_at`,
			st.playerID, after.Rating, after.RD, after.Volatility, games[i]+1, at); err != nil {
			return fmt.Errorf("store: save rating of %s: %w", st.playerID, err)
		}
		if _, err := tx.Exec(`INSERT INTO rating_changes (game_id, player_id, rating_before, rating_after, rd_before, rd_after)
			VALUES (?, ?, ?, ?, ?, ?)`, gameID, st.playerID, before.Rating, after.Rating, before.RD, after.RD); err != nil {
			return fmt.Errorf("store: save rating change of %s: %w", st.playerID, err)
		}
	}
	return nil
}

// rebuildBatch is how many games the rebuild reads at a time, so that a
// long history is never held in memory at once.
const rebuildBatch = 500

// RebuildRatings recomputes every rating from nothing, by replaying the
// rated games in the order they were stored, in one transaction. The
// result equals the ratings kept game by game, to the last bit: the same
// arithmetic on the same inputs in the same order. It returns the number
// of games replayed.
func (s *Store) RebuildRatings(ctx context.Context) (int, error) {
	n := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		n = 0
		if s.d.postgres {
			// Games being rated elsewhere wait (their FOR UPDATE) and then
			// rate on top of the rebuilt table.
			if _, err := tx.Exec("LOCK TABLE ratings, rating_changes IN EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		for _, q := range []string{"DELETE FROM rating_changes", "DELETE FROM ratings"} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		var after int64
		for {
			batch, last, err := ratedGames(tx, after)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			for _, g := range batch {
				if err := s.applyRatings(tx, g.id, g.seats, g.endedAt); err != nil {
					return err
				}
				n++
			}
			after = last
		}
	})
	if err != nil {
		return 0, fmt.Errorf("store: rebuild ratings: %w", err)
	}
	return n, nil
}

type ratedGame struct {
	id      int64
	endedAt int64
	seats   []ratedSeat
}

// ratedGames reads the next batch of rated games after id after, in order.
func ratedGames(tx *sql.Tx, after int64) ([]ratedGame, int64, error) {
	rows, err := tx.Query(`SELECT g.id, g.ended_at, gp.seat, gp.player_id, gp.bot, gp.bot_level, gp.rank, gp.forfeited
		FROM games g JOIN game_players gp ON gp.game_id = g.id
		WHERE g.id IN (SELECT id FROM games WHERE rated = 1 AND id > ? ORDER BY id LIMIT ?)
		ORDER BY g.id, gp.seat`, after, rebuildBatch)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []ratedGame
	for rows.Next() {
		var id, at int64
		var st ratedSeat
		if err := rows.Scan(&id, &at, &st.seat, &st.playerID, &st.bot, &st.botLevel, &st.rank, &st.forfeited); err != nil {
			return nil, 0, err
		}
		if len(out) == 0 || out[len(out)-1].id != id {
			out = append(out, ratedGame{id: id, endedAt: at})
		}
		g := &out[len(out)-1]
		g.seats = append(g.seats, st)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 {
		return nil, after, nil
	}
	return out, out[len(out)-1].id, nil
}

// Ratings returns the ratings of the given players, by id. A player with
// no rated game is not in the map: their rating is rating.Start.
func (s *Store) Ratings(ctx context.Context, ids []string) (map[string]domain.PlayerRating, error) {
	out := make(map[string]domain.PlayerRating, len(ids))
	for _, id := range ids {
		var r domain.PlayerRating
		err := s.r.QueryRowContext(ctx, "SELECT player_id, rating, rd, volatility, games FROM ratings WHERE player_id = ?", id).
			Scan(&r.PlayerID, &r.Rating.Rating, &r.RD, &r.Volatility, &r.Games)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: ratings: %w", err)
		}
		out[id] = r
	}
	return out, nil
}

// Rating returns one player's rating: rating.Start with 0 games for a
// player who has played no rated game.
func (s *Store) Rating(ctx context.Context, id string) (domain.PlayerRating, error) {
	m, err := s.Ratings(ctx, []string{id})
	if err != nil {
		return domain.PlayerRating{}, err
	}
	if r, ok := m[id]; ok {
		return r, nil
	}
	return domain.PlayerRating{PlayerID: id, Rating: rating.Start}, nil
}

// RatingBoard returns the players with at least MinRatedGames rated
// games, highest rating first; bots and banned players are left out.
func (s *Store) RatingBoard(ctx context.Context, limit int) ([]domain.PlayerRating, error) {
	limit = clamp(limit, 10, 100)
	rows, err := s.r.QueryContext(ctx, `SELECT r.player_id, p.name, r.rating, r.rd, r.volatility, r.games
		FROM ratings r JOIN players p ON p.id = r.player_id
		WHERE r.games >= ? AND p.bot = 0 AND p.banned_at IS NULL
		ORDER BY r.rating DESC, r.player_id LIMIT ?`, domain.MinRatedGames, limit)
	if err != nil {
		return nil, fmt.Errorf("store: rating board: %w", err)
	}
	defer rows.Close()
	var out []domain.PlayerRating
	for rows.Next() {
		var r domain.PlayerRating
		if err := rows.Scan(&r.PlayerID, &r.Name, &r.Rating.Rating, &r.RD, &r.Volatility, &r.Games); err != nil {
			return nil, fmt.Errorf("store: rating board: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: rating board: %w", err)
	}
	return out, nil
}

// PlayerGames returns a page of a player's finished games, newest first,
// each with the change of the player's rating.
func (s *Store) PlayerGames(ctx context.Context, playerID string, before int64, limit int) ([]domain.PlayerGame, error) {
	games, err := s.Games(ctx, domain.GamesFilter{Player: playerID, Before: before, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]domain.PlayerGame, len(games))
	for i, g := range games {
		out[i].GameRecord = g
		var c domain.RatingChange
		err := s.r.QueryRowContext(ctx, `SELECT rating_before, rating_after, rd_before, rd_after FROM rating_changes
			WHERE game_id = ? AND player_id = ?`, g.ID, playerID).Scan(&c.Before, &c.After, &c.RDBefore, &c.RDAfter)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("store: rating change of game %d: %w", g.ID, err)
		}
		out[i].Change = &c
	}
	return out, nil
}
