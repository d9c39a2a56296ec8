package room

import (
	"context"
	"time"

	"github.com/goldmine-game/goldmine/game"
)

// Store is what rooms need from persistence. Package store implements it
// on SQLite.
type Store interface {
	// Save makes one change durable: the room as it is after the change,
	// plus an optional move and an optional finished game, in one
	// transaction. It returns once that transaction has committed or
	// failed; on success a finished game's ID is set. A room announces a
	// change only after Save returns nil.
	Save(ctx context.Context, w *Write) error
	// LiveRooms returns every room that was not closed, with the moves of
	// its current (or last) game, so that the rooms can be rebuilt.
	LiveRooms(ctx context.Context) ([]Saved, error)
}

// Write is one change to persist.
type Write struct {
	// Create is set when the room is new; the store must refuse an id that
	// exists.
	Create bool
	// NewGame is set when a game starts: its moves follow.
	NewGame bool
	// MoveOnly is set when the change is a move that changed nothing else
	// about the room than its seq (a dig or a skip that did not end the
	// game): the store may then write the move alone, with Room.Seq, and
	// leave the room's row as it was. Such moves are most of the writes.
	MoveOnly bool
	Room     Record
	Move     *MoveRecord
	Game     *GameRecord
}

// Saved is a room as the store holds it.
type Saved struct {
	// Room.Seq is the seq of the last event stored, be it in the room's
	// row or with a move.
	Room  Record
	Moves []MoveRecord // of game Room.GameNo, by N
}

// Record is the durable state of a room.
type Record struct {
	ID        string
	Name      string
	Private   bool
	CreatedBy string
	CreatedAt time.Time
	Rules     game.Rules
	Status    Status
	// Seq is the seq of the last event announced.
	Seq   int64
	Seats []SeatRecord
	// GameNo counts the games started in the room; the fields below are
	// those of game GameNo (none while GameNo is 0).
	GameNo    int
	Seed      uint64
	Salt      string
	First     int
	StartedAt time.Time
	// LastGameID is the stored id of the last finished game, or 0.
	LastGameID int64
	UpdatedAt  time.Time
	// BotSubstitute is the level of the bot that takes the seat of a
	// player whose reconnect grace ran out during a game, or "" to have
	// that player forfeit. Set at creation.
	BotSubstitute string
	// Rated rooms' games change the players' ratings. Set at creation.
	Rated bool
}

// SeatRecord is the durable state of a seat.
type SeatRecord struct {
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
	Bot      bool   `json:"bot,omitempty"`
	// BotLevel is a bot's level; the room only keeps it, for the bots to
	// know how to play the seat after a restart.
	BotLevel string `json:"bot_level,omitempty"`
	// Left marks a player who left, timed out or was kicked during or after
	// a game; the seat is dropped when the next game starts.
	Left    bool `json:"left,omitempty"`
	Rematch bool `json:"rematch,omitempty"`
}

// MoveRecord is a stored move.
type MoveRecord struct {
	GameNo int
	// N numbers the moves of a game from 1.
	N    int
	Kind game.MoveKind
	Seat int
	Row  int
	Col  int
	// MoveID is the client's move id as raw JSON, or empty.
	MoveID string
	At     time.Time
}

// GameRecord is a finished game.
type GameRecord struct {
	ID         int64
	RoomID     string
	GameNo     int
	Rules      game.Rules
	Seed       uint64
	First      int
	Layout     string
	Salt       string
	Commitment string
	Reason     game.EndReason
	Players    []GamePlayer
	// Moves are every move of the game, in order.
	Moves     []MoveRecord
	StartedAt time.Time
	EndedAt   time.Time
	// Rated is the room's Record.Rated: the store rates the game if it
	// counts (package rating).
	Rated bool
}

// GamePlayer is one seat of a finished game.
type GamePlayer struct {
	Seat      int    `json:"seat"`
	PlayerID  string `json:"player_id"`
	Name      string `json:"name"`
	Bot       bool   `json:"bot"`
	Score     int    `json:"score"`
	Rank      int    `json:"rank"`
	Winner    bool   `json:"winner"`
	Forfeited bool   `json:"forfeited"`
	// BotLevel is a bot's level, which fixes its rating.
	BotLevel string `json:"bot_level,omitempty"`
}
