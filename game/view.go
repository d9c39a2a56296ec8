package game

import "strconv"

// Hidden marks a cell of a View whose content the viewer may not see.
const Hidden int8 = -2

// View is a copy of a board as one viewer may see it: Cells holds GoldValue,
// 0..8 or Hidden for each cell, row-major. Finders holds, for each dug gold
// cell, the seat that dug it, and -1 elsewhere. A View shares no memory with
// the game, so holding or sending one can never leak a later change or a
// hidden cell.
type View struct {
	Rows    int
	Cols    int
	Cells   []int8
	Finders []int8
}

// At returns the value of a cell in the view (Hidden when not visible).
func (v View) At(row, col int) int8 { return v.Cells[row*v.Cols+col] }

// PublicView shows the dug cells only. It is what players and spectators see
// before the game is over.
func (g *Game) PublicView() View {
	v := g.view()
	for i, d := range g.dug {
		if !d {
			v.Cells[i] = Hidden
		}
	}
	return v
}

// FullView shows every cell: for admins, and for everybody after the game.
func (g *Game) FullView() View { return g.view() }

func (g *Game) view() View {
	return View{
		Rows:    g.rules.Rows,
		Cols:    g.rules.Cols,
		Cells:   append([]int8(nil), g.board.cells...),
		Finders: append([]int8(nil), g.finder...),
	}
}

// HiddenView is the view of a board before any dig, of the given size.
func HiddenView(rows, cols int) View {
	v := View{Rows: rows, Cols: cols, Cells: make([]int8, rows*cols), Finders: make([]int8, rows*cols)}
	for i := range v.Cells {
		v.Cells[i] = Hidden
		v.Finders[i] = -1
	}
	return v
}

// MarshalJSON encodes the cells as rows of values, with null for Hidden:
// the "board" of protocol v1.
func (v View) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(make([]byte, 0, 2+len(v.Cells)*3)), nil
}

// AppendJSON appends the JSON of MarshalJSON to dst.
func (v View) AppendJSON(dst []byte) []byte {
	dst = append(dst, '[')
	for r := 0; r < v.Rows; r++ {
		if r > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		for c := 0; c < v.Cols; c++ {
			if c > 0 {
				dst = append(dst, ',')
			}
			if x := v.Cells[r*v.Cols+c]; x == Hidden {
				dst = append(dst, "null"...)
			} else {
				dst = strconv.AppendInt(dst, int64(x), 10)
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}
