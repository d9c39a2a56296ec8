package game

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// GoldValue is the value of a cell that holds gold. Every other cell holds
// the number (0..8) of gold cells among its 8 neighbours.
const GoldValue int8 = -1

// seedStream is the PCG stream constant. It is part of the board format:
// changing it changes every board, so stored games would no longer replay.
const seedStream = 0x676f6c646d696e65 // "goldmine"

// Board is a generated board: where the gold is and every cell's value.
// It is immutable once made.
type Board struct {
	rows, cols int
	gold       int
	cells      []int8 // row-major; GoldValue or 0..8
}

// Generate places exactly gold distinct gold cells, uniformly at random, on
// a rows×cols board, using only seed for randomness. The same arguments give
// the same board on every machine and Go release: the generator is PCG-DXSM
// (specified by math/rand/v2) and the bounded draws are done here, so no
// library algorithm that may change is involved.
func Generate(rows, cols, gold int, seed uint64) (*Board, error) {
	n := rows * cols
	if rows < 1 || cols < 1 || gold < 0 || gold > n {
		return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "cannot place %d gold on %dx%d", gold, rows, cols))
	}
	src := rand.NewPCG(seed, seedStream)
	// A partial Fisher-Yates shuffle: the first gold indices are a uniform
	// sample without replacement. (The original server drew row and column
	// independently and could hit one cell twice.)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	isGold := make([]bool, n)
	for i := 0; i < gold; i++ {
		j := i + int(bounded(src, uint64(n-i)))
		idx[i], idx[j] = idx[j], idx[i]
		isGold[idx[i]] = true
	}
	return newBoard(rows, cols, isGold), nil
}

// FromLayout builds the board that a layout string describes: rows·cols
// characters in row-major order, '1' for gold and '0' for the rest.
func FromLayout(rows, cols int, layout string) (*Board, error) {
	if rows < 1 || cols < 1 || len(layout) != rows*cols {
		return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "layout has %d cells, want %dx%d", len(layout), rows, cols))
	}
	isGold := make([]bool, len(layout))
	for i := 0; i < len(layout); i++ {
		switch layout[i] {
		case '1':
			isGold[i] = true
		case '0':
		default:
			return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "layout byte %d is %q, want '0' or '1'", i, layout[i]))
		}
	}
	return newBoard(rows, cols, isGold), nil
}

func newBoard(rows, cols int, isGold []bool) *Board {
	b := &Board{rows: rows, cols: cols, cells: make([]int8, rows*cols)}
	for i, g := range isGold {
		if !g {
			continue
		}
		b.gold++
		b.cells[i] = GoldValue
		r, c := i/cols, i%cols
		for _, d := range neighbours {
			nr, nc := r+d[0], c+d[1]
			if nr < 0 || nr >= rows || nc < 0 || nc >= cols {
				continue
			}
			if j := nr*cols + nc; !isGold[j] {
				b.cells[j]++
			}
		}
	}
	return b
}

// neighbours are the offsets of the 8 cells around a cell.
var neighbours = [8][2]int{{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}}

// bounded returns a uniform integer in [0, n) from src, by Lemire's
// multiply-and-reject method (no modulo bias).
func bounded(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// Rows is the number of rows.
func (b *Board) Rows() int { return b.rows }

// Cols is the number of columns.
func (b *Board) Cols() int { return b.cols }

// Gold is the number of gold cells.
func (b *Board) Gold() int { return b.gold }

// In reports whether (row, col) is on the board.
func (b *Board) In(row, col int) bool {
	return row >= 0 && row < b.rows && col >= 0 && col < b.cols
}

// At returns the value of a cell on the board: GoldValue or 0..8.
// It panics off the board, like a slice index; check with In.
func (b *Board) At(row, col int) int8 { return b.cells[row*b.cols+col] }

// Layout is the row-major string of rows·cols characters, '1' for gold and
// '0' for the rest: the text that the fairness commitment hashes.
func (b *Board) Layout() string {
	s := make([]byte, len(b.cells))
	for i, v := range b.cells {
		s[i] = '0'
		if v == GoldValue {
			s[i] = '1'
		}
	}
	return string(s)
}

// Commitment is the lowercase hex SHA-256 of salt + ":" + layout. Published
// at the start of a game and opened (salt and layout revealed) at its end, it
// proves that the board was fixed before the first dig.
func Commitment(salt, layout string) string {
	sum := sha256.Sum256([]byte(salt + ":" + layout))
	return hex.EncodeToString(sum[:])
}

// Verify reports whether commitment is the commitment of salt and layout.
func Verify(commitment, salt, layout string) bool {
	want := Commitment(salt, layout)
	return subtle.ConstantTimeCompare([]byte(want), []byte(commitment)) == 1
}
