package admin

import (
	"strconv"

	"github.com/goldmine-game/goldmine/game"
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
func boardCells(public, full game.View, say func(key string, args ...any) string) [][]cell {
	rows := make([][]cell, public.Rows)
	for r := range rows {
		rows[r] = make([]cell, public.Cols)
		for c := range rows[r] {
			i := r*public.Cols + c
			at := []any{r, c}
			switch v := public.Cells[i]; {
			case v == game.GoldValue:
				seat := int(public.Finders[i])
				rows[r][c] = cell{Class: "gold s" + strconv.Itoa(seat%8), Text: "◆", Title: say("cell.gold", r, c, seat)}
			case v >= 0:
				text := ""
				if v > 0 {
					text = strconv.Itoa(int(v))
				}
				rows[r][c] = cell{Class: "dug n" + strconv.Itoa(int(v)), Text: text, Title: say("cell.number", r, c, int(v))}
			case i < len(full.Cells) && full.Cells[i] == game.GoldValue:
				rows[r][c] = cell{Class: "undug hidden-gold", Text: "◆", Title: say("cell.hidden_gold", at...)}
			default:
				rows[r][c] = cell{Class: "undug", Title: say("cell.at", at...)}
			}
		}
	}
	return rows
}
