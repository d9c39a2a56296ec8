package game

import "fmt"

// Replay rebuilds a game from its rules, seed, number of players, first seat
// and ordered moves. Because the engine is deterministic, the result equals
// the live game that those moves were applied to: this is what crash
// recovery and the replay pages stand on.
func Replay(rules Rules, seed uint64, players, first int, moves []Move) (*Game, error) {
	g, err := New(rules, seed, players, first)
	if err != nil {
		return nil, err
	}
	for i, m := range moves {
		if _, err := g.Apply(m); err != nil {
			return nil, fmt.Errorf("game: replay move %d (%s by seat %d): %w", i, m.Kind, m.Seat, err)
		}
	}
	return g, nil
}
