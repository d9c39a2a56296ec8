package game

import (
	"errors"
	"fmt"
)

// Rule violations. Callers compare with errors.Is; every error this package
// returns for a refused move or invalid rules wraps one of these.
var (
	// ErrInvalidRules reports rules outside the documented limits.
	ErrInvalidRules = errors.New("invalid rules")
	// ErrNotYourTurn reports a dig by a seat that does not hold the turn.
	ErrNotYourTurn = errors.New("not your turn")
	// ErrOutOfBounds reports a cell outside the board.
	ErrOutOfBounds = errors.New("cell out of bounds")
	// ErrAlreadyDug reports a dig on a cell that is already revealed.
	ErrAlreadyDug = errors.New("cell already dug")
	// ErrNotStarted reports a move in a room whose game has not started.
	// The engine itself never returns it: a Game is started when it is made.
	// It lives here so that every rule violation has one vocabulary.
	ErrNotStarted = errors.New("game not started")
	// ErrGameOver reports a move after the game ended.
	ErrGameOver = errors.New("game over")
	// ErrNotAPlayer reports a seat that does not exist or has forfeited.
	ErrNotAPlayer = errors.New("not a player")
)

// Error is a refusal meant for the user. Its Code is the sentinel it is
// one of (ErrInvalidRules, room.ErrBadText…), which errors.Is matches and
// the server maps to a protocol code and an HTTP status in its one table;
// its Message says what to fix ("rows must be 5..30, got 40"). A user
// reads its own Error(), "invalid rules: rows must be 5..30, got 40",
// never the wraps around it, so rewording a wrap ("room: create: …")
// cannot change what a user reads.
type Error struct {
	Code    error
	Message string
}

// Errorf returns an *Error of code with a formatted message.
func Errorf(code error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error returns the code's text and the message, "invalid rules: rows must…".
func (e *Error) Error() string { return e.Code.Error() + ": " + e.Message }

// Unwrap returns the code, for errors.Is.
func (e *Error) Unwrap() error { return e.Code }
