package solver

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/goldmine-game/goldmine/game"
)

// Level is how well a bot plays.
type Level string

// The levels. Their strength is measured in docs/bots.md.
const (
	// Easy digs a random undug cell.
	Easy Level = "easy"
	// Normal digs a cell that simple deduction proves holds gold when
	// there is one, and otherwise a random cell that simple deduction does
	// not prove empty: the play of a casual human who reads single numbers.
	Normal Level = "normal"
	// Hard digs the cell most likely to hold gold, by the exact analysis.
	// Among equally likely cells it picks the one whose number, if it is
	// not gold, tells the opponents least: the one whose undug neighbours
	// are the least uncertain.
	Hard Level = "hard"
)

// Levels lists the levels, weakest first.
var Levels = []Level{Easy, Normal, Hard}

// ParseLevel returns the level of that name.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("solver: unknown level %q (easy, normal or hard)", s)
}

// ErrNoMove is returned for a view with no undug cell.
var ErrNoMove = errors.New("solver: no undug cell")

// Choose picks the cell a bot of that level digs, seeing v, on a board
// with gold pieces in all. rng makes the random choices; the same rng
// state gives the same cell.
func Choose(level Level, v game.View, gold int, rng *rand.Rand) (row, col int, err error) {
	var undug []int
	for i, c := range v.Cells {
		if c == game.Hidden {
			undug = append(undug, i)
		}
	}
	if len(undug) == 0 {
		return 0, 0, ErrNoMove
	}
	pick := func(cells []int) (int, int, error) {
		i := cells[rng.IntN(len(cells))]
		return i / v.Cols, i % v.Cols, nil
	}
	switch level {
	case Easy:
		return pick(undug)
	case Normal:
		sure, empty := deduce(v)
		if len(sure) > 0 {
			return pick(sure)
		}
		var maybe []int
		for _, i := range undug {
			if !empty[i] {
				maybe = append(maybe, i)
			}
		}
		if len(maybe) == 0 {
			maybe = undug
		}
		return pick(maybe)
	case Hard:
		a, err := Analyze(v, gold)
		if err != nil {
			return 0, 0, err
		}
		best := a.best()
		return pick(best)
	}
	return 0, 0, fmt.Errorf("solver: unknown level %q", level)
}

// best returns the undug cells of highest probability (within rounding)
// and, among them, the ones that give away the least.
func (a Analysis) best() []int {
	const eps = 1e-9
	top := -1.0
	for i, p := range a.P {
		if a.Hidden[i] && p > top {
			top = p
		}
	}
	var cands []int
	least := math.Inf(1)
	for i, p := range a.P {
		if !a.Hidden[i] || p < top-eps {
			continue
		}
		// What a number here would tell: the uncertainty of the cells it
		// counts. A cell whose neighbours are all settled tells nothing.
		info := 0.0
		for _, j := range neighbours(a.Rows, a.Cols, i) {
			if a.Hidden[j] {
				info += entropy(a.P[j])
			}
		}
		switch {
		case info < least-eps:
			least, cands = info, []int{i}
		case info <= least+eps:
			cands = append(cands, i)
		}
	}
	return cands
}

// entropy is the binary entropy of p, in bits.
func entropy(p float64) float64 {
	if p <= 0 || p >= 1 {
		return 0
	}
	return -p*math.Log2(p) - (1-p)*math.Log2(1-p)
}

// deduce applies the single-number rules until nothing changes: a number
// whose missing gold equals its undecided neighbours makes them all gold;
// a number with all its gold found makes the rest empty. It returns the
// cells proved gold, and the cells proved empty as a set.
func deduce(v game.View) (gold []int, empty map[int]bool) {
	n := v.Rows * v.Cols
	state := make([]int8, n) // 0 unknown, 1 gold, -1 empty (undug cells only)
	for changed := true; changed; {
		changed = false
		for i, c := range v.Cells {
			if c < 0 {
				continue
			}
			need, open := int(c), 0
			nb := neighbours(v.Rows, v.Cols, i)
			for _, j := range nb {
				switch {
				case v.Cells[j] == game.GoldValue || (v.Cells[j] == game.Hidden && state[j] == 1):
					need--
				case v.Cells[j] == game.Hidden && state[j] == 0:
					open++
				}
			}
			if open == 0 || (need != 0 && need != open) {
				continue
			}
			for _, j := range nb {
				if v.Cells[j] == game.Hidden && state[j] == 0 {
					state[j] = -1
					if need > 0 {
						state[j] = 1
					}
					changed = true
				}
			}
		}
	}
	empty = map[int]bool{}
	for i, s := range state {
		switch s {
		case 1:
			gold = append(gold, i)
		case -1:
			empty[i] = true
		}
	}
	return gold, empty
}
