package room

import (
	"encoding/json"
	"testing"

	"github.com/goldmine-game/goldmine/game"
)

// TestDugJSON checks the hand-written dug encoder against encoding/json.
func TestDugJSON(t *testing.T) {
	turn, deadline := 1, int64(1795694430000)
	for _, ev := range []*dug{
		{Type: "dug", Seq: 4, Seat: 0, Row: 2, Col: 3, ID: json.RawMessage(`"m1"`), Cells: []game.Cell{{Row: 2, Col: 3, Value: 1}},
			Scores: []int{0, 0}, GoldLeft: 10, Turn: &turn, Deadline: &deadline},
		{Type: "dug", Seq: 99, Seat: 5, Row: 29, Col: 0, ID: json.RawMessage(`17`), Gold: true,
			Cells: []game.Cell{{Row: 29, Col: 0, Value: -1}}, Scores: []int{3, 1, 0, 7, 2, 1}, GoldLeft: 0},
		{Type: "dug", Seq: 1, ID: json.RawMessage(` "with \"quotes\" and é" `), Cells: []game.Cell{{Row: 0, Col: 0, Value: 0}, {Row: 0, Col: 1, Value: 0}, {Row: 1, Col: 0, Value: 2}},
			Scores: []int{0, 0}, GoldLeft: 5, Turn: &turn},
		{Type: "dug", Seq: 2, ID: nil, Scores: []int{}},
		{Type: "dug", Seq: 3},
	} {
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.ID) == 0 {
			// encoding/json writes a nil RawMessage as null too.
			want, _ = json.Marshal(struct{ *dug }{ev})
		}
		if got := encode(ev); string(got) != string(want) {
			t.Fatalf("hand-written:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

// FuzzDugJSON compares the hand-written dug encoder with encoding/json on
// arbitrary values.
func FuzzDugJSON(f *testing.F) {
	f.Add(int64(4), 0, 2, 3, "m1", false, int8(1), 10, true, int64(0))
	f.Add(int64(1<<40), 7, 29, 29, "\"\\u00e9\x00", true, int8(-1), 0, false, int64(-5))
	f.Fuzz(func(t *testing.T, seq int64, seat, row, col int, id string, gold bool, value int8, goldLeft int, hasTurn bool, deadline int64) {
		rawID, _ := json.Marshal(id)
		ev := &dug{Type: "dug", Seq: seq, Seat: seat, Row: row, Col: col, ID: rawID, Gold: gold,
			Cells: []game.Cell{{Row: row, Col: col, Value: value}}, Scores: []int{seat, goldLeft}, GoldLeft: goldLeft}
		if hasTurn {
			ev.Turn, ev.Deadline = &seat, &deadline
		}
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := encode(ev); string(got) != string(want) {
			t.Fatalf("hand-written:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
