package game_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// board builds a board from a picture: one string per row, 'G' for gold and
// '.' for the rest.
func board(tb testing.TB, rows ...string) *game.Board {
	tb.Helper()
	layout := strings.NewReplacer("G", "1", ".", "0").Replace(strings.Join(rows, ""))
	b, err := game.FromLayout(len(rows), len(rows[0]), layout)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rulesFor returns rules that fit b, based on preset classic.
func rulesFor(b *game.Board, players int) game.Rules {
	r, _ := game.Preset("classic")
	r.Rows, r.Cols, r.Gold, r.MaxPlayers = b.Rows(), b.Cols(), b.Gold(), max(players, 2)
	return r
}

func newGame(tb testing.TB, r game.Rules, b *game.Board, players int) *game.Game {
	tb.Helper()
	g, err := game.NewWithBoard(r, b, players, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func mustDig(tb testing.TB, g *game.Game, seat, row, col int) game.Result {
	tb.Helper()
	res, err := g.Dig(seat, row, col)
	if err != nil {
		tb.Fatalf("Dig(%d, %d, %d): %v", seat, row, col, err)
	}
	return res
}

// state is everything observable about a game, for equality checks.
type state struct {
	full, public game.View
	scores       []int
	turn         int
	over         bool
	outcome      game.Outcome
	goldLeft     int
	moves        []game.Move
}

func stateOf(g *game.Game) state {
	o, _ := g.Outcome()
	return state{
		full: g.FullView(), public: g.PublicView(), scores: g.Scores(), turn: g.Turn(),
		over: g.Over(), outcome: o, goldLeft: g.GoldLeft(), moves: g.Moves(),
	}
}

func (s state) equal(o state) bool {
	return viewEqual(s.full, o.full) && viewEqual(s.public, o.public) && slices.Equal(s.scores, o.scores) &&
		s.turn == o.turn && s.over == o.over && s.goldLeft == o.goldLeft && slices.Equal(s.moves, o.moves) &&
		outcomeEqual(s.outcome, o.outcome)
}

func viewEqual(a, b game.View) bool {
	return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(a.Cells, b.Cells) && slices.Equal(a.Finders, b.Finders)
}

func outcomeEqual(a, b game.Outcome) bool {
	return a.Reason == b.Reason && slices.Equal(a.Scores, b.Scores) && slices.Equal(a.Ranking, b.Ranking) &&
		slices.Equal(a.Winners, b.Winners)
}

// neighbourGold counts gold around (r, c) straight from a layout string: an
// independent reference for the board's numbers.
func neighbourGold(layout string, rows, cols, r, c int) int8 {
	var n int8
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			nr, nc := r+dr, c+dc
			if (dr == 0 && dc == 0) || nr < 0 || nr >= rows || nc < 0 || nc >= cols {
				continue
			}
			if layout[nr*cols+nc] == '1' {
				n++
			}
		}
	}
	return n
}

// referenceFlood is a recursive flood fill written from the rules' text, to
// check the engine's iterative one against. dug is the set before the move.
func referenceFlood(layout string, rows, cols int, dug []bool, r, c int) map[[2]int]bool {
	out := map[[2]int]bool{}
	var visit func(r, c int)
	visit = func(r, c int) {
		if r < 0 || r >= rows || c < 0 || c >= cols || dug[r*cols+c] || out[[2]int{r, c}] || layout[r*cols+c] == '1' {
			return
		}
		out[[2]int{r, c}] = true
		if neighbourGold(layout, rows, cols, r, c) != 0 {
			return
		}
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				if dr != 0 || dc != 0 {
					visit(r+dr, c+dc)
				}
			}
		}
	}
	visit(r, c)
	return out
}
