package game_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// fiveByFive has gold at (0,0), (2,2) and (4,4); its right and bottom edges
// hold a region of zeros.
func fiveByFive(t *testing.T) *game.Board {
	return board(t,
		"G....",
		".....",
		"..G..",
		".....",
		"....G")
}

func TestDig(t *testing.T) {
	t.Run("GoldScoresAndRevealsOneCell", func(t *testing.T) {
		g := newGame(t, rulesFor(fiveByFive(t), 2), fiveByFive(t), 2)
		res := mustDig(t, g, 0, 2, 2)
		if !res.Gold || len(res.Cells) != 1 || res.Cells[0] != (game.Cell{Row: 2, Col: 2, Value: game.GoldValue}) {
			t.Fatalf("result = %+v, want one gold cell at (2,2)", res)
		}
		if got, want := res.Scores, []int{1, 0}; !slices.Equal(got, want) {
			t.Fatalf("scores=%v, want %v", got, want)
		}
		if got, want := res.GoldLeft, 2; got != want {
			t.Fatalf("gold left=%d, want %d", got, want)
		}
		if got, want := res.Turn, 1; got != want {
			t.Fatalf("turn=%d, want %d (strict alternation)", got, want)
		}
		if got, want := g.Finder(2, 2), 0; got != want {
			t.Fatalf("Finder=%d, want %d", got, want)
		}
	})
	t.Run("NumberRevealsOneCell", func(t *testing.T) {
		g := newGame(t, rulesFor(fiveByFive(t), 2), fiveByFive(t), 2)
		res := mustDig(t, g, 0, 1, 1)
		if res.Gold || len(res.Cells) != 1 || res.Cells[0] != (game.Cell{Row: 1, Col: 1, Value: 2}) {
			t.Fatalf("result = %+v, want one cell (1,1)=2", res)
		}
		if got, want := res.Scores, []int{0, 0}; !slices.Equal(got, want) {
			t.Fatalf("scores=%v, want %v", got, want)
		}
	})
	t.Run("ZeroFloods", func(t *testing.T) {
		g := newGame(t, rulesFor(fiveByFive(t), 2), fiveByFive(t), 2)
		res := mustDig(t, g, 0, 0, 4)
		got := map[[2]int]int8{}
		for _, c := range res.Cells {
			got[[2]int{c.Row, c.Col}] = c.Value
		}
		// The zeros (0,2..4),(1,4),(2,4) and the numbers that border them.
		want := map[[2]int]int8{
			{0, 2}: 0, {0, 3}: 0, {0, 4}: 0, {1, 4}: 0, {2, 4}: 0,
			{0, 1}: 1, {1, 1}: 2, {1, 2}: 1, {1, 3}: 1, {2, 3}: 1, {3, 3}: 2, {3, 4}: 1,
		}
		if len(got) != len(want) || len(res.Cells) != len(want) {
			t.Fatalf("revealed %v, want %v", got, want)
		}
		for k, v := range want {
			if gv, ok := got[k]; !ok || gv != v {
				t.Fatalf("cell %v = %v (present %v), want %d", k, gv, ok, v)
			}
		}
		if res.Gold {
			t.Fatal("a flood reported gold")
		}
	})
	t.Run("FloodStopsAtDugCells", func(t *testing.T) {
		g := newGame(t, rulesFor(fiveByFive(t), 2), fiveByFive(t), 2)
		mustDig(t, g, 0, 0, 4)
		res := mustDig(t, g, 1, 4, 0)
		for _, c := range res.Cells {
			if g.Dug(c.Row, c.Col) && c.Row == 0 && c.Col == 4 {
				t.Fatalf("re-revealed %v", c)
			}
		}
		seen := map[[2]int]bool{}
		for _, c := range res.Cells {
			if seen[[2]int{c.Row, c.Col}] {
				t.Fatalf("cell %v revealed twice in one flood", c)
			}
			seen[[2]int{c.Row, c.Col}] = true
		}
	})
	t.Run("HugeZeroBoard", func(t *testing.T) {
		rows := make([]string, 30)
		for i := range rows {
			rows[i] = "..............................."[:30]
		}
		rows[29] = rows[29][:29] + "G"
		b := board(t, rows...)
		g := newGame(t, rulesFor(b, 2), b, 2)
		res := mustDig(t, g, 0, 0, 0)
		if got, want := len(res.Cells), 899; got != want {
			t.Fatalf("revealed %d cells, want %d", got, want)
		}
	})
}

func TestDigErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, g *game.Game)
		seat    int
		row     int
		col     int
		wantErr error
	}{
		{"ErrNotYourTurn", nil, 1, 0, 0, game.ErrNotYourTurn},
		{"ErrOutOfBounds/negative row", nil, 0, -1, 0, game.ErrOutOfBounds},
		{"ErrOutOfBounds/negative col", nil, 0, 0, -1, game.ErrOutOfBounds},
		{"ErrOutOfBounds/row", nil, 0, 5, 0, game.ErrOutOfBounds},
		{"ErrOutOfBounds/col", nil, 0, 0, 5, game.ErrOutOfBounds},
		{"ErrAlreadyDug/number", func(t *testing.T, g *game.Game) { mustDig(t, g, 0, 1, 1) }, 1, 1, 1, game.ErrAlreadyDug},
		{"ErrAlreadyDug/by flood", func(t *testing.T, g *game.Game) { mustDig(t, g, 0, 0, 4) }, 1, 0, 2, game.ErrAlreadyDug},
		{"ErrNotAPlayer/negative", nil, -1, 0, 0, game.ErrNotAPlayer},
		{"ErrNotAPlayer/no such seat", nil, 3, 0, 0, game.ErrNotAPlayer},
		{"ErrNotAPlayer/forfeited", func(t *testing.T, g *game.Game) {
			if _, err := g.Forfeit(0); err != nil {
				t.Fatal(err)
			}
		}, 0, 0, 0, game.ErrNotAPlayer},
		{"ErrGameOver", func(t *testing.T, g *game.Game) {
			mustDig(t, g, 0, 0, 0)
			mustDig(t, g, 1, 2, 2)
			mustDig(t, g, 2, 4, 4)
		}, 0, 1, 1, game.ErrGameOver},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := fiveByFive(t)
			g := newGame(t, rulesFor(b, 3), b, 3)
			if tt.setup != nil {
				tt.setup(t, g)
			}
			before := stateOf(g)
			_, err := g.Dig(tt.seat, tt.row, tt.col)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Dig(%d,%d,%d) = %v, want %v", tt.seat, tt.row, tt.col, err, tt.wantErr)
			}
			if check := g.CheckDig(tt.seat, tt.row, tt.col); !errors.Is(check, tt.wantErr) {
				t.Fatalf("CheckDig = %v, want %v", check, tt.wantErr)
			}
			if !before.equal(stateOf(g)) {
				t.Fatal("a refused dig changed the game")
			}
		})
	}
}

