package admin

import (
	"errors"
	"net/http"

	"goldmine/game"
	"goldmine/room"
	"goldmine/store"
)

// explain says why an admin action failed, in words an admin acts on, and
// with the HTTP status to answer. The console shows the words in the
// page (static/js/admin.js), and the log gets them with the error.
func explain(action string, err error) (status int, msg string) {
	switch {
	case errors.Is(err, room.ErrUnknownRoom):
		return http.StatusNotFound, "This room is closed: it is no longer served."
	case errors.Is(err, room.ErrNotOwner):
		return http.StatusConflict, "Another node plays this room now: reload the page."
	case errors.Is(err, room.ErrUnavailable), errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrClosed),
		errors.Is(err, room.ErrShuttingDown):
		return http.StatusServiceUnavailable, "The database refused the change, so nothing changed (a full disk, or the server is stopping). See the server log."
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "There is no such player."
	case errors.Is(err, room.ErrNoBots):
		return http.StatusConflict, "This server has no bots: end the game instead."
	}
	switch action {
	case "skip_turn":
		switch {
		case errors.Is(err, game.ErrGameOver):
			return http.StatusConflict, "There is no turn to skip: the game is over."
		case errors.Is(err, game.ErrNotStarted):
			return http.StatusConflict, "There is no turn to skip: no game has started yet."
		}
	case "kick":
		if errors.Is(err, room.ErrGone) {
			return http.StatusConflict, "That player is no longer in this room."
		}
	case "add_bot":
		switch {
		case errors.Is(err, room.ErrRoomFull):
			return http.StatusConflict, "Every seat is taken."
		case errors.Is(err, room.ErrAlreadyStarted):
			return http.StatusConflict, "A bot can only take a seat in a waiting room."
		}
	case "close_room":
		if errors.Is(err, game.ErrGameOver) {
			return http.StatusConflict, "The game is already over."
		}
	}
	return http.StatusInternalServerError, "That failed for a reason the console does not know; see the server log."
}
