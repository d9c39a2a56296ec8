package solver

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// bruteForce counts every placement of the gold left over the undug
// cells that fits every number of the view, and returns for each cell
// the share of placements with gold there.
func bruteForce(v game.View, gold int) ([]float64, bool) {
	var undug []int
	left := gold
	for i, c := range v.Cells {
		switch c {
		case game.Hidden:
			undug = append(undug, i)
		case game.GoldValue:
			left--
		}
	}
	if left < 0 || left > len(undug) {
		return nil, false
	}
	isGold := make([]bool, len(v.Cells))
	for i, c := range v.Cells {
		isGold[i] = c == game.GoldValue
	}
	hits := make([]float64, len(v.Cells))
	total := 0.0
	fits := func() bool {
		for i, c := range v.Cells {
			if c < 0 {
				continue
			}
			n := 0
			for _, j := range neighbours(v.Rows, v.Cols, i) {
				if isGold[j] {
					n++
				}
			}
			if n != int(c) {
				return false
			}
		}
		return true
	}
	var place func(from, k int)
	place = func(from, k int) {
		if k == 0 {
			if fits() {
				total++
				for i, g := range isGold {
					if g && v.Cells[i] == game.Hidden {
						hits[i]++
					}
				}
			}
			return
		}
		for i := from; i <= len(undug)-k; i++ {
			isGold[undug[i]] = true
			place(i+1, k-1)
			isGold[undug[i]] = false
		}
	}
	place(0, left)
	if total == 0 {
		return nil, false
	}
	for i := range hits {
		hits[i] /= total
	}
	return hits, true
}

func binom(n, k int) float64 {
	return math.Round(math.Exp(logBinom(n, k)))
}

// randomView plays a random game on a small board for a random number of
// digs and returns what the players see.
func randomView(rng *rand.Rand) (game.View, int, *game.Game) {
	rows, cols := 5, 5+rng.IntN(2)
	gold := 1 + rng.IntN(9)
	rules := game.Rules{Preset: "custom", Rows: rows, Cols: cols, Gold: gold, MaxPlayers: 2}
	g, err := game.New(rules, rng.Uint64(), 2, 0)
	if err != nil {
		panic(err)
	}
	digs := rng.IntN(rows * cols / 2)
	for range digs {
		if g.Over() {
			break
		}
		v := g.PublicView()
		var undug []int
		for i, c := range v.Cells {
			if c == game.Hidden {
				undug = append(undug, i)
			}
		}
		i := undug[rng.IntN(len(undug))]
		if _, err := g.Dig(g.Turn(), i/cols, i%cols); err != nil {
			panic(err)
		}
	}
	return g.PublicView(), gold, g
}

// TestAgainstBruteForce checks the exact answer on thousands of random
// views of small boards, against counting every layout.
func TestAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	checked, cells := 0, 0
	for checked < 3000 {
		v, gold, g := randomView(rng)
		if g.Over() {
			continue
		}
		hidden, left := 0, gold
		for _, c := range v.Cells {
			if c == game.Hidden {
				hidden++
			} else if c == game.GoldValue {
				left--
			}
		}
		if binom(hidden, left) > 20000 {
			continue // too many layouts to count here
		}
		want, ok := bruteForce(v, gold)
		if !ok {
			t.Fatalf("brute force finds no layout for a real game's view")
		}
		a, err := Analyze(v, gold)
		if err != nil {
			t.Fatalf("view %v: %v", v.Cells, err)
		}
		if !a.Exact {
			t.Fatalf("a small view was approximated")
		}
		for i := range v.Cells {
			if !a.Hidden[i] {
				continue
			}
			cells++
			if math.Abs(a.P[i]-want[i]) > 1e-9 {
				t.Fatalf("%dx%d, %d gold, view %v: cell %d: solver %.12f, brute force %.12f",
					v.Rows, v.Cols, gold, v.Cells, i, a.P[i], want[i])
			}
		}
		// The truth: gold cells never get 0, empty ones never 1.
		for i := range v.Cells {
			row, col := i/v.Cols, i%v.Cols
			isGold := g.Board().At(row, col) == game.GoldValue
			if a.Hidden[i] && ((isGold && a.P[i] == 0) || (!isGold && a.P[i] == 1)) {
				t.Fatalf("cell %d is gold=%v but the solver is certain of the opposite", i, isGold)
			}
		}
		checked++
	}
	t.Logf("%d views, %d undug cells agree with brute force", checked, cells)
}

