package room_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// TestSpectatorCountFanout: the players hear of every spectator who comes,
// and so do the spectators while there are at most 50 of them; past that
// the spectators are not told of each other, which would cost frames by
// the square of their number (a loaded server once drowned in them).
func TestSpectatorCountFanout(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "g.db"))
	m := newManager(st, room.NewFakeClock(t0))
	rules, _ := game.Preset("classic")
	id, _, players := twoPlayers(t, m, rules)
	ctx := context.Background()
	var specs []*conn
	for i := range 60 {
		c := &conn{}
		if _, err := m.Join(ctx, id, room.Player{ID: fmt.Sprint("spec", i), Name: fmt.Sprint("Spec", i)}, room.RoleSpectator, c); err != nil {
			t.Fatal(err)
		}
		specs = append(specs, c)
	}
	for _, p := range players {
		got := p.ofType("spectators")
		if len(got) != 60 || got[59]["count"] != float64(60) {
			t.Fatalf("a player heard %d counts, the last %v; want 60, the last 60", len(got), got[len(got)-1])
		}
	}
	// The first spectator was told of the 49 who came after it while
	// there were at most 50, and of nobody after that.
	if got, want := len(specs[0].ofType("spectators")), 50; got != want {
		t.Fatalf("the first spectator heard %d counts, want %d", got, want)
	}
	if got := len(specs[59].ofType("spectators")); got != 0 {
		t.Fatalf("the 60th spectator heard %d counts, want 0 (its welcome has the count)", got)
	}
}