func TestTurns(t *testing.T) {
	t.Run("StrictAlternation", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 3), b, 3)
		for i, want := range []int{1, 2, 0, 1} {
			res := mustDig(t, g, g.Turn(), []int{1, 1, 3, 0}[i], []int{1, 0, 0, 0}[i])
			if res.Turn != want {
				t.Fatalf("after dig %d turn=%d, want %d", i, res.Turn, want)
			}
		}
	})
	t.Run("ExtraTurnOnGold", func(t *testing.T) {
		b := fiveByFive(t)
		r := rulesFor(b, 2)
		r.ExtraTurnOnGold = true
		g := newGame(t, r, b, 2)
		if res := mustDig(t, g, 0, 0, 0); res.Turn != 0 {
			t.Fatalf("after gold turn=%d, want 0", res.Turn)
		}
		if res := mustDig(t, g, 0, 1, 1); res.Turn != 1 {
			t.Fatalf("after a number turn=%d, want 1", res.Turn)
		}
	})
	t.Run("Skip", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 3), b, 3)
		res, err := g.Skip()
		if err != nil {
			t.Fatal(err)
		}
		if res.Move != (game.Move{Kind: game.Skip, Seat: 0}) || res.Turn != 1 {
			t.Fatalf("skip result = %+v, want seat 0 skipped and turn 1", res)
		}
		if len(res.Cells) != 0 {
			t.Fatal("a skip revealed cells")
		}
	})
	t.Run("ForfeitOfTurnHolderPassesTheTurn", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 3), b, 3)
		res, err := g.Forfeit(0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Turn != 1 || res.End != nil {
			t.Fatalf("turn=%d end=%v, want turn 1 and no end", res.Turn, res.End)
		}
		mustDig(t, g, 1, 1, 1)
		mustDig(t, g, 2, 1, 0)
		if g.Turn() != 1 {
			t.Fatalf("turn=%d after seat 2, want 1 (seat 0 forfeited)", g.Turn())
		}
	})
	t.Run("ForfeitOfAnotherSeatKeepsTheTurn", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 3), b, 3)
		res, err := g.Forfeit(2)
		if err != nil || res.Turn != 0 {
			t.Fatalf("Forfeit(2) turn=%d err=%v, want turn 0", res.Turn, err)
		}
		if _, err := g.Forfeit(2); !errors.Is(err, game.ErrNotAPlayer) {
			t.Fatalf("second Forfeit(2) = %v, want ErrNotAPlayer", err)
		}
	})
	t.Run("ApplySkipOfWrongSeat", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 2), b, 2)
		if _, err := g.Apply(game.Move{Kind: game.Skip, Seat: 1}); !errors.Is(err, game.ErrNotYourTurn) {
			t.Fatalf("Apply(skip seat 1) = %v, want ErrNotYourTurn", err)
		}
		if _, err := g.Apply(game.Move{Kind: 0}); err == nil {
			t.Fatal("Apply(kind 0): nil error")
		}
	})
	t.Run("SkipAfterGameOver", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 2), b, 2)
		g.Forfeit(1)
		if _, err := g.Skip(); !errors.Is(err, game.ErrGameOver) {
			t.Fatalf("Skip() = %v, want ErrGameOver", err)
		}
		if _, err := g.Forfeit(0); !errors.Is(err, game.ErrGameOver) {
			t.Fatalf("Forfeit() = %v, want ErrGameOver", err)
		}
		if _, err := g.Close(); !errors.Is(err, game.ErrGameOver) {
			t.Fatalf("Close() = %v, want ErrGameOver", err)
		}
	})
}

