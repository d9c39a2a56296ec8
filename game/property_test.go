package game_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// TestRandomGames plays thousands of seeded random games of every preset and
// checks the invariants after every move, against references written
// independently of the engine.
func TestRandomGames(t *testing.T) {
	games := 2000
	if testing.Short() || raceEnabled {
		games = 200
	}
	for _, preset := range game.Presets() {
		t.Run(preset.Preset, func(t *testing.T) {
			for i := 0; i < games; i++ {
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				players := 2 + rng.IntN(preset.MaxPlayers-1)
				if err := playRandom(preset, rng.Uint64(), players, rng.IntN(players), rng); err != nil {
					t.Fatalf("game %d: %v", i, err)
				}
			}
		})
	}
}

// playRandom plays one game with random digs, skips, forfeits and refused
// moves, checking every invariant as it goes.
func playRandom(r game.Rules, seed uint64, players, first int, rng *rand.Rand) error {
	g, err := game.New(r, seed, players, first)
	if err != nil {
		return err
	}
	ref := newReference(g)
	for steps := 0; !g.Over(); steps++ {
		if steps > 10*r.Cells() {
			return fmt.Errorf("game did not end after %d steps", steps)
		}
		if err := step(g, ref, rng); err != nil {
			return fmt.Errorf("seed %d step %d: %w", seed, steps, err)
		}
	}
	back, err := game.Replay(r, seed, players, first, g.Moves())
	if err != nil {
		return err
	}
	if !stateOf(g).equal(stateOf(back)) {
		return errors.New("replay differs from the live game")
	}
	if _, err := g.Dig(0, 0, 0); !errors.Is(err, game.ErrGameOver) {
		return fmt.Errorf("dig after the end = %v", err)
	}
	return nil
}

