package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/match"
	"github.com/goldmine-game/goldmine/rating"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
)

// Matcher is quick match; package match implements it.
type Matcher interface {
	Wait(ctx context.Context, t match.Ticket, wait time.Duration) (match.Outcome, error)
	Leave(ctx context.Context, playerID string) error
}

// Quick match's limits on a request's wait: clients call again after each
// 202, so a wait under the usual 30 s idle timeouts of proxies and carrier
// NATs keeps the connection alive.
const (
	defaultMatchWait = 25
	maxMatchWait     = 30
)

type matchReq struct {
	Preset string `json:"preset"`
	WaitS  *int   `json:"wait_s"`
}

// check resolves the preset (classic when none is named) and the wait.
func (req matchReq) check(presets *game.Catalog) (preset string, wait int, err error) {
	preset = req.Preset
	if preset == "" {
		preset = "classic"
	}
	if _, ok := presets.Preset(preset); !ok {
		return "", 0, errorf(http.StatusBadRequest, "invalid_rules",
			fmt.Sprintf("unknown preset %q: use %s", preset, strings.Join(presets.Names(), ", ")))
	}
	wait = defaultMatchWait
	if req.WaitS != nil {
		if wait = *req.WaitS; wait < 0 || wait > maxMatchWait {
			return "", 0, errorf(http.StatusBadRequest, "bad_request", fmt.Sprintf("wait_s must be 0..%d", maxMatchWait))
		}
	}
	return preset, wait, nil
}

var errNoMatch = errorf(http.StatusNotImplemented, "not_configured", "this server has no quick match")

// postMatch is POST /api/match: join the queue (or find one's place in
// it) and wait for a match.
func (s *Server) postMatch(c *gin.Context) {
	// A banned player's token gets 403 banned here (bearer).
	p, err := s.bearer(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	if s.cfg.Match == nil {
		s.abort(c, errNoMatch)
		return
	}
	var req matchReq
	if err := s.decode(c, &req); err != nil {
		s.abort(c, err)
		return
	}
	name, wait, err := req.check(s.cfg.Presets)
	if err != nil {
		s.abort(c, err)
		return
	}
	r, err := s.store.Rating(c.Request.Context(), p.ID)
	if err != nil {
		s.abort(c, err)
		return
	}
	out, err := s.cfg.Match.Wait(c.Request.Context(), match.Ticket{PlayerID: p.ID, Name: p.Name, Preset: name,
		Rating: r.Rating.Rating}, time.Duration(wait)*time.Second)
	switch {
	case errors.Is(err, context.Canceled):
		return // the client went away
	case errors.Is(err, match.ErrFailed):
		s.abort(c, errorf(http.StatusServiceUnavailable, "unavailable", "the match's room could not be made: call again"))
		return
	case err != nil:
		s.abort(c, err)
		return
	case out.Left:
		c.JSON(http.StatusOK, gin.H{"status": "cancelled", "waited_ms": out.Waited.Milliseconds()})
		return
	case out.Placed == nil:
		c.JSON(http.StatusAccepted, gin.H{"status": "waiting", "waited_ms": out.Waited.Milliseconds()})
		return
	}
	pl := out.Placed
	snap, err := s.rooms.Snapshot(pl.RoomID)
	if err != nil {
		// Another node's room: what the match recorded of it is enough to
		// connect (GET /api/rooms/{id} has the rest).
		snap = room.Snapshot{ID: pl.RoomID, Status: room.Waiting, Rated: true}
	} else {
		s.withRatings(c.Request.Context(), &snap)
	}
	view := roomView{Snapshot: snap, Node: pl.Node, WSURL: pl.WSURL}
	if pl.Node == s.nodeID() && view.WSURL == "" {
		view.WSURL = s.ownWSURL(c.Request)
	}
	c.JSON(http.StatusOK, gin.H{"status": "matched", "room": view, "players": pl.Players, "bot": pl.Bot,
		"waited_ms": out.Waited.Milliseconds()})
}

// deleteMatch is DELETE /api/match: leave the queue. Leaving when not in
// it is not an error: a client may cancel twice.
func (s *Server) deleteMatch(c *gin.Context) {
	p, err := s.bearer(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	if s.cfg.Match == nil {
		s.abort(c, errNoMatch)
		return
	}
	if err := s.cfg.Match.Leave(c.Request.Context(), p.ID); err != nil {
		s.abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// StartMatch makes the room of a quick match: rated, with the matched
// players' seats reserved for match.DefaultReserve, as many seats as the
// match has players (so that it starts by itself once they are all in),
// and the bot seated if the match has one. Package match calls it.
func (s *Server) StartMatch(ctx context.Context, m match.Match) (match.Placed, error) {
	rules, ok := s.cfg.Presets.Preset(m.Preset)
	if !ok {
		return match.Placed{}, fmt.Errorf("server: match: unknown preset %q", m.Preset)
	}
	seats := len(m.Players)
	if m.BotLevel != "" {
		seats++
		if s.cfg.Bots == nil {
			return match.Placed{}, fmt.Errorf("server: match: a bot is due but this server has no bots")
		}
	}
	rules.MaxPlayers = max(min(rules.MaxPlayers, seats), 2)
	ids := make([]string, len(m.Players))
	pl := match.Placed{Node: s.nodeID(), WSURL: wsURLOf(s.cfg.AdvertiseURL), Bot: m.BotLevel != ""}
	for i, t := range m.Players {
		ids[i] = t.PlayerID
		pl.Players = append(pl.Players, match.Player{PlayerID: t.PlayerID, Name: t.Name, Rating: t.Rating})
	}
	first := m.Players[0]
	snap, err := s.rooms.Create(ctx, room.Player{ID: first.PlayerID, Name: first.Name}, room.Options{
		Name: "Quick match", Rules: s.cfg.Presets.Named(rules), Rated: true,
		Reserved: ids, ReserveFor: match.DefaultReserve,
	})
	if err != nil {
		return match.Placed{}, fmt.Errorf("server: match room: %w", err)
	}
	pl.RoomID = snap.ID
	if m.BotLevel != "" {
		level, err := solver.ParseLevel(m.BotLevel)
		if err != nil {
			return match.Placed{}, fmt.Errorf("server: match bot: %w", err)
		}
		bot, err := s.cfg.Bots.Add(ctx, snap.ID, level)
		if err != nil {
			return match.Placed{}, fmt.Errorf("server: match bot: %w", err)
		}
		br, _ := rating.Bot(m.BotLevel)
		pl.Players = append(pl.Players, match.Player{PlayerID: bot.ID, Name: bot.Name, Rating: br.Rating, Bot: true})
	}
	return pl, nil
}

// MatchOpen reports whether a placed match's room still waits for its
// players to start its first game, for package match: a tab that asks again then gets the same
// room, and one that asks after the game began queues anew. A room on
// another node counts as waiting until the reservation runs out.
func (s *Server) MatchOpen(p match.Placed) bool {
	snap, err := s.rooms.Snapshot(p.RoomID)
	if err != nil {
		return p.Node != s.nodeID()
	}
	// Game 0: a room whose players all left after its game is waiting
	// again, but it is no longer this match's.
	return snap.Status == room.Waiting && snap.Game == 0
}