func TestEnd(t *testing.T) {
	t.Run("AllGold", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 2), b, 2)
		mustDig(t, g, 0, 0, 0)
		mustDig(t, g, 1, 2, 2)
		res := mustDig(t, g, 0, 4, 4)
		if res.End == nil || res.End.Reason != game.EndAllGold || res.Turn != -1 || !g.Over() {
			t.Fatalf("end=%+v turn=%d, want all_gold and turn -1", res.End, res.Turn)
		}
		want := []game.Standing{{Seat: 0, Score: 2, Rank: 1}, {Seat: 1, Score: 1, Rank: 2}}
		if !slices.Equal(res.End.Ranking, want) || !slices.Equal(res.End.Winners, []int{0}) {
			t.Fatalf("ranking=%v winners=%v, want %v [0]", res.End.Ranking, res.End.Winners, want)
		}
	})
	t.Run("AllGoldWithoutEndWhenDecided", func(t *testing.T) {
		// Seat 0 leads 2-0 with 1 gold left: decided, but classic plays on.
		b := fiveByFive(t)
		r := rulesFor(b, 2)
		r.ExtraTurnOnGold = true
		g := newGame(t, r, b, 2)
		mustDig(t, g, 0, 0, 0)
		if res := mustDig(t, g, 0, 2, 2); res.End != nil {
			t.Fatalf("ended %v without EndWhenDecided", res.End.Reason)
		}
	})
	t.Run("Decided", func(t *testing.T) {
		b := fiveByFive(t)
		r := rulesFor(b, 2)
		r.ExtraTurnOnGold, r.EndWhenDecided = true, true
		g := newGame(t, r, b, 2)
		if res := mustDig(t, g, 0, 0, 0); res.End != nil {
			t.Fatal("1-0 with 2 left is not decided")
		}
		res := mustDig(t, g, 0, 2, 2)
		if res.End == nil || res.End.Reason != game.EndDecided {
			t.Fatalf("2-0 with 1 left: end=%v, want decided", res.End)
		}
		if got, want := res.GoldLeft, 1; got != want {
			t.Fatalf("gold left=%d, want %d", got, want)
		}
	})
	t.Run("NotDecidedWhenCatchable", func(t *testing.T) {
		// 2-1 with 1 left: the runner-up can still tie.
		b := fiveByFive(t)
		r := rulesFor(b, 2)
		r.EndWhenDecided = true
		b4 := board(t, "GG...", ".....", "..G..", ".....", "....G")
		r.Gold = 4
		g := newGame(t, r, b4, 2)
		mustDig(t, g, 0, 0, 0)
		mustDig(t, g, 1, 0, 1)
		if res := mustDig(t, g, 0, 2, 2); res.End != nil {
			t.Fatalf("2-1 with 1 left ended: %v", res.End.Reason)
		}
	})
	t.Run("Forfeit", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 3), b, 3)
		mustDig(t, g, 0, 0, 0) // seat 0 leads 1-0-0
		g.Forfeit(0)
		res, err := g.Forfeit(1)
		if err != nil {
			t.Fatal(err)
		}
		if res.End == nil || res.End.Reason != game.EndForfeit {
			t.Fatalf("end=%v, want forfeit", res.End)
		}
		// Seat 2 stayed: it wins although seat 0 has more gold.
		want := []game.Standing{{Seat: 2, Score: 0, Rank: 1}, {Seat: 0, Score: 1, Rank: 2, Forfeited: true}, {Seat: 1, Score: 0, Rank: 3, Forfeited: true}}
		if !slices.Equal(res.End.Ranking, want) || !slices.Equal(res.End.Winners, []int{2}) {
			t.Fatalf("ranking=%v winners=%v, want %v [2]", res.End.Ranking, res.End.Winners, want)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		b := fiveByFive(t)
		g := newGame(t, rulesFor(b, 2), b, 2)
		o, err := g.Close()
		if err != nil || o.Reason != game.EndClosed || !g.Over() {
			t.Fatalf("Close() = %v, %v", o, err)
		}
		if !slices.Equal(o.Winners, []int{0, 1}) {
			t.Fatalf("winners=%v, want [0 1] (0-0)", o.Winners)
		}
	})
	t.Run("SharedRanks", func(t *testing.T) {
		b := board(t, "GGG..", ".....", ".....", ".....", "....G")
		r := rulesFor(b, 4)
		g := newGame(t, r, b, 4)
		mustDig(t, g, 0, 0, 0)
		mustDig(t, g, 1, 0, 1)
		mustDig(t, g, 2, 1, 0)
		mustDig(t, g, 3, 1, 1)
		mustDig(t, g, 0, 0, 2)
		mustDig(t, g, 1, 4, 4)
		o, ok := g.Outcome()
		if !ok {
			t.Fatal("game not over")
		}
		want := []game.Standing{{Seat: 0, Score: 2, Rank: 1}, {Seat: 1, Score: 2, Rank: 1}, {Seat: 2, Score: 0, Rank: 3}, {Seat: 3, Score: 0, Rank: 3}}
		if !slices.Equal(o.Ranking, want) || !slices.Equal(o.Winners, []int{0, 1}) {
			t.Fatalf("ranking=%v winners=%v, want %v [0 1]", o.Ranking, o.Winners, want)
		}
	})
}