// TestOnlyTheView shows that the solver cannot depend on the hidden
// layout: two games with different layouts that look the same give the
// same answer. Analyze takes a game.View; it is never handed a game.
func TestOnlyTheView(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	found := 0
	for tries := 0; found < 50 && tries < 100000; tries++ {
		v, gold, g := randomView(rng)
		if g.Over() || g.MoveCount() == 0 {
			continue
		}
		// Another layout that fits the view: move one undug gold to an
		// undug empty cell and keep it if the numbers still hold.
		other, ok := otherLayout(v, g, rng)
		if !ok {
			continue
		}
		replayed, err := game.NewWithBoard(g.Rules(), other, g.Players(), g.First())
		if err != nil {
			t.Fatal(err)
		}
		replayOK := true
		for _, m := range g.Moves() {
			if _, err := replayed.Apply(m); err != nil {
				// A different flood fill already opened a later move's
				// cell: this layout does not fit the view.
				replayOK = false
				break
			}
		}
		if !replayOK {
			continue
		}
		v2 := replayed.PublicView()
		if !equalCells(v.Cells, v2.Cells) {
			continue // the other layout shows differently after all
		}
		if g.Board().Layout() == other.Layout() {
			t.Fatal("the other layout is the same")
		}
		a1, err1 := Analyze(v, gold)
		a2, err2 := Analyze(v2, gold)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for i := range a1.P {
			if a1.P[i] != a2.P[i] {
				t.Fatalf("cell %d: %v and %v for the same view", i, a1.P[i], a2.P[i])
			}
		}
		found++
	}
	if found < 50 {
		t.Fatalf("only %d pairs of layouts found", found)
	}
}

func otherLayout(v game.View, g *game.Game, rng *rand.Rand) (*game.Board, bool) {
	layout := []byte(g.Board().Layout())
	var gold, empty []int
	for i, c := range v.Cells {
		if c != game.Hidden {
			continue
		}
		if layout[i] == '1' {
			gold = append(gold, i)
		} else {
			empty = append(empty, i)
		}
	}
	if len(gold) == 0 || len(empty) == 0 {
		return nil, false
	}
	layout[gold[rng.IntN(len(gold))]] = '0'
	layout[empty[rng.IntN(len(empty))]] = '1'
	b, err := game.FromLayout(v.Rows, v.Cols, string(layout))
	return b, err == nil
}

func equalCells(a, b []int8) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func view(rows, cols int, cells string) game.View {
	v := game.HiddenView(rows, cols)
	for i, ch := range cells {
		switch {
		case ch == 'G':
			v.Cells[i] = game.GoldValue
		case ch >= '0' && ch <= '8':
			v.Cells[i] = int8(ch - '0')
		}
	}
	return v
}

func TestCases(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cells string // 5x5, '.' undug
		gold  int
		cell  int
		want  float64
	}{
		// The 1 in the corner has one undug neighbour: it is gold, and
		// the other 1s have their gold, so their other cells are empty.
		{"forced", "11..." + "1...." + "....." + "....." + ".....", 3, 6, 1},
		{"forced empty", "11..." + "1...." + "....." + "....." + ".....", 3, 2, 0},
		// Nothing dug: every cell alike.
		{"blank", "....." + "....." + "....." + "....." + ".....", 5, 12, 5.0 / 25},
		// All the gold found: the rest is empty.
		{"done", "G1000" + "11000" + "00000" + "00000" + "000..", 1, 24, 0},
		// Three cells share the corner's 1 alike, whatever the rest.
		{"shared", "1...." + "....." + "....." + "....." + ".....", 3, 1, 1.0 / 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Analyze(view(5, 5, tt.cells), tt.gold)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(a.P[tt.cell]-tt.want) > 1e-12 {
				t.Fatalf("P[%d] = %v, want %v", tt.cell, a.P[tt.cell], tt.want)
			}
		})
	}
}

