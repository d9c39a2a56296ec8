package game_test

import (
	"math/rand/v2"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// FuzzGame plays arbitrary rules and arbitrary moves. Whatever the bytes, the
// engine must not panic, must refuse invalid rules and moves with an error,
// and must keep every invariant after each accepted move.
func FuzzGame(f *testing.F) {
	f.Add(uint8(9), uint8(9), uint16(10), uint8(2), uint8(0), uint64(1), []byte{0, 0, 1, 1, 2, 2, 8, 8})
	f.Add(uint8(16), uint8(16), uint16(51), uint8(2), uint8(3), uint64(2), []byte{255, 0, 7, 9, 200})
	f.Add(uint8(5), uint8(5), uint16(24), uint8(8), uint8(1), uint64(0), []byte{})
	f.Add(uint8(30), uint8(30), uint16(1), uint8(3), uint8(2), uint64(99), []byte{15, 15})
	f.Add(uint8(0), uint8(200), uint16(0), uint8(1), uint8(0), uint64(5), []byte{1})
	f.Fuzz(func(t *testing.T, rows, cols uint8, gold uint16, players, flags uint8, seed uint64, moves []byte) {
		r := game.Rules{Preset: "custom", Rows: int(rows), Cols: int(cols), Gold: int(gold),
			MaxPlayers: int(players), ExtraTurnOnGold: flags&1 != 0, EndWhenDecided: flags&2 != 0}
		g, err := game.New(r, seed, int(players), 0)
		if r.Validate() != nil {
			if err == nil {
				t.Fatalf("New accepted invalid rules %+v", r)
			}
			return
		}
		if err != nil {
			t.Fatalf("New(%+v): %v", r, err)
		}
		ref := newReference(g)
		for i := 0; i+1 < len(moves) && !g.Over(); i += 2 {
			before := stateOf(g)
			var res game.Result
			var err error
			switch op := moves[i]; {
			case op < 8: // forfeit, rarely
				res, err = g.Forfeit(int(op) % (g.Players() + 1))
			case op < 24:
				res, err = g.Skip()
			default: // a dig at any cell by any seat, on or off the board
				seat := int(op) % (g.Players() + 1)
				res, err = g.Dig(seat, int(moves[i+1])/32-1, int(moves[i+1])%32-1)
			}
			if err != nil {
				if !before.equal(stateOf(g)) {
					t.Fatalf("a refused move changed the game: %v", err)
				}
				continue
			}
			if err := checkInvariants(g, ref, res); err != nil {
				t.Fatal(err)
			}
		}
		back, err := game.Replay(r, seed, int(players), 0, g.Moves())
		if err != nil {
			t.Fatal(err)
		}
		if !stateOf(g).equal(stateOf(back)) {
			t.Fatal("replay differs")
		}
	})
}

// FuzzFromLayout checks that any layout string is either refused or gives a
// board whose layout is that string.
func FuzzFromLayout(f *testing.F) {
	f.Add(uint8(5), uint8(5), "1000000000000000000000001")
	f.Add(uint8(5), uint8(5), "10x")
	f.Fuzz(func(t *testing.T, rows, cols uint8, layout string) {
		b, err := game.FromLayout(int(rows), int(cols), layout)
		if err != nil {
			return
		}
		if b.Layout() != layout {
			t.Fatalf("Layout()=%q, want %q", b.Layout(), layout)
		}
	})
}

func BenchmarkGenerate30x30(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := game.Generate(30, 30, 200, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWholeGame digs through a whole game of each preset, in random
// order, from New to the end.
func BenchmarkWholeGame(b *testing.B) {
	for _, r := range game.Presets() {
		b.Run(r.Preset, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			order := make([]int, r.Cells())
			b.ReportAllocs()
			moves := 0
			for i := 0; b.Loop(); i++ {
				g, _ := game.New(r, uint64(i), 2, 0)
				for j := range order {
					order[j] = j
				}
				rng.Shuffle(len(order), func(x, y int) { order[x], order[y] = order[y], order[x] })
				for _, c := range order {
					if g.Over() {
						break
					}
					if _, err := g.Dig(g.Turn(), c/r.Cols, c%r.Cols); err == nil {
						moves++
					}
				}
			}
			b.ReportMetric(float64(moves)/float64(b.N), "digs/game")
		})
	}
}