func TestNew(t *testing.T) {
	r, _ := game.Preset("party")
	for _, tt := range []struct {
		name           string
		players, first int
		ok             bool
	}{
		{"OK", 6, 5, true},
		{"two", 2, 1, true},
		{"one player", 1, 0, false},
		{"more than max", 7, 0, false},
		{"first out of range", 3, 3, false},
		{"negative first", 3, -1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, err := game.New(r, 1, tt.players, tt.first)
			if (err == nil) != tt.ok {
				t.Fatalf("New(%d, %d) err = %v, want ok=%v", tt.players, tt.first, err, tt.ok)
			}
			if tt.ok && g.Turn() != tt.first {
				t.Fatalf("Turn()=%d, want %d", g.Turn(), tt.first)
			}
		})
	}
	bad := r
	bad.Rows = 2
	if _, err := game.New(bad, 1, 2, 0); !errors.Is(err, game.ErrInvalidRules) {
		t.Fatalf("New(bad rules) = %v", err)
	}
	b := fiveByFive(t)
	if _, err := game.NewWithBoard(r, b, 2, 0); !errors.Is(err, game.ErrInvalidRules) {
		t.Fatalf("NewWithBoard(mismatched) = %v", err)
	}
}

func TestViews(t *testing.T) {
	b := fiveByFive(t)
	g := newGame(t, rulesFor(b, 2), b, 2)
	mustDig(t, g, 0, 2, 2)
	mustDig(t, g, 1, 1, 1)
	pub := g.PublicView()
	for r := 0; r < 5; r++ {
		for c := 0; c < 5; c++ {
			want := game.Hidden
			if g.Dug(r, c) {
				want = b.At(r, c)
			}
			if got := pub.At(r, c); got != want {
				t.Fatalf("public (%d,%d)=%d, want %d", r, c, got, want)
			}
			if got := g.FullView().At(r, c); got != b.At(r, c) {
				t.Fatalf("full (%d,%d)=%d, want %d", r, c, got, b.At(r, c))
			}
		}
	}
	if pub.Finders[2*5+2] != 0 || pub.Finders[1*5+1] != -1 {
		t.Fatalf("finders = %v", pub.Finders)
	}
	js, err := pub.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `[[null,null,null,null,null],[null,2,null,null,null],[null,null,-1,null,null],[null,null,null,null,null],[null,null,null,null,null]]`
	if string(js) != want {
		t.Fatalf("JSON = %s\nwant %s", js, want)
	}
	// A view is a copy: changing it, or the game, leaves the other alone.
	pub.Cells[0] = 5
	if g.PublicView().Cells[0] != game.Hidden {
		t.Fatal("writing to a view changed the game")
	}
	hv := game.HiddenView(5, 6)
	if hv.Rows != 5 || hv.Cols != 6 || len(hv.Cells) != 30 || hv.Cells[29] != game.Hidden || hv.Finders[0] != -1 {
		t.Fatalf("HiddenView = %+v", hv)
	}
}

func TestReplay(t *testing.T) {
	r, _ := game.Preset("classic")
	live, err := game.New(r, 99, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if live.First() != 1 || live.Seed() != 99 || live.Players() != 2 || live.Rules() != r {
		t.Fatal("accessors do not return what New was given")
	}
	live.Skip()
	for !live.Over() {
		row, col := firstUndug(live)
		mustDig(t, live, live.Turn(), row, col)
	}
	back, err := game.Replay(r, 99, 2, 1, live.Moves())
	if err != nil {
		t.Fatal(err)
	}
	if !stateOf(live).equal(stateOf(back)) {
		t.Fatal("replay differs from the live game")
	}
	moves := live.Moves()
	moves[3].Seat = 1 - moves[3].Seat
	if _, err := game.Replay(r, 99, 2, 1, moves); err == nil {
		t.Fatal("replay of a tampered move list: nil error")
	}
}

func firstUndug(g *game.Game) (int, int) {
	r := g.Rules()
	for i := 0; i < r.Cells(); i++ {
		if !g.Dug(i/r.Cols, i%r.Cols) {
			return i / r.Cols, i % r.Cols
		}
	}
	return -1, -1
}
