// Package match is quick match: a queue of players who want a game of a
// preset, paired by rating (package rating) and backfilled with a bot of
// the same strength when nobody comes.
//
// The pairing (Pair) is a pure function of the open tickets and the time,
// so that one node of a cluster can run it over the tickets every node
// put in the shared database, and tests can run it with a fixed clock.
package match

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/goldmine-game/goldmine/rating"
)

// Ticket is one player's place in the queue.
type Ticket struct {
	PlayerID string
	Name     string
	Preset   string
	Rating   float64
	// Since is when the player first entered: calling again keeps it, so
	// the wait adds up across long polls.
	Since time.Time
}

// Match is a game Pair decided on: its players, and, when one player
// waited too long for anyone, the bot that takes the other seat.
type Match struct {
	Preset  string
	Players []Ticket
	// BotLevel is the level of the bot to seat, or "" for none.
	BotLevel string
}

// Window is the largest rating gap a ticket that has waited d accepts:
// ±100 at first, widening by 20 a second (±300 after 10 s, ±500 at the
// default bot backfill of 20 s).
func Window(d time.Duration) float64 {
	return 100 + 20*max(d.Seconds(), 0)
}

// Rules are what Pair needs to know beyond the tickets.
type Rules struct {
	// BotAfter is the wait after which a ticket gets a bot.
	BotAfter time.Duration
	// MaxPlayers returns the seats of a preset's rooms.
	MaxPlayers func(preset string) int
}

// Pair decides the matches among the open tickets at now. The oldest
// ticket picks first: among the tickets of its preset within the window
// (the wider of the two tickets' windows, so that a long wait is not
// undone by a newcomer's narrow one), the closest in rating. A preset of
// more than 2 seats fills them all from within the oldest ticket's window,
// or starts with at least 2 once that ticket has waited half of BotAfter.
// A ticket that has waited BotAfter and found nobody gets the bot whose
// rating is closest to its own.
func Pair(now time.Time, open []Ticket, r Rules) []Match {
	open = slices.Clone(open)
	slices.SortFunc(open, func(a, b Ticket) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.PlayerID, b.PlayerID))
	})
	taken := make([]bool, len(open))
	var out []Match
	for i, t := range open {
		if taken[i] {
			continue
		}
		waited := now.Sub(t.Since)
		seats := 2
		if r.MaxPlayers != nil {
			seats = max(r.MaxPlayers(t.Preset), 2)
		}
		type cand struct {
			j   int
			gap float64
		}
		var cands []cand
		for j := i + 1; j < len(open); j++ {
			u := open[j]
			if taken[j] || u.Preset != t.Preset {
				continue
			}
			gap := math.Abs(u.Rating - t.Rating)
			if gap <= max(Window(waited), Window(now.Sub(u.Since))) {
				cands = append(cands, cand{j, gap})
			}
		}
		// Closest first; among equals, the older ticket (lower j).
		slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(a.gap, b.gap) })
		n := 0
		switch {
		case len(cands)+1 >= seats:
			n = seats - 1
		case seats > 2 && len(cands) >= 1 && waited >= r.BotAfter/2:
			n = len(cands)
		}
		if n > 0 {
			m := Match{Preset: t.Preset, Players: []Ticket{t}}
			taken[i] = true
			for _, c := range cands[:n] {
				taken[c.j] = true
				m.Players = append(m.Players, open[c.j])
			}
			out = append(out, m)
			continue
		}
		if waited >= r.BotAfter {
			taken[i] = true
			out = append(out, Match{Preset: t.Preset, Players: []Ticket{t}, BotLevel: ClosestBot(t.Rating)})
		}
	}
	return out
}

// ClosestBot returns the bot level whose fixed rating is closest to r.
func ClosestBot(r float64) string {
	best, gap := "normal", math.Inf(1)
	for _, level := range rating.BotLevels() {
		b, _ := rating.Bot(level)
		if g := math.Abs(b.Rating - r); g < gap {
			best, gap = level, g
		}
	}
	return best
}
