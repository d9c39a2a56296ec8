package game_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

func TestRulesValidate(t *testing.T) {
	classic, _ := game.Preset("classic")
	with := func(f func(*game.Rules)) game.Rules { r := classic; f(&r); return r }
	tests := []struct {
		name    string
		rules   game.Rules
		wantErr string // substring; "" means valid
	}{
		{"classic", classic, ""},
		{"smallest", with(func(r *game.Rules) { r.Rows, r.Cols, r.Gold = 5, 5, 1 }), ""},
		{"largest", with(func(r *game.Rules) { r.Rows, r.Cols, r.Gold, r.MaxPlayers = 30, 30, 899, 8 }), ""},
		{"no timer", with(func(r *game.Rules) { r.TurnSeconds = 0 }), ""},
		{"longest timer", with(func(r *game.Rules) { r.TurnSeconds = 3600 }), ""},
		{"rows too few", with(func(r *game.Rules) { r.Rows = 4 }), "rows must be 5..30, got 4"},
		{"rows too many", with(func(r *game.Rules) { r.Rows = 31 }), "rows must be 5..30, got 31"},
		{"cols too few", with(func(r *game.Rules) { r.Cols = 4 }), "cols must be 5..30, got 4"},
		{"cols too many", with(func(r *game.Rules) { r.Cols = 31 }), "cols must be 5..30"},
		{"no gold", with(func(r *game.Rules) { r.Gold = 0 }), "gold must be 1..80"},
		{"all gold", with(func(r *game.Rules) { r.Gold = 81 }), "gold must be 1..80 on a 9x9 board, got 81"},
		{"one player", with(func(r *game.Rules) { r.MaxPlayers = 1 }), "max_players must be 2..8, got 1"},
		{"nine players", with(func(r *game.Rules) { r.MaxPlayers = 9 }), "max_players must be 2..8, got 9"},
		{"negative timer", with(func(r *game.Rules) { r.TurnSeconds = -1 }), "turn_seconds must be 0 (no timer) or 1..3600, got -1"},
		{"timer too long", with(func(r *game.Rules) { r.TurnSeconds = 3601 }), "got 3601"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rules.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
			}
			if !errors.Is(err, game.ErrInvalidRules) {
				t.Fatalf("Validate() = %v, want it to wrap ErrInvalidRules", err)
			}
		})
	}
}

func TestPresets(t *testing.T) {
	tests := []struct {
		name                   string
		rows, cols, gold, max  int
		turn                   int
		extraTurn, whenDecided bool
	}{
		{"classic", 9, 9, 10, 2, 30, false, false},
		{"flags", 16, 16, 51, 2, 30, true, true},
		{"party", 14, 14, 40, 6, 30, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := game.Preset(tt.name)
			if !ok {
				t.Fatalf("Preset(%q) not found", tt.name)
			}
			got := [5]int{r.Rows, r.Cols, r.Gold, r.MaxPlayers, r.TurnSeconds}
			if want := [5]int{tt.rows, tt.cols, tt.gold, tt.max, tt.turn}; got != want {
				t.Fatalf("rows, cols, gold, max, turn = %v, want %v", got, want)
			}
			if r.ExtraTurnOnGold != tt.extraTurn || r.EndWhenDecided != tt.whenDecided {
				t.Fatalf("extra=%v decided=%v, want %v %v", r.ExtraTurnOnGold, r.EndWhenDecided, tt.extraTurn, tt.whenDecided)
			}
			if err := r.Validate(); err != nil {
				t.Fatal(err)
			}
			if got, want := r.Named().Preset, tt.name; got != want {
				t.Fatalf("Named()=%q, want %q", got, want)
			}
		})
	}
	if _, ok := game.Preset("nope"); ok {
		t.Fatal(`Preset("nope") found`)
	}
	if got, want := len(game.Presets()), 3; got != want {
		t.Fatalf("len(Presets())=%d, want %d", got, want)
	}
}

func TestRulesNamedCustom(t *testing.T) {
	r, _ := game.Preset("classic")
	r.Rows = 12
	if got, want := r.Named().Preset, "custom"; got != want {
		t.Fatalf("Named()=%q, want %q", got, want)
	}
	r.Rows = 9
	r.Preset = "custom"
	if got, want := r.Named().Preset, "classic"; got != want {
		t.Fatalf("Named()=%q, want %q", got, want)
	}
}

func TestMoveKindText(t *testing.T) {
	for _, k := range []game.MoveKind{game.Dig, game.Skip, game.Forfeit} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back game.MoveKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Fatalf("round trip of %v = %v, %v", k, back, err)
		}
	}
	if _, err := game.ParseMoveKind("explode"); err == nil {
		t.Fatal("ParseMoveKind(explode) = nil error")
	}
	if _, err := game.MoveKind(9).MarshalText(); err == nil {
		t.Fatal("MarshalText(9) = nil error")
	}
}
