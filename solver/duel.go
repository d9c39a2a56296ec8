package solver

import (
	"fmt"
	"math/rand/v2"

	"github.com/goldmine-game/goldmine/game"
)

// DuelResult counts the games of a duel between two levels, from the
// side of the first.
type DuelResult struct {
	A, B                Level
	Preset              string
	Games               int
	Wins, Draws, Losses int
	// GoldA and GoldB are the gold each side dug in all.
	GoldA, GoldB int
}

// WinRate is the share of games A won, a draw counting half.
func (d DuelResult) WinRate() float64 {
	if d.Games == 0 {
		return 0
	}
	return (float64(d.Wins) + float64(d.Draws)/2) / float64(d.Games)
}

// Duel plays games between a bot of level a and one of level b, on boards
// of the given rules, and counts the outcomes. Game i is seeded from seed
// and i, and a moves first in the even games and b in the odd ones, so
// neither side gains from going first. The same arguments always give the
// same result.
func Duel(rules game.Rules, a, b Level, games int, seed uint64) (DuelResult, error) {
	res := DuelResult{A: a, B: b, Preset: rules.Preset, Games: games}
	rules.MaxPlayers = 2
	for i := range games {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		first := i % 2 // the seat of a is 0; it moves first in even games
		g, err := game.New(rules, rng.Uint64(), 2, first)
		if err != nil {
			return res, fmt.Errorf("solver: duel: %w", err)
		}
		levels := [2]Level{a, b}
		for !g.Over() {
			seat := g.Turn()
			row, col, err := Choose(levels[seat], g.PublicView(), rules.Gold, rng)
			if err != nil {
				return res, fmt.Errorf("solver: duel game %d: %w", i, err)
			}
			if _, err := g.Dig(seat, row, col); err != nil {
				return res, fmt.Errorf("solver: duel game %d: %w", i, err)
			}
		}
		s := g.Scores()
		res.GoldA += s[0]
		res.GoldB += s[1]
		switch {
		case s[0] > s[1]:
			res.Wins++
		case s[0] < s[1]:
			res.Losses++
		default:
			res.Draws++
		}
	}
	return res, nil
}
