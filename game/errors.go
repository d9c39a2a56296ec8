package game

import "errors"

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
