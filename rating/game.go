package rating

// Seat is one seat of a finished game, as rating needs it.
type Seat struct {
	Rating Rating
	// Rank starts at 1; equal ranks drew.
	Rank int
	// Forfeited seats lose to every seat still playing, whatever the rank.
	Forfeited bool
	// Fixed seats (bots) are opponents but are never rated.
	Fixed bool
}

// score is seat a's pairwise score against seat b.
func score(a, b Seat) float64 {
	switch {
	case a.Forfeited != b.Forfeited:
		if a.Forfeited {
			return 0
		}
		return 1
	case a.Rank < b.Rank:
		return 1
	case a.Rank > b.Rank:
		return 0
	}
	return 0.5
}

// Game returns the seats' ratings after the game: each seat's pairwise
// results against every other seat, from the final ranking, as one rating
// period. Every opponent counts at its rating before the game. Fixed seats
// keep their rating.
func (s System) Game(seats []Seat) []Rating {
	out := make([]Rating, len(seats))
	for i, me := range seats {
		if me.Fixed {
			out[i] = me.Rating
			continue
		}
		results := make([]Result, 0, len(seats)-1)
		for j, them := range seats {
			if j != i {
				results = append(results, Result{Opponent: them.Rating, Score: score(me, them)})
			}
		}
		out[i] = s.Update(me.Rating, results)
	}
	return out
}
