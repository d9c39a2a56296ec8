package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// apiError is an error with a protocol code and a message safe to show.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

var (
	errUnauthorized = errorf(http.StatusUnauthorized, "unauthorized", "missing, invalid or revoked token")
	errNotFound     = errorf(http.StatusNotFound, "not_found", "no such route")
)

// codes maps the errors of the rooms and the engine to protocol v1 codes
// and HTTP statuses. It is the one place where that mapping lives.
var codes = []struct {
	err    error
	code   string
	status int
}{
	{game.ErrNotYourTurn, "not_your_turn", http.StatusConflict},
	{game.ErrOutOfBounds, "out_of_bounds", http.StatusBadRequest},
	{game.ErrAlreadyDug, "already_dug", http.StatusConflict},
	{game.ErrNotStarted, "not_started", http.StatusConflict},
	{game.ErrGameOver, "game_over", http.StatusConflict},
	{game.ErrNotAPlayer, "not_a_player", http.StatusForbidden},
	{game.ErrInvalidRules, "invalid_rules", http.StatusBadRequest},
	{room.ErrGone, "not_a_player", http.StatusForbidden},
	{room.ErrUnknownRoom, "unknown_room", http.StatusNotFound},
	{room.ErrRoomFull, "room_full", http.StatusConflict},
	{room.ErrUnavailable, "unavailable", http.StatusServiceUnavailable},
	{room.ErrShuttingDown, "unavailable", http.StatusServiceUnavailable},
	{room.ErrNotEnoughPlayers, "not_enough_players", http.StatusConflict},
	{room.ErrAlreadyStarted, "already_started", http.StatusConflict},
	{room.ErrNotFinished, "not_finished", http.StatusConflict},
	{room.ErrDuplicateMove, "duplicate_move", http.StatusConflict},
	{room.ErrBadText, "bad_message", http.StatusBadRequest},
	{room.ErrLimit, "limit_reached", http.StatusTooManyRequests},
	{room.ErrChatLimited, "chat_limited", http.StatusTooManyRequests},
	{domain.ErrClosed, "unavailable", http.StatusServiceUnavailable},
	{domain.ErrUnavailable, "unavailable", http.StatusServiceUnavailable},
}

// classify returns the protocol code, HTTP status and a message safe to
// show for err. Errors it does not know are internal: their detail is
// logged by the caller, never shown.
func classify(err error) (code string, status int, message string) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.code, ae.status, ae.message
	}
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return c.code, c.status, userMessage(err, c.err.Error())
		}
	}
	return "internal", http.StatusInternalServerError, "internal error"
}

// userMessage is the text of the *game.Error in err ("invalid rules: rows
// must be 5..30, got 40"), which says what the input broke whatever the
// wraps around it say, or fallback when err carries none.
func userMessage(err error, fallback string) string {
	var ue *game.Error
	if errors.As(err, &ue) {
		return ue.Error()
	}
	return fallback
}

// abort writes the JSON error of protocol v1 and logs internal errors.
func (s *Server) abort(c *gin.Context, err error) {
	code, status, msg := classify(err)
	if status >= 500 {
		s.log.Error("server: request failed", "method", c.Request.Method, "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": gin.H{"code": code, "message": msg}})
}
