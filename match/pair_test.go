package match_test

import (
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/match"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func tk(id string, r float64, waited time.Duration) match.Ticket {
	return match.Ticket{PlayerID: id, Name: id, Preset: "classic", Rating: r, Since: t0.Add(-waited)}
}

func seats(n int) func(string) int { return func(string) int { return n } }

var two = match.Rules{BotAfter: 20 * time.Second, MaxPlayers: seats(2)}

func ids(m match.Match) string {
	s := ""
	for _, p := range m.Players {
		s += p.PlayerID + " "
	}
	return s + m.BotLevel
}

func TestPair(t *testing.T) {
	for _, tt := range []struct {
		name    string
		tickets []match.Ticket
		rules   match.Rules
		want    []string
	}{
		{"Closest", []match.Ticket{tk("a", 1500, 3*time.Second), tk("b", 1580, time.Second), tk("c", 1520, 0)}, two, []string{"a c "}},
		{"OutsideWindow", []match.Ticket{tk("a", 1500, 0), tk("b", 1650, 0)}, two, nil},
		// 150 apart: inside once the older has waited 2.5 s (100 + 20·2.5).
		{"Widens", []match.Ticket{tk("a", 1500, 3*time.Second), tk("b", 1650, 0)}, two, []string{"a b "}},
		{"OldestFirst", []match.Ticket{tk("n", 1500, time.Second), tk("o", 1500, 2*time.Second), tk("x", 1500, 0)}, two, []string{"o n "}},
		{"OtherPreset", []match.Ticket{tk("a", 1500, 0), {PlayerID: "b", Preset: "flags", Rating: 1500, Since: t0}}, two, nil},
		{"Bot", []match.Ticket{tk("a", 1500, 20*time.Second), tk("b", 2400, 0)}, two, []string{"a normal"}},
		{"BotClosest", []match.Ticket{tk("a", 700, 21*time.Second)}, two, []string{"a easy"}},
		{"BotHard", []match.Ticket{tk("a", 1900, 21*time.Second)}, two, []string{"a hard"}},
		{"NoBotYet", []match.Ticket{tk("a", 1500, 19*time.Second)}, two, nil},
		{"FillParty", []match.Ticket{tk("a", 1500, 0), tk("b", 1510, 0), tk("c", 1490, 0), tk("d", 1800, 0)},
			match.Rules{BotAfter: 20 * time.Second, MaxPlayers: seats(3)}, []string{"a b c "}},
		{"PartyWaits", []match.Ticket{tk("a", 1500, 9*time.Second), tk("b", 1510, 0)},
			match.Rules{BotAfter: 20 * time.Second, MaxPlayers: seats(4)}, nil},
		{"PartyStartsAtHalf", []match.Ticket{tk("a", 1500, 10*time.Second), tk("b", 1510, 0)},
			match.Rules{BotAfter: 20 * time.Second, MaxPlayers: seats(4)}, []string{"a b "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := match.Pair(t0, tt.tickets, tt.rules)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d matches %v, want %v", len(got), got, tt.want)
			}
			for i := range got {
				if g := ids(got[i]); g != tt.want[i] {
					t.Fatalf("match %d = %q, want %q", i, g, tt.want[i])
				}
			}
		})
	}
}

// TestPairProperties: on random queues no player is in two matches, every
// match keeps to one preset and to the window, and nobody who waited
// BotAfter is left without a game.
func TestPairProperties(t *testing.T) {
	rules := match.Rules{BotAfter: 20 * time.Second, MaxPlayers: func(p string) int {
		if p == "party" {
			return 4
		}
		return 2
	}}
	presets := []string{"classic", "flags", "party"}
	for seed := 0; seed < 300; seed++ {
		var open []match.Ticket
		n := seed%17 + 1
		for i := 0; i < n; i++ {
			x := (seed*31 + i*17) % 97
			open = append(open, match.Ticket{PlayerID: string(rune('A' + i)), Preset: presets[x%3],
				Rating: float64(800 + x*15), Since: t0.Add(-time.Duration(x%25) * time.Second)})
		}
		seen := map[string]bool{}
		for _, m := range match.Pair(t0, open, rules) {
			if len(m.Players) == 1 && m.BotLevel == "" || len(m.Players) > rules.MaxPlayers(m.Preset) {
				t.Fatalf("seed %d: bad match %+v", seed, m)
			}
			for _, p := range m.Players {
				if seen[p.PlayerID] || p.Preset != m.Preset {
					t.Fatalf("seed %d: %s twice or in another preset", seed, p.PlayerID)
				}
				seen[p.PlayerID] = true
				if gap := p.Rating - m.Players[0].Rating; gap > match.Window(20*time.Second+5*time.Second) || -gap > match.Window(25*time.Second) {
					t.Fatalf("seed %d: gap %v", seed, gap)
				}
			}
		}
		for _, tk := range open {
			if t0.Sub(tk.Since) >= rules.BotAfter && !seen[tk.PlayerID] {
				t.Fatalf("seed %d: %s waited %v and got nothing", seed, tk.PlayerID, t0.Sub(tk.Since))
			}
		}
	}
}
