package game_test

import (
	"errors"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

func TestCatalog(t *testing.T) {
	blitz := game.Rules{Preset: "blitz", Rows: 6, Cols: 6, Gold: 5, MaxPlayers: 2, TurnSeconds: 5}
	c, err := game.NewCatalog(blitz)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.Preset("blitz"); !ok || got != blitz {
		t.Fatalf("Preset(blitz) = %+v, %v", got, ok)
	}
	if _, ok := c.Preset("classic"); !ok {
		t.Fatal("the built-in presets are missing")
	}
	if got := c.Names(); len(got) != 4 || got[3] != "blitz" {
		t.Fatalf("Names() = %v", got)
	}
	r := blitz
	r.Preset = ""
	if got := c.Named(r).Preset; got != "blitz" {
		t.Fatalf("Named = %q, want blitz", got)
	}
	r.Gold = 6
	if got := c.Named(r).Preset; got != "custom" {
		t.Fatalf("Named of changed rules = %q, want custom", got)
	}
	if _, ok := game.Preset("blitz"); ok {
		t.Fatal("a host's preset leaked into the built-in ones")
	}
	for _, tt := range []struct {
		name string
		r    game.Rules
	}{
		{"a built-in name", game.Rules{Preset: "classic", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}},
		{"reserved", game.Rules{Preset: "custom", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}},
		{"empty name", game.Rules{Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}},
		{"upper case", game.Rules{Preset: "Blitz", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}},
		{"a space", game.Rules{Preset: "my game", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}},
		{"invalid rules", game.Rules{Preset: "huge", Rows: 40, Cols: 9, Gold: 10, MaxPlayers: 2}},
	} {
		if _, err := game.NewCatalog(tt.r); !errors.Is(err, game.ErrInvalidRules) {
			t.Errorf("%s: err = %v, want ErrInvalidRules", tt.name, err)
		}
	}
	if _, err := game.NewCatalog(blitz, blitz); err == nil {
		t.Error("the same name twice was taken")
	}
}
