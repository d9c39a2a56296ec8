// Package solver computes, from what a player can see, the probability
// that each undug cell holds gold.
//
// It takes a game.View, the public view, and the number of gold pieces
// the rules put on the board: nothing else. It cannot read the hidden
// layout, because it is never given it.
//
// The method is the standard one for Minesweeper probabilities. Every dug
// number is a constraint: its undug neighbours hold exactly its value, less
// the dug gold around it. The undug cells that some constraint touches
// (the frontier) split into components that share no constraint. Each
// component's placements are enumerated, by backtracking, and counted by
// how much gold they use. The undug cells that no constraint touches are
// interchangeable: for frontier placements using K gold in all, they hold
// the rest in C(M, G−K) ways, where M is their number and G the gold left.
// Weighting every frontier placement by that count gives the exact
// probability of every cell, as if every layout consistent with the view
// were equally likely.
//
// A component is enumerated exactly while the search visits at most
// MaxNodes nodes. Beyond that (only on very large, loosely constrained
// frontiers) its cells get an approximation instead, and the Analysis says
// it is not exact: the probabilities that simple deductions prove (0 or 1)
// stay exact, and every other cell of the component gets the mean, over
// its constraints, of the gold still missing per undecided cell.
package solver

import (
	"errors"
	"fmt"
	"math"

	"github.com/goldmine-game/goldmine/game"
)

// MaxNodes bounds the backtracking of one component; see the package doc.
const MaxNodes = 1 << 20

// ErrInconsistent is returned for a view that no layout fits: a number
// that its neighbours cannot satisfy, or more gold dug than the rules hold.
var ErrInconsistent = errors.New("the view fits no layout")

// Analysis is what the solver knows of a view.
type Analysis struct {
	Rows, Cols int
	// P holds, row-major, the probability that each cell holds gold: for
	// an undug cell, given the view; for a dug cell, 1 if it was gold and
	// 0 if not.
	P []float64
	// Hidden marks the undug cells.
	Hidden []bool
	// GoldLeft is the gold not dug yet.
	GoldLeft int
	// Exact is false when a component was too large to enumerate and got
	// the approximation.
	Exact bool
}

// At returns the probability of the cell at (row, col).
func (a Analysis) At(row, col int) float64 { return a.P[row*a.Cols+col] }

// constraint says that the cells vars hold exactly need gold.
type constraint struct {
	vars []int // indexes into the frontier
	need int
}

// Analyze computes the probability of gold in every cell of v, for a
// board holding gold pieces in all.
func Analyze(v game.View, gold int) (Analysis, error) {
	return analyze(v, gold, MaxNodes)
}

// analyze is Analyze with a search budget of its own, for tests.
func analyze(v game.View, gold, budget int) (Analysis, error) {
	a, hidden, err := newAnalysis(v, gold)
	if err != nil {
		return Analysis{}, err
	}
	f, err := frontierOf(v, a.Hidden)
	if err != nil {
		return Analysis{}, err
	}
	free := hidden - len(f.cellOf) // undug cells no constraint touches

	comps := components(len(f.cellOf), f.cons)
	counts := make([]*count, len(comps))
	for ci, comp := range comps {
		counts[ci] = enumerate(comp, f.cons, budget)
		if counts[ci] != nil && allZero(counts[ci].ways) {
			return Analysis{}, fmt.Errorf("solver: the numbers around cell %d: %w", f.cellOf[comp.vars[0]], ErrInconsistent)
		}
	}

	// Exact components are combined through their gold distributions;
	// approximated ones contribute their expected gold only.
	var exact []exactComponent
	approxGold := 0.0
	for ci := range comps {
		if counts[ci] != nil {
			exact = append(exact, exactComponent{comps[ci], counts[ci]})
			continue
		}
		a.Exact = false
		for vi, p := range approximate(comps[ci], f.cons) {
			a.P[f.cellOf[comps[ci].vars[vi]]] = p
			approxGold += p
		}
	}
	// G is the gold the exact components and the free cells share.
	G := a.GoldLeft - int(math.Round(approxGold))
	if !a.Exact {
		G = max(0, G)
	}
	if err := a.combine(f, exact, free, G); err != nil {
		return Analysis{}, err
	}
	return a, nil
}

