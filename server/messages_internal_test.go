package server

import (
	"errors"
	"fmt"
	"regexp"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// packagePrefix matches a message that leaks a Go wrap ("room: create:
// …", "game: …").
var packagePrefix = regexp.MustCompile(`^[a-z]+: |\b(game|room|store|server|domain|admin|cluster|app|match|rating|bots|solver|backups): `)

// TestUserMessagesCarryNoPackagePrefix drives the validators that refuse
// user input, and every error of the table, through the wraps the rooms
// and the server put around them, and checks that what a user reads is
// the same whatever the wrap says, and never names a package.
func TestUserMessagesCarryNoPackagePrefix(t *testing.T) {
	ok := game.Rules{Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}
	var errs []error
	for _, r := range []game.Rules{
		{Rows: 4, Cols: 9, Gold: 10, MaxPlayers: 2},
		{Rows: 9, Cols: 400, Gold: 10, MaxPlayers: 2},
		{Rows: 9, Cols: 9, Gold: 0, MaxPlayers: 2},
		{Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 99},
		{Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2, TurnSeconds: -1},
	} {
		errs = append(errs, r.Validate())
	}
	_, err := game.Generate(9, 9, 100, 1)
	errs = append(errs, err)
	_, err = game.FromLayout(9, 9, "01")
	errs = append(errs, err)
	_, err = game.FromLayout(1, 2, "0x")
	errs = append(errs, err)
	_, err = game.New(ok, 1, 7, 0)
	errs = append(errs, err)
	_, err = game.New(ok, 1, 2, 5)
	errs = append(errs, err)
	_, err = game.NewCatalog(game.Rules{Preset: "Bad Name", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2})
	errs = append(errs, err)
	for _, text := range []string{"\xff", "", "   ", "a\x00b", "\u200b", string(make([]rune, 100))} {
		_, err := room.CleanText("name", text, room.MaxPlayerName)
		errs = append(errs, err)
	}
	for _, c := range codes {
		errs = append(errs, c.err)
	}
	for _, err := range errs {
		if err == nil {
			t.Fatal("a validator took bad input")
		}
		_, _, bare := classify(err)
		for _, wrapped := range []error{err, fmt.Errorf("room: create: %w", err), fmt.Errorf("server: join room x: %w", fmt.Errorf("room: %w", err))} {
			code, status, msg := classify(wrapped)
			if status >= 500 && !errors.Is(err, room.ErrUnavailable) && !errors.Is(err, room.ErrShuttingDown) && code != "unavailable" {
				t.Errorf("%v: classified as %s %d", err, code, status)
			}
			if packagePrefix.MatchString(msg) {
				t.Errorf("%v: message %q carries a package prefix", wrapped, msg)
			}
			if msg != bare {
				t.Errorf("%v: message %q changes with the wrap (bare: %q)", wrapped, msg, bare)
			}
		}
	}
}
