package game

// flood digs the non-gold cell (row, col) and, if it is a 0, the connected
// region of 0s and the numbered cells that border it. It never reveals gold:
// a cell next to a 0 cannot hold gold. The fill is iterative with an explicit
// stack, so a 30×30 board of zeros cannot overflow the goroutine stack.
func (g *Game) flood(row, col int) []Cell {
	cols := g.rules.Cols
	start := row*cols + col
	g.dug[start] = true
	cells := []Cell{{Row: row, Col: col, Value: g.board.cells[start]}}
	if g.board.cells[start] != 0 {
		return cells
	}
	stack := []int{start}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		r, c := i/cols, i%cols
		for _, d := range neighbours {
			nr, nc := r+d[0], c+d[1]
			if !g.board.In(nr, nc) {
				continue
			}
			j := nr*cols + nc
			if g.dug[j] {
				continue
			}
			g.dug[j] = true
			v := g.board.cells[j]
			cells = append(cells, Cell{Row: nr, Col: nc, Value: v})
			if v == 0 {
				stack = append(stack, j)
			}
		}
	}
	return cells
}
