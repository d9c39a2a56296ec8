package server_test

import (
	"fmt"
	"testing"
)

// table follows one game the way every client sees it, checking that all
// receivers get the same frames with seq rising by exactly 1.
type table struct {
	t        *testing.T
	seats    []*client // by seat
	all      []*client // every receiver: seats and spectators
	rows     int
	cols     int
	dug      map[int]bool
	seq      int
	turn     int
	over     *frame
	moves    int
	layout   string
	scores   []int
	lastDugs []frame
}

func newTable(t *testing.T, rows, cols, seq, turn int, seats []*client, spectators ...*client) *table {
	return &table{t: t, seats: seats, all: append(append([]*client{}, seats...), spectators...),
		rows: rows, cols: cols, dug: map[int]bool{}, seq: seq, turn: turn, scores: make([]int, len(seats))}
}

// event reads the next frame of every receiver, checks they are the same
// event with the next seq, and returns it.
func (tb *table) event(typ string) frame {
	tb.t.Helper()
	var first frame
	for i, c := range tb.all {
		f := c.expect(typ)
		if got, want := f.num("seq"), tb.seq+1; got != want {
			tb.t.Fatalf("%s: %s seq=%d, want %d", c.name, typ, got, want)
		}
		if i == 0 {
			first = f
		} else if f.raw != first.raw {
			tb.t.Fatalf("receivers got different frames:\n%s\n%s", first.raw, f.raw)
		}
	}
	tb.seq++
	return first
}

// dig has seat dig (row, col), reads the dug event (and game_over, if the
// dig ended the game) from every receiver, and returns the dug event.
func (tb *table) dig(seat, row, col int) frame {
	tb.t.Helper()
	tb.moves++
	return tb.digID(seat, row, col, fmt.Sprintf("m-%d", tb.moves))
}

// digID is dig with a chosen move id.
func (tb *table) digID(seat, row, col int, id string) frame {
	tb.t.Helper()
	tb.seats[seat].send(map[string]any{"type": "dig", "row": row, "col": col, "id": id})
	f := tb.event("dug")
	if f.num("seat") != seat || f.num("row") != row || f.num("col") != col || f.str("id") != id {
		tb.t.Fatalf("dug %s, want seat %d at (%d,%d) id %s", f.raw, seat, row, col, id)
	}
	for _, c := range f.m["cells"].([]any) {
		cell := c.(map[string]any)
		i := int(cell["row"].(float64))*tb.cols + int(cell["col"].(float64))
		if tb.dug[i] {
			tb.t.Fatalf("cell %d revealed twice: %s", i, f.raw)
		}
		tb.dug[i] = true
		if tb.layout != "" {
			if gold := tb.layout[i] == '1'; gold != (cell["value"].(float64) == -1) {
				tb.t.Fatalf("cell %d value %v but layout says gold=%v", i, cell["value"], gold)
			}
		}
	}
	if f.m["gold"] == true {
		tb.scores[seat]++
	}
	for s, v := range f.m["scores"].([]any) {
		if int(v.(float64)) != tb.scores[s] {
			tb.t.Fatalf("scores %v, want %v", f.m["scores"], tb.scores)
		}
	}
	tb.lastDugs = append(tb.lastDugs, f)
	if f.m["turn"] == nil {
		over := tb.event("game_over")
		tb.over = &over
		return f
	}
	tb.turn = f.num("turn")
	return f
}

// undug returns the first undug cell in row-major order, whose content
// the layout says is gold (want=1), not gold (want=0), or either (-1).
// When no undug cell has the content wanted (a flood fill can open every
// empty cell at once), it returns any undug cell: callers want a legal dig
// more than a particular one.
func (tb *table) undug(want int) (int, int) {
	for i := 0; i < tb.rows*tb.cols; i++ {
		if tb.dug[i] {
			continue
		}
		if want >= 0 && tb.layout != "" && int(tb.layout[i]-'0') != want {
			continue
		}
		return i / tb.cols, i % tb.cols
	}
	if want >= 0 {
		return tb.undug(-1)
	}
	return -1, -1
}

// playOut digs in row-major order until the game is over.
func (tb *table) playOut() frame {
	tb.t.Helper()
	for tb.over == nil {
		r, c := tb.undug(-1)
		if r < 0 {
			tb.t.Fatal("no undug cell left but the game is not over")
		}
		tb.dig(tb.turn, r, c)
	}
	return *tb.over
}