// newAnalysis checks the view and starts its Analysis: the dug cells'
// probabilities, the undug cells, and the gold left. It also returns the
// number of undug cells.
func newAnalysis(v game.View, gold int) (Analysis, int, error) {
	n := v.Rows * v.Cols
	if v.Rows <= 0 || v.Cols <= 0 || len(v.Cells) != n {
		return Analysis{}, 0, fmt.Errorf("solver: a %dx%d view with %d cells", v.Rows, v.Cols, len(v.Cells))
	}
	a := Analysis{Rows: v.Rows, Cols: v.Cols, P: make([]float64, n), Hidden: make([]bool, n), Exact: true}
	hidden, dugGold := 0, 0
	for i, c := range v.Cells {
		switch {
		case c == game.Hidden:
			a.Hidden[i] = true
			hidden++
		case c == game.GoldValue:
			a.P[i] = 1
			dugGold++
		case c < 0 || c > 8:
			return Analysis{}, 0, fmt.Errorf("solver: cell %d holds %d", i, c)
		}
	}
	a.GoldLeft = gold - dugGold
	if a.GoldLeft < 0 || a.GoldLeft > hidden {
		return Analysis{}, 0, fmt.Errorf("solver: %d gold left for %d undug cells: %w", a.GoldLeft, hidden, ErrInconsistent)
	}
	return a, hidden, nil
}

// frontier is the undug cells that some dug number touches, and the
// constraints the numbers put on them.
type frontier struct {
	varOf  []int // cell -> frontier index, or -1
	cellOf []int // frontier index -> cell
	cons   []constraint
}

// frontierOf reads the frontier and its constraints off the view.
func frontierOf(v game.View, hidden []bool) (frontier, error) {
	f := frontier{varOf: make([]int, len(v.Cells))}
	for i := range f.varOf {
		f.varOf[i] = -1
	}
	for i, c := range v.Cells {
		if c < 0 {
			continue
		}
		need := int(c)
		var vars []int
		for _, j := range neighbours(v.Rows, v.Cols, i) {
			switch {
			case v.Cells[j] == game.GoldValue:
				need--
			case hidden[j]:
				if f.varOf[j] < 0 {
					f.varOf[j] = len(f.cellOf)
					f.cellOf = append(f.cellOf, j)
				}
				vars = append(vars, f.varOf[j])
			}
		}
		if need < 0 || need > len(vars) {
			return frontier{}, fmt.Errorf("solver: the %d at cell %d: %w", c, i, ErrInconsistent)
		}
		if len(vars) > 0 {
			f.cons = append(f.cons, constraint{vars: vars, need: need})
		}
	}
	return f, nil
}

// exactComponent is a component whose placements were all counted.
type exactComponent struct {
	component
	*count
}

// combine sets the probabilities of the exact components' cells and of the
// free cells (those no constraint touches, free of them), which share G
// gold: every placement of the components is weighted by the ways the free
// cells hold the rest.
func (a *Analysis) combine(f frontier, exact []exactComponent, free, G int) error {
	maxK := 0
	for _, e := range exact {
		maxK += len(e.vars)
	}
	weight, ok := freeWeights(free, G, maxK)
	if !ok && a.Exact {
		return fmt.Errorf("solver: no way to place %d gold: %w", a.GoldLeft, ErrInconsistent)
	}

	// prefix[i] is the gold distribution of exact components 0..i-1,
	// suffix[i] that of i..end: their convolution leaves one out.
	ne := len(exact)
	prefix := make([][]float64, ne+1)
	suffix := make([][]float64, ne+1)
	prefix[0], suffix[ne] = []float64{1}, []float64{1}
	for i := 0; i < ne; i++ {
		prefix[i+1] = convolve(prefix[i], exact[i].ways)
	}
	for i := ne - 1; i >= 0; i-- {
		suffix[i] = convolve(exact[i].ways, suffix[i+1])
	}
	all := prefix[ne]
	z := 0.0
	for K, w := range all {
		z += w * weight[K]
	}
	if z == 0 {
		if a.Exact {
			return fmt.Errorf("solver: the gold count: %w", ErrInconsistent)
		}
		z = 1
	}
	for i, e := range exact {
		others := convolve(prefix[i], suffix[i+1])
		// tail[k] is the weight of this component holding k gold.
		tail := make([]float64, len(e.ways))
		for k := range tail {
			for K, w := range others {
				if k+K < len(weight) {
					tail[k] += w * weight[k+K]
				}
			}
		}
		for vi, v := range e.vars {
			p := 0.0
			for k := range e.ways {
				p += e.gold[k][vi] * tail[k]
			}
			a.P[f.cellOf[v]] = clamp(p / z)
		}
	}
	if free > 0 {
		p := 0.0
		for K, w := range all {
			if K < len(weight) {
				p += w * weight[K] * float64(G-K) / float64(free)
			}
		}
		p = clamp(p / z)
		for i := range a.P {
			if a.Hidden[i] && f.varOf[i] < 0 {
				a.P[i] = p
			}
		}
	}
	return nil
}