func TestInconsistent(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cells string
		gold  int
	}{
		{"number too big", "8........................", 3},
		{"more gold dug than the rules hold", "GG.......................", 1},
		{"too little room", "0000000000000000000000...", 4},
		{"two numbers that disagree", "11...00..................", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Analyze(view(5, 5, tt.cells), tt.gold)
			if !errors.Is(err, ErrInconsistent) {
				t.Fatalf("err = %v, want ErrInconsistent", err)
			}
		})
	}
}

func TestBadView(t *testing.T) {
	if _, err := Analyze(game.View{Rows: 5, Cols: 5, Cells: make([]int8, 3)}, 1); err == nil {
		t.Fatal("a view of the wrong size was analysed")
	}
	v := view(5, 5, ".........................")
	v.Cells[0] = 9
	if _, err := Analyze(v, 1); err == nil {
		t.Fatal("a cell holding 9 was analysed")
	}
}

// TestApproximation forces the fallback with a tiny node budget and
// checks that it says so and stays a probability.
func TestApproximation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		v, gold, g := randomView(rng)
		if g.Over() {
			continue
		}
		a, err := analyze(v, gold, 4)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range a.P {
			if p < 0 || p > 1 || math.IsNaN(p) {
				t.Fatalf("P[%d] = %v", i, p)
			}
		}
	}
	a, err := analyze(view(5, 5, "1.1.1.1.1.1.1.1.1.1.1.1.1"), 6, 4)
	if err != nil || a.Exact {
		t.Fatalf("a budget of 4 nodes: exact=%v, %v", a.Exact, err)
	}
}

// FuzzAnalyze feeds the solver any view at all, consistent or not, as a
// bot could be sent by a confused server: it must answer or refuse, never
// panic or hang, and every answer must be a probability.
func FuzzAnalyze(f *testing.F) {
	f.Add(uint8(5), uint8(5), uint8(3), []byte("1.1.1.1.1.1.1.1.1.1.1.1.1"))
	f.Add(uint8(6), uint8(5), uint8(4), []byte("0000000000000000000000..."))
	f.Add(uint8(5), uint8(7), uint8(9), []byte("G2..3G"))
	f.Fuzz(func(t *testing.T, rows, cols, gold uint8, cells []byte) {
		r, c := 1+int(rows%8), 1+int(cols%8)
		v := game.HiddenView(r, c)
		for i := range min(len(cells), len(v.Cells)) {
			switch ch := cells[i]; {
			case ch == 'G':
				v.Cells[i] = game.GoldValue
			case ch >= '0' && ch <= '8':
				v.Cells[i] = int8(ch - '0')
			}
		}
		a, err := Analyze(v, int(gold%40))
		if err != nil {
			return
		}
		for i, p := range a.P {
			if p < 0 || p > 1 || math.IsNaN(p) {
				t.Fatalf("P[%d] = %v", i, p)
			}
			if dug := !a.Hidden[i]; dug && p != map[bool]float64{true: 1, false: 0}[v.Cells[i] == game.GoldValue] {
				t.Fatalf("dug cell %d (%d) has P %v", i, v.Cells[i], p)
			}
		}
		if _, _, err := Choose(Hard, v, int(gold%40), rand.New(rand.NewPCG(1, 2))); err != nil && !errors.Is(err, ErrInconsistent) && !errors.Is(err, ErrNoMove) {
			t.Fatalf("Choose: %v", err)
		}
	})
}
