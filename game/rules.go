package game

import (
	"fmt"
)

// Limits on Rules, checked by Validate.
const (
	MinSide        = 5
	MaxSide        = 30
	MinPlayers     = 2
	MaxPlayers     = 8
	MaxTurnSeconds = 3600
)

// Rules are the settings of one game. The zero value is not valid; start
// from a preset.
type Rules struct {
	// Preset names the preset these rules came from, or "custom" when they
	// differ from every preset.
	Preset string `json:"preset"`
	Rows   int    `json:"rows"`
	Cols   int    `json:"cols"`
	Gold   int    `json:"gold"`
	// MaxPlayers is the number of seats in the room; a game may start with
	// fewer (at least MinPlayers).
	MaxPlayers int `json:"max_players"`
	// TurnSeconds is the turn timer; 0 means no timer.
	TurnSeconds int `json:"turn_seconds"`
	// ExtraTurnOnGold keeps the turn with the digger when they find gold.
	ExtraTurnOnGold bool `json:"extra_turn_on_gold"`
	// EndWhenDecided ends the game as soon as the leader can no longer be
	// caught, instead of when the last gold is dug.
	EndWhenDecided bool `json:"end_when_decided"`
}

// Validate reports, wrapping ErrInvalidRules, the first limit the rules break.
func (r Rules) Validate() error {
	switch {
	case r.Rows < MinSide || r.Rows > MaxSide:
		return fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "rows must be %d..%d, got %d", MinSide, MaxSide, r.Rows))
	case r.Cols < MinSide || r.Cols > MaxSide:
		return fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "cols must be %d..%d, got %d", MinSide, MaxSide, r.Cols))
	case r.Gold < 1 || r.Gold > r.Rows*r.Cols-1:
		return fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "gold must be 1..%d on a %dx%d board, got %d", r.Rows*r.Cols-1, r.Rows, r.Cols, r.Gold))
	case r.MaxPlayers < MinPlayers || r.MaxPlayers > MaxPlayers:
		return fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "max_players must be %d..%d, got %d", MinPlayers, MaxPlayers, r.MaxPlayers))
	case r.TurnSeconds < 0 || r.TurnSeconds > MaxTurnSeconds:
		return fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "turn_seconds must be 0 (no timer) or 1..%d, got %d", MaxTurnSeconds, r.TurnSeconds))
	}
	return nil
}

// Cells is the number of cells on the board.
func (r Rules) Cells() int { return r.Rows * r.Cols }

// Named presets. Classic is the original mini-program game.
var presets = []Rules{
	{Preset: "classic", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2, TurnSeconds: 30},
	{Preset: "flags", Rows: 16, Cols: 16, Gold: 51, MaxPlayers: 2, TurnSeconds: 30, ExtraTurnOnGold: true, EndWhenDecided: true},
	{Preset: "party", Rows: 14, Cols: 14, Gold: 40, MaxPlayers: 6, TurnSeconds: 30},
}

// Preset returns the named built-in preset.
func Preset(name string) (Rules, bool) { return builtin.Preset(name) }

// Presets returns every built-in preset, in a stable order.
func Presets() []Rules { return builtin.All() }

// Named returns r with Preset set to the name of the built-in preset it
// equals, or to "custom" when it equals none; see Catalog.Named.
func (r Rules) Named() Rules { return builtin.Named(r) }
