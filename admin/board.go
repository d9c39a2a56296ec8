package admin

import (
	"strconv"

	"goldmine/game"
)

// cell is one board cell as a template draws it.
type cell struct {
	Class string
	Text  string
	Title string
}

// boardCells lays out a board for a template. public says which cells are
// dug; full says what every cell holds (hidden gold is marked, for the
// console's toggle); finders says who dug each gold cell.
func boardCells(public, full game.View) [][]cell {
	rows := make([][]cell, public.Rows)
	for r := range rows {
		rows[r] = make([]cell, public.Cols)
		for c := range rows[r] {
			i := r*public.Cols + c
			pos := "row " + strconv.Itoa(r) + ", col " + strconv.Itoa(c)
			switch v := public.Cells[i]; {
			case v == game.GoldValue:
				seat := int(public.Finders[i])
				rows[r][c] = cell{Class: "gold s" + strconv.Itoa(seat%8), Text: "◆", Title: pos + ": gold dug by seat " + strconv.Itoa(seat)}
			case v >= 0:
				text := ""
				if v > 0 {
					text = strconv.Itoa(int(v))
				}
				rows[r][c] = cell{Class: "dug n" + strconv.Itoa(int(v)), Text: text, Title: pos + ": " + strconv.Itoa(int(v))}
			case i < len(full.Cells) && full.Cells[i] == game.GoldValue:
				rows[r][c] = cell{Class: "undug hidden-gold", Text: "◆", Title: pos + ": hidden gold"}
			default:
				rows[r][c] = cell{Class: "undug", Title: pos}
			}
		}
	}
	return rows
}