func step(g *game.Game, ref reference, rng *rand.Rand) error {
	r := g.Rules()
	dugBefore := make([]bool, r.Cells())
	for i := range dugBefore {
		dugBefore[i] = g.Dug(i/r.Cols, i%r.Cols)
	}
	var res game.Result
	var err error
	switch x := rng.IntN(100); {
	case x < 4: // a refused move, which must change nothing
		seat, row, col := rng.IntN(g.Players()+2)-1, rng.IntN(r.Rows+2)-1, rng.IntN(r.Cols+2)-1
		if g.CheckDig(seat, row, col) == nil {
			return nil
		}
		before := stateOf(g)
		if _, err := g.Dig(seat, row, col); err == nil {
			return errors.New("CheckDig refused a dig that Dig accepted")
		}
		if !before.equal(stateOf(g)) {
			return fmt.Errorf("refused dig (%d,%d,%d) changed the game", seat, row, col)
		}
		return nil
	case x < 7:
		res, err = g.Skip()
	case x < 8:
		res, err = g.Forfeit(rng.IntN(g.Players()))
		if errors.Is(err, game.ErrNotAPlayer) {
			return nil
		}
	default:
		var undug []int
		for i, d := range dugBefore {
			if !d {
				undug = append(undug, i)
			}
		}
		i := undug[rng.IntN(len(undug))]
		res, err = g.Dig(g.Turn(), i/r.Cols, i%r.Cols)
		if err == nil {
			if err := checkDig(res, ref.layout, r, dugBefore); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return err
	}
	return checkInvariants(g, ref, res)
}

// checkDig compares a dig's revealed cells with the reference flood.
func checkDig(res game.Result, layout string, r game.Rules, dugBefore []bool) error {
	row, col := res.Move.Row, res.Move.Col
	if layout[row*r.Cols+col] == '1' {
		if !res.Gold || len(res.Cells) != 1 {
			return fmt.Errorf("gold dig at (%d,%d) gave %+v", row, col, res)
		}
		return nil
	}
	want := referenceFlood(layout, r.Rows, r.Cols, dugBefore, row, col)
	if res.Gold || len(res.Cells) != len(want) {
		return fmt.Errorf("flood at (%d,%d) revealed %d cells, reference %d", row, col, len(res.Cells), len(want))
	}
	for _, c := range res.Cells {
		if !want[[2]int{c.Row, c.Col}] {
			return fmt.Errorf("flood at (%d,%d) revealed (%d,%d), not in the reference", row, col, c.Row, c.Col)
		}
		if c.Value != neighbourGold(layout, r.Rows, r.Cols, c.Row, c.Col) {
			return fmt.Errorf("revealed (%d,%d)=%d, reference %d", c.Row, c.Col, c.Value, neighbourGold(layout, r.Rows, r.Cols, c.Row, c.Col))
		}
	}
	return nil
}

// checkInvariants checks the whole game after a move.
func checkInvariants(g *game.Game, ref reference, res game.Result) error {
	r := g.Rules()
	pub := g.PublicView()
	goldDug, sum := 0, 0
	for _, s := range g.Scores() {
		sum += s
	}
	for i := 0; i < r.Cells(); i++ {
		row, col := i/r.Cols, i%r.Cols
		isGold := ref.layout[i] == '1'
		if !g.Dug(row, col) {
			if pub.Cells[i] != game.Hidden || pub.Finders[i] != -1 {
				return fmt.Errorf("public view shows undug (%d,%d): %d", row, col, pub.Cells[i])
			}
			continue
		}
		want := ref.values[i]
		if isGold {
			goldDug++
		}
		if pub.Cells[i] != want {
			return fmt.Errorf("public (%d,%d)=%d, reference %d", row, col, pub.Cells[i], want)
		}
	}
	if sum != goldDug || g.GoldLeft() != r.Gold-goldDug {
		return fmt.Errorf("scores sum %d, gold dug %d, gold left %d of %d", sum, goldDug, g.GoldLeft(), r.Gold)
	}
	// The public view, encoded as sent, carries nothing about undug cells.
	// (Checked on one move in eight and at the end: encoding is the slow part.)
	if g.MoveCount()%8 == 0 || res.End != nil {
		if err := checkEncoded(g, pub); err != nil {
			return err
		}
	}
	// The game ends exactly when the rules say so.

	active, best, second := 0, -1, -1
	for s, score := range g.Scores() {
		if !g.Forfeited(s) {
			active++
		}
		if score > best {
			best, second = score, best
		} else if score > second {
			second = score
		}
	}
	wantOver := g.GoldLeft() == 0 || active < 2 || (r.EndWhenDecided && best > second+g.GoldLeft())
	if g.Over() != wantOver || (res.End != nil) != wantOver {
		return fmt.Errorf("over=%v end=%v, rules say %v (gold left %d, active %d, %d vs %d)", g.Over(), res.End, wantOver, g.GoldLeft(), active, best, second)
	}
	if wantOver {
		return checkOutcome(g, res)
	}
	if t := g.Turn(); t < 0 || t >= g.Players() || g.Forfeited(t) || res.Turn != t {
		return fmt.Errorf("turn %d (result %d) is not an active seat", t, res.Turn)
	}
	return nil
}

// reference is a board's layout and every cell's value, computed from the
// layout alone, independently of the engine.
type reference struct {
	layout string
	values []int8
}

func newReference(g *game.Game) reference {
	r := g.Rules()
	ref := reference{layout: g.Board().Layout(), values: make([]int8, r.Cells())}
	for j := range ref.values {
		ref.values[j] = neighbourGold(ref.layout, r.Rows, r.Cols, j/r.Cols, j%r.Cols)
		if ref.layout[j] == '1' {
			ref.values[j] = game.GoldValue
		}
	}
	return ref
}

func checkEncoded(g *game.Game, pub game.View) error {
	r := g.Rules()
	js, err := json.Marshal(pub)
	if err != nil {
		return err
	}
	var board [][]*int
	if err := json.Unmarshal(js, &board); err != nil {
		return err
	}
	for i := 0; i < r.Cells(); i++ {
		if v := board[i/r.Cols][i%r.Cols]; (v == nil) == g.Dug(i/r.Cols, i%r.Cols) {
			return fmt.Errorf("encoded view cell %d = %v, dug=%v", i, v, g.Dug(i/r.Cols, i%r.Cols))
		}
	}
	return nil
}

func checkOutcome(g *game.Game, res game.Result) error {
	o, ok := g.Outcome()
	if !ok || res.Turn != -1 {
		return errors.New("over without an outcome, or with a turn")
	}
	var want game.EndReason
	switch {
	case res.Move.Kind == game.Forfeit:
		want = game.EndForfeit
	case g.GoldLeft() == 0:
		want = game.EndAllGold
	default:
		want = game.EndDecided
	}
	if o.Reason != want {
		return fmt.Errorf("reason %s, want %s", o.Reason, want)
	}
	for i, st := range o.Ranking {
		for _, other := range o.Ranking[:i] {
			ahead := (!other.Forfeited && st.Forfeited) || (other.Forfeited == st.Forfeited && other.Score > st.Score)
			if ahead && other.Rank >= st.Rank || !ahead && other.Rank != st.Rank {
				return fmt.Errorf("ranking %v is not ordered", o.Ranking)
			}
		}
	}
	for _, w := range o.Winners {
		if o.Ranking[0].Score != g.Scores()[w] || g.Forfeited(w) != o.Ranking[0].Forfeited {
			return fmt.Errorf("winner %d is not top of %v", w, o.Ranking)
		}
	}
	return nil
}