// freeWeights returns weight[K], for K from 0 to maxK, the number of ways
// C(free, G-K) that free cells hold the gold that frontier placements
// using K leave, relative to its largest value, so that nothing overflows.
// It reports false when no K leaves a count the free cells can hold (the
// weights are then relative to 1).
func freeWeights(free, G, maxK int) ([]float64, bool) {
	weight := make([]float64, maxK+1)
	logs := make([]float64, maxK+1)
	top := math.Inf(-1)
	for K := range weight {
		logs[K] = logBinom(free, G-K)
		top = max(top, logs[K])
	}
	ok := !math.IsInf(top, -1)
	if !ok {
		top = 0
	}
	for K := range weight {
		weight[K] = math.Exp(logs[K] - top)
	}
	return weight, ok
}

// component is a set of frontier cells, and the constraints on them.
type component struct {
	vars []int // frontier indexes, in search order
	cons []int // indexes into the constraints
}

// components splits the frontier into sets that share no constraint, each
// ordered breadth-first along its constraints, which keeps the search's
// partial assignments tight.
func components(nvars int, cons []constraint) []component {
	byVar := make([][]int, nvars)
	for ci, c := range cons {
		for _, v := range c.vars {
			byVar[v] = append(byVar[v], ci)
		}
	}
	seenVar := make([]bool, nvars)
	seenCon := make([]bool, len(cons))
	var out []component
	for start := range nvars {
		if seenVar[start] {
			continue
		}
		var comp component
		queue := []int{start}
		seenVar[start] = true
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			comp.vars = append(comp.vars, v)
			for _, ci := range byVar[v] {
				if seenCon[ci] {
					continue
				}
				seenCon[ci] = true
				comp.cons = append(comp.cons, ci)
				for _, w := range cons[ci].vars {
					if !seenVar[w] {
						seenVar[w] = true
						queue = append(queue, w)
					}
				}
			}
		}
		out = append(out, comp)
	}
	return out
}

// count is the result of enumerating a component: ways[k] placements use
// k gold, and in gold[k][i] of them its i-th cell holds gold.
type count struct {
	ways []float64
	gold [][]float64
}

