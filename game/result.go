package game

import "slices"

// Cell is a revealed cell: its position and its value (GoldValue or 0..8).
type Cell struct {
	Row   int  `json:"row"`
	Col   int  `json:"col"`
	Value int8 `json:"value"`
}

// Result is everything a room needs to announce after a move.
type Result struct {
	Move Move
	// Gold reports that a dig found gold.
	Gold bool
	// Cells are the cells this move revealed, in reveal order.
	Cells []Cell
	// Scores are the scores by seat after the move.
	Scores []int
	// GoldLeft is the gold not yet dug.
	GoldLeft int
	// Turn is the seat to move next, or -1 when the game is over.
	Turn int
	// End is set when this move ended the game.
	End *Outcome
}

// Standing is one seat's place in the final ranking.
type Standing struct {
	Seat  int `json:"seat"`
	Score int `json:"score"`
	// Rank starts at 1; equal standings share a rank (1, 1, 3).
	Rank int `json:"rank"`
	// Forfeited seats rank below every seat still playing.
	Forfeited bool `json:"forfeited"`
}

// Outcome is how a game ended.
type Outcome struct {
	Reason EndReason
	Scores []int
	// Ranking lists every seat, best first.
	Ranking []Standing
	// Winners are the seats ranked 1.
	Winners []int
}

func (o Outcome) clone() Outcome {
	o.Scores = slices.Clone(o.Scores)
	o.Ranking = slices.Clone(o.Ranking)
	o.Winners = slices.Clone(o.Winners)
	return o
}

// rank orders seats by score, highest first. A seat that forfeited ranks
// below every seat still playing, whatever its score: leaving while ahead
// must not win the game. Equal standings share a rank, and every seat
// ranked 1 is a winner.
func rank(reason EndReason, scores []int, out []bool) Outcome {
	o := Outcome{Reason: reason, Scores: slices.Clone(scores)}
	o.Ranking = make([]Standing, len(scores))
	for s := range scores {
		o.Ranking[s] = Standing{Seat: s, Score: scores[s], Forfeited: out[s]}
	}
	better := func(a, b Standing) bool {
		if a.Forfeited != b.Forfeited {
			return !a.Forfeited
		}
		return a.Score > b.Score
	}
	slices.SortStableFunc(o.Ranking, func(a, b Standing) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return a.Seat - b.Seat
	})
	for i := range o.Ranking {
		if i > 0 && !better(o.Ranking[i-1], o.Ranking[i]) {
			o.Ranking[i].Rank = o.Ranking[i-1].Rank
		} else {
			o.Ranking[i].Rank = i + 1
		}
		if o.Ranking[i].Rank == 1 {
			o.Winners = append(o.Winners, o.Ranking[i].Seat)
		}
	}
	return o
}
