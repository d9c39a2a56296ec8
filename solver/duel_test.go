package solver

import (
	"math/rand/v2"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// TestDuelOrdersTheLevels plays short duels on the classic board: hard
// must beat easy nearly always and normal more often than not, and the
// same seed must give the same result, so docs/bots.md can be reproduced.
func TestDuelOrdersTheLevels(t *testing.T) {
	rules, _ := game.Preset("classic")
	for _, tt := range []struct {
		b   Level
		min float64
	}{
		{Easy, 0.95},
		{Normal, 0.55},
	} {
		res, err := Duel(rules, Hard, tt.b, 200, 7)
		if err != nil {
			t.Fatal(err)
		}
		if res.Wins+res.Draws+res.Losses != 200 || res.GoldA+res.GoldB != 200*rules.Gold {
			t.Fatalf("hard against %s: %+v does not add up", tt.b, res)
		}
		if res.WinRate() < tt.min {
			t.Errorf("hard against %s: win rate %.3f, want at least %.2f (%+v)", tt.b, res.WinRate(), tt.min, res)
		}
		again, err := Duel(rules, Hard, tt.b, 200, 7)
		if err != nil || again != res {
			t.Errorf("hard against %s: the same seed gave %+v, then %+v (%v)", tt.b, res, again, err)
		}
	}
	if _, err := Duel(game.Rules{}, Hard, Easy, 1, 1); err == nil {
		t.Error("a duel on invalid rules started")
	}
}

// BenchmarkHardMove times one move of the hard bot, the solver's whole
// analysis, on boards of each preset played part way by two hard bots.
func BenchmarkHardMove(b *testing.B) {
	for _, preset := range []string{"classic", "flags", "party"} {
		b.Run(preset, func(b *testing.B) {
			rules, _ := game.Preset(preset)
			rules.MaxPlayers = 2
			// Views from a third of the way into 20 games.
			var views []game.View
			for i := range 20 {
				rng := rand.New(rand.NewPCG(uint64(i), 9))
				g, _ := game.New(rules, rng.Uint64(), 2, 0)
				for n := 0; !g.Over() && n < rules.Gold/3; n++ {
					row, col, _ := Choose(Hard, g.PublicView(), rules.Gold, rng)
					g.Dig(g.Turn(), row, col)
				}
				views = append(views, g.PublicView())
			}
			rng := rand.New(rand.NewPCG(1, 1))
			exact := 0
			b.ResetTimer()
			for i := range b.N {
				v := views[i%len(views)]
				if _, _, err := Choose(Hard, v, rules.Gold, rng); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			for _, v := range views {
				if a, _ := Analyze(v, rules.Gold); a.Exact {
					exact++
				}
			}
			b.ReportMetric(float64(exact)/float64(len(views)), "exact/view")
		})
	}
}
