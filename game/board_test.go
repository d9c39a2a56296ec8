package game_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// TestGenerateGolden pins the board format: a seed must give the same board
// on every machine and release, or stored games would stop replaying. The
// files in testdata/boards hold "rows cols gold seed" and then the board.
func TestGenerateGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/boards/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden boards: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			rows, cols, gold, seed, want := readGolden(t, f)
			b, err := game.Generate(rows, cols, gold, seed)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Layout(); got != want {
				t.Fatalf("layout of seed %d:\n got %s\nwant %s", seed, got, want)
			}
		})
	}
}

func readGolden(t *testing.T, path string) (rows, cols, gold int, seed uint64, layout string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	head := strings.Fields(sc.Text())
	if len(head) != 4 {
		t.Fatalf("%s: bad header %q", path, sc.Text())
	}
	rows, _ = strconv.Atoi(head[0])
	cols, _ = strconv.Atoi(head[1])
	gold, _ = strconv.Atoi(head[2])
	seed, _ = strconv.ParseUint(head[3], 10, 64)
	var sb strings.Builder
	for sc.Scan() {
		sb.WriteString(strings.NewReplacer("G", "1", ".", "0").Replace(strings.TrimSpace(sc.Text())))
	}
	return rows, cols, gold, seed, sb.String()
}

func TestGenerate(t *testing.T) {
	t.Run("ExactGoldAndNumbers", func(t *testing.T) {
		for seed := uint64(0); seed < 500; seed++ {
			for _, r := range game.Presets() {
				b, err := game.Generate(r.Rows, r.Cols, r.Gold, seed)
				if err != nil {
					t.Fatal(err)
				}
				layout := b.Layout()
				if got := strings.Count(layout, "1"); got != r.Gold || b.Gold() != r.Gold {
					t.Fatalf("seed %d %s: %d gold in layout, Gold()=%d, want %d", seed, r.Preset, got, b.Gold(), r.Gold)
				}
				for row := 0; row < r.Rows; row++ {
					for col := 0; col < r.Cols; col++ {
						want := neighbourGold(layout, r.Rows, r.Cols, row, col)
						if layout[row*r.Cols+col] == '1' {
							want = game.GoldValue
						}
						if got := b.At(row, col); got != want {
							t.Fatalf("seed %d (%d,%d) = %d, want %d", seed, row, col, got, want)
						}
					}
				}
			}
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		a, _ := game.Generate(30, 30, 200, 42)
		b, _ := game.Generate(30, 30, 200, 42)
		c, _ := game.Generate(30, 30, 200, 43)
		if a.Layout() != b.Layout() {
			t.Fatal("same seed gave different boards")
		}
		if a.Layout() == c.Layout() {
			t.Fatal("seeds 42 and 43 gave the same board")
		}
	})
	t.Run("AlmostFull", func(t *testing.T) {
		b, err := game.Generate(5, 5, 24, 7)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(b.Layout(), "1"); got != 24 {
			t.Fatalf("gold = %d, want 24", got)
		}
	})
	t.Run("ErrInvalidRules", func(t *testing.T) {
		if _, err := game.Generate(5, 5, 26, 1); err == nil {
			t.Fatal("26 gold on 25 cells: nil error")
		}
		if _, err := game.Generate(0, 5, 1, 1); err == nil {
			t.Fatal("0 rows: nil error")
		}
	})
}

// TestGenerateUniform checks that every cell is equally likely to hold gold.
// The seeds are fixed, so the counts are too: this checks the placement
// algorithm (a biased one lands far outside the band), and cannot flake.
func TestGenerateUniform(t *testing.T) {
	const rows, cols, gold, n = 5, 5, 3, 20000
	counts := make([]int, rows*cols)
	for seed := uint64(0); seed < n; seed++ {
		b, _ := game.Generate(rows, cols, gold, seed)
		for i, ch := range b.Layout() {
			if ch == '1' {
				counts[i]++
			}
		}
	}
	// Each cell holds gold with p = 3/25: mean 2400, sd ≈ 46. Six sd is 276.
	for i, c := range counts {
		if c < 2400-276 || c > 2400+276 {
			t.Fatalf("cell %d held gold %d times in %d boards, want 2400±276 (all: %v)", i, c, n, counts)
		}
	}
}

func TestFromLayout(t *testing.T) {
	b := board(t,
		"G....",
		".....",
		"..G..",
		".....",
		"....G")
	if got, want := b.Gold(), 3; got != want {
		t.Fatalf("Gold()=%d, want %d", got, want)
	}
	wantRows := [][]int8{
		{-1, 1, 0, 0, 0},
		{1, 2, 1, 1, 0},
		{0, 1, -1, 1, 0},
		{0, 1, 1, 2, 1},
		{0, 0, 0, 1, -1},
	}
	for r, row := range wantRows {
		for c, want := range row {
			if got := b.At(r, c); got != want {
				t.Fatalf("At(%d,%d)=%d, want %d", r, c, got, want)
			}
		}
	}
	for _, bad := range []string{"", "01", strings.Repeat("0", 24) + "2"} {
		if _, err := game.FromLayout(5, 5, bad); err == nil {
			t.Fatalf("FromLayout(%q): nil error", bad)
		}
	}
}

func TestCommitment(t *testing.T) {
	// Computed independently: printf '9f2c:0100000001' | sha256sum
	const want = "5a8b02ada6c2875357e352c55007ed6d86a7b9f620469a8a088b2feed9491b62"
	if got := game.Commitment("9f2c", "0100000001"); got != want {
		t.Fatalf("Commitment = %s, want %s", got, want)
	}
	if !game.Verify(want, "9f2c", "0100000001") {
		t.Fatal("Verify(good) = false")
	}
	for _, tt := range []struct{ c, salt, layout string }{
		{want, "9f2d", "0100000001"},
		{want, "9f2c", "0100000010"},
		{strings.ToUpper(want), "9f2c", "0100000001"},
		{"", "9f2c", "0100000001"},
	} {
		if game.Verify(tt.c, tt.salt, tt.layout) {
			t.Fatalf("Verify(%q, %q, %q) = true", tt.c, tt.salt, tt.layout)
		}
	}
}
