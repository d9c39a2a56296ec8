package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/rating"
	"github.com/goldmine-game/goldmine/room"
)

// RatingStore is what the server needs of the stored ratings.
type RatingStore interface {
	Rating(ctx context.Context, id string) (domain.PlayerRating, error)
	Ratings(ctx context.Context, ids []string) (map[string]domain.PlayerRating, error)
	RatingBoard(ctx context.Context, limit int) ([]domain.PlayerRating, error)
	PlayerGames(ctx context.Context, playerID string, before int64, limit int) ([]domain.PlayerGame, error)
}

// withRatings fills in the rating of each seat of a snapshot: a person's
// from the store, a bot's from its level. A store error leaves them out:
// a room must not become unreadable because a rating cannot be read.
func (s *Server) withRatings(ctx context.Context, snap *room.Snapshot) {
	var ids []string
	for _, p := range snap.Players {
		if !p.Bot {
			ids = append(ids, p.PlayerID)
		}
	}
	got, err := s.store.Ratings(ctx, ids)
	if err != nil {
		s.log.Warn("server: seat ratings", "room", snap.ID, "err", err)
		return
	}
	for i := range snap.Players {
		p := &snap.Players[i]
		r, n := rating.Start, 0
		if p.Bot {
			if b, ok := rating.Bot(p.BotLevel); ok {
				r = b
			}
		} else if pr, ok := got[p.PlayerID]; ok {
			r, n = pr.Rating, pr.Games
		}
		p.Rating, p.RD, p.RatedGames = &r.Rating, &r.RD, &n
	}
}

// playerGames is GET /api/players/{id}/games: the player's finished games,
// newest first, with the change of their rating in each.
func (s *Server) playerGames(c *gin.Context) {
	id := c.Param("id")
	if id == "me" {
		me, err := s.bearer(c)
		if err != nil {
			s.abort(c, err)
			return
		}
		id = me.ID
	}
	limit, before, err := pageQuery(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	if _, err := s.store.Player(c.Request.Context(), id); errors.Is(err, domain.ErrNotFound) {
		s.abort(c, errorf(http.StatusNotFound, "unknown_player", "no such player"))
		return
	} else if err != nil {
		s.abort(c, err)
		return
	}
	games, err := s.store.PlayerGames(c.Request.Context(), id, before, int(limit))
	if err != nil {
		s.abort(c, err)
		return
	}
	type change struct {
		Before   float64 `json:"before"`
		After    float64 `json:"after"`
		Delta    float64 `json:"delta"`
		RDBefore float64 `json:"rd_before"`
		RDAfter  float64 `json:"rd_after"`
	}
	type entry struct {
		gameJSON
		Rated        bool    `json:"rated"`
		RatingChange *change `json:"rating_change"`
	}
	out := make([]entry, len(games))
	for i, g := range games {
		out[i].gameJSON = gameSummary(g.GameRecord)
		if ch := g.Change; ch != nil {
			out[i].Rated = true
			out[i].RatingChange = &change{Before: ch.Before, After: ch.After, Delta: ch.After - ch.Before,
				RDBefore: ch.RDBefore, RDAfter: ch.RDAfter}
		}
	}
	var next *int64
	if len(games) == int(limit) {
		next = &games[len(games)-1].ID
	}
	c.JSON(http.StatusOK, gin.H{"games": out, "next_before": next})
}

// ratingBoard is GET /api/leaderboard?by=rating.
func (s *Server) ratingBoard(c *gin.Context, limit int) {
	board, err := s.store.RatingBoard(c.Request.Context(), limit)
	if err != nil {
		s.abort(c, err)
		return
	}
	out := make([]gin.H, len(board))
	for i, r := range board {
		out[i] = gin.H{"rank": i + 1, "player_id": r.PlayerID, "name": r.Name, "rating": r.Rating.Rating,
			"rd": r.RD, "rated_games": r.Games}
	}
	c.JSON(http.StatusOK, gin.H{"players": out, "by": "rating", "min_rated_games": domain.MinRatedGames})
}