// enumerate counts the placements of a component, or returns nil when the
// search would visit more than budget nodes.
func enumerate(comp component, cons []constraint, budget int) *count {
	nv := len(comp.vars)
	pos := make(map[int]int, nv) // frontier index -> position in comp.vars
	for i, v := range comp.vars {
		pos[v] = i
	}
	// For each constraint: its cells as positions, what it needs, and, as
	// the search goes, how much gold and how many open cells it has.
	type live struct {
		need, gold, open int
	}
	lives := make([]live, len(comp.cons))
	byPos := make([][]int, nv) // position -> constraints (indexes into lives)
	for li, ci := range comp.cons {
		lives[li] = live{need: cons[ci].need, open: len(cons[ci].vars)}
		for _, v := range cons[ci].vars {
			byPos[pos[v]] = append(byPos[pos[v]], li)
		}
	}
	c := &count{ways: make([]float64, nv+1), gold: make([][]float64, nv+1)}
	for k := range c.gold {
		c.gold[k] = make([]float64, nv)
	}
	assign := make([]bool, nv)
	nodes := 0
	var walk func(i, k int) bool
	walk = func(i, k int) bool {
		if nodes++; nodes > budget {
			return false
		}
		if i == nv {
			c.ways[k]++
			for j, g := range assign {
				if g {
					c.gold[k][j]++
				}
			}
			return true
		}
		for _, g := range [2]bool{false, true} {
			ok := true
			for _, li := range byPos[i] {
				l := &lives[li]
				l.open--
				if g {
					l.gold++
				}
				if l.gold > l.need || l.gold+l.open < l.need {
					ok = false
				}
			}
			if ok {
				assign[i] = g
				kk := k
				if g {
					kk++
				}
				if !walk(i+1, kk) {
					return false
				}
			}
			for _, li := range byPos[i] {
				l := &lives[li]
				l.open++
				if g {
					l.gold--
				}
			}
		}
		assign[i] = false
		return true
	}
	if !walk(0, 0) {
		return nil
	}
	return c
}

// missing returns the gold c still needs and its undecided cells, given
// the cells known so far (1 gold, -1 empty, 0 unknown) at their positions.
func (c constraint) missing(known []int8, pos map[int]int) (need, open int) {
	need = c.need
	for _, v := range c.vars {
		switch known[pos[v]] {
		case 1:
			need--
		case 0:
			open++
		}
	}
	return need, open
}

// approximate gives a component's cells the approximation of the package
// doc: cells that simple deduction settles get 0 or 1, the others the mean
// density of their constraints.
func approximate(comp component, cons []constraint) []float64 {
	pos := make(map[int]int, len(comp.vars))
	for i, v := range comp.vars {
		pos[v] = i
	}
	known := make([]int8, len(comp.vars)) // 0 unknown, 1 gold, -1 empty
	for changed := true; changed; {
		changed = false
		for _, ci := range comp.cons {
			c := cons[ci]
			need, open := c.missing(known, pos)
			if open == 0 || (need != 0 && need != open) {
				continue
			}
			for _, v := range c.vars {
				if known[pos[v]] == 0 {
					known[pos[v]] = -1
					if need > 0 {
						known[pos[v]] = 1
					}
					changed = true
				}
			}
		}
	}
	sum := make([]float64, len(comp.vars))
	num := make([]int, len(comp.vars))
	for _, ci := range comp.cons {
		c := cons[ci]
		need, open := c.missing(known, pos)
		if open == 0 {
			continue
		}
		d := float64(need) / float64(open)
		for _, v := range c.vars {
			if known[pos[v]] == 0 {
				sum[pos[v]] += d
				num[pos[v]]++
			}
		}
	}
	p := make([]float64, len(comp.vars))
	for i, k := range known {
		switch {
		case k == 1:
			p[i] = 1
		case k == 0 && num[i] > 0:
			p[i] = clamp(sum[i] / float64(num[i]))
		}
	}
	return p
}

// neighbours returns the up to 8 cells around cell i.
func neighbours(rows, cols, i int) []int {
	r, c := i/cols, i%cols
	out := make([]int, 0, 8)
	for dr := -1; dr <= 1; dr++ {
		for dc := -1; dc <= 1; dc++ {
			rr, cc := r+dr, c+dc
			if (dr != 0 || dc != 0) && rr >= 0 && rr < rows && cc >= 0 && cc < cols {
				out = append(out, rr*cols+cc)
			}
		}
	}
	return out
}

func convolve(a, b []float64) []float64 {
	out := make([]float64, len(a)+len(b)-1)
	for i, x := range a {
		if x == 0 {
			continue
		}
		for j, y := range b {
			out[i+j] += x * y
		}
	}
	return out
}

// logBinom is ln C(n, k), or -Inf when k is out of 0..n.
func logBinom(n, k int) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}

func allZero(xs []float64) bool {
	for _, x := range xs {
		if x != 0 {
			return false
		}
	}
	return true
}

// clamp keeps rounding from leaving [0, 1].
func clamp(p float64) float64 { return min(1, max(0, p)) }
