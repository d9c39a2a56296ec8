package admin

import (
	"errors"
	"net/http"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// explain says why an admin action failed, in words an admin acts on (the
// catalogue key of them), and with the HTTP status to answer. The console
// shows the words in the page's language (static/js/admin.js), and the
// log gets them in English with the error.
func explain(action string, err error) (status int, key string) {
	switch {
	case errors.Is(err, room.ErrUnknownRoom):
		return http.StatusNotFound, "explain.room_gone"
	case errors.Is(err, room.ErrNotOwner):
		return http.StatusConflict, "explain.not_owner"
	case errors.Is(err, room.ErrUnavailable), errors.Is(err, domain.ErrUnavailable), errors.Is(err, domain.ErrClosed),
		errors.Is(err, room.ErrShuttingDown):
		return http.StatusServiceUnavailable, "explain.unavailable"
	case errors.Is(err, domain.ErrNotFound):
		return http.StatusNotFound, "explain.no_player"
	case errors.Is(err, room.ErrNoBots):
		return http.StatusConflict, "explain.no_bots"
	}
	switch action {
	case "skip_turn":
		switch {
		case errors.Is(err, game.ErrGameOver):
			return http.StatusConflict, "explain.skip_over"
		case errors.Is(err, game.ErrNotStarted):
			return http.StatusConflict, "explain.skip_not_started"
		}
	case "kick":
		if errors.Is(err, room.ErrGone) {
			return http.StatusConflict, "explain.kick_gone"
		}
	case "add_bot":
		switch {
		case errors.Is(err, room.ErrRoomFull):
			return http.StatusConflict, "explain.room_full"
		case errors.Is(err, room.ErrAlreadyStarted):
			return http.StatusConflict, "explain.bot_started"
		}
	case "close_room":
		if errors.Is(err, game.ErrGameOver) {
			return http.StatusConflict, "explain.already_over"
		}
	}
	return http.StatusInternalServerError, "explain.unknown"
}
