package rating_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/goldmine-game/goldmine/rating"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestPaperExample is the worked example of Glickman's "Example of the
// Glicko-2 system": the paper prints 1464.06, 151.52 and 0.05999 from
// rounded steps; unrounded the result is 1464.051, 151.517 and 0.059996.
func TestPaperExample(t *testing.T) {
	sys := rating.System{Tau: 0.5}
	got := sys.Update(rating.Rating{Rating: 1500, RD: 200, Volatility: 0.06}, []rating.Result{
		{Opponent: rating.Rating{Rating: 1400, RD: 30, Volatility: 0.06}, Score: 1},
		{Opponent: rating.Rating{Rating: 1550, RD: 100, Volatility: 0.06}, Score: 0},
		{Opponent: rating.Rating{Rating: 1700, RD: 300, Volatility: 0.06}, Score: 0},
	})
	if !near(got.Rating, 1464.051, 0.0005) {
		t.Errorf("rating=%.6f, want 1464.051", got.Rating)
	}
	if !near(got.RD, 151.517, 0.0005) {
		t.Errorf("rd=%.6f, want 151.517", got.RD)
	}
	if !near(got.Volatility, 0.059996, 0.0000005) {
		t.Errorf("volatility=%.8f, want 0.059996", got.Volatility)
	}
}

func TestNoGamesWidensRD(t *testing.T) {
	r := rating.Rating{Rating: 1600, RD: 100, Volatility: 0.06}
	got := rating.System{}.Update(r, nil)
	if got.Rating != r.Rating || got.RD <= r.RD || got.Volatility != r.Volatility {
		t.Fatalf("got %+v from %+v", got, r)
	}
}

func randRating(rng *rand.Rand) rating.Rating {
	return rating.Rating{Rating: 500 + rng.Float64()*2000, RD: 30 + rng.Float64()*320, Volatility: 0.03 + rng.Float64()*0.06}
}

// TestProperties checks, on random ratings, what any rating system must
// do: a win never lowers a rating and a loss never raises it, a result
// always narrows the deviation below the period's own widening, a draw against an equal leaves the rating
// where it was, and every figure stays finite.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sys := rating.System{}
	for i := 0; i < 5000; i++ {
		me, them := randRating(rng), randRating(rng)
		win := sys.Update(me, []rating.Result{{Opponent: them, Score: 1}})
		loss := sys.Update(me, []rating.Result{{Opponent: them, Score: 0}})
		draw := sys.Update(me, []rating.Result{{Opponent: them, Score: 0.5}})
		for _, r := range []rating.Rating{win, loss, draw} {
			if math.IsNaN(r.Rating) || math.IsInf(r.Rating, 0) || math.IsNaN(r.RD) || r.Volatility <= 0 {
				t.Fatalf("%+v vs %+v: %+v", me, them, r)
			}
			// A result is information: the deviation ends below the one
			// the period alone would give (phi* in the paper).
			if star := math.Hypot(me.RD, r.Volatility*173.7178); r.RD >= star {
				t.Fatalf("%+v vs %+v: rd %v not below %v", me, them, r.RD, star)
			}
		}
		if win.Rating <= me.Rating || loss.Rating >= me.Rating {
			t.Fatalf("%+v vs %+v: win %v, loss %v", me, them, win.Rating, loss.Rating)
		}
		if !(loss.Rating < draw.Rating && draw.Rating < win.Rating) {
			t.Fatalf("%+v vs %+v: loss %v, draw %v, win %v", me, them, loss.Rating, draw.Rating, win.Rating)
		}
		equal := sys.Update(me, []rating.Result{{Opponent: me, Score: 0.5}})
		if !near(equal.Rating, me.Rating, 1e-9) {
			t.Fatalf("draw against an equal moved %v to %v", me.Rating, equal.Rating)
		}
	}
}

// TestUpsetMovesMore: beating a stronger player gains more than beating a
// weaker one.
func TestUpsetMovesMore(t *testing.T) {
	sys := rating.System{}
	me := rating.Rating{Rating: 1500, RD: 100, Volatility: 0.06}
	strong := sys.Update(me, []rating.Result{{Opponent: rating.Rating{Rating: 1800, RD: 100, Volatility: 0.06}, Score: 1}})
	weak := sys.Update(me, []rating.Result{{Opponent: rating.Rating{Rating: 1200, RD: 100, Volatility: 0.06}, Score: 1}})
	if strong.Rating-me.Rating <= weak.Rating-me.Rating {
		t.Fatalf("gain against 1800 %v <= against 1200 %v", strong.Rating-me.Rating, weak.Rating-me.Rating)
	}
}

func TestGame(t *testing.T) {
	sys := rating.System{}
	s := rating.Start
	t.Run("TwoPlayers", func(t *testing.T) {
		out := sys.Game([]rating.Seat{{Rating: s, Rank: 1}, {Rating: s, Rank: 2}})
		if out[0].Rating <= 1500 || out[1].Rating >= 1500 || !near(out[0].Rating-1500, 1500-out[1].Rating, 1e-9) {
			t.Fatalf("got %+v", out)
		}
	})
	t.Run("Draw", func(t *testing.T) {
		out := sys.Game([]rating.Seat{{Rating: s, Rank: 1}, {Rating: s, Rank: 1}})
		if !near(out[0].Rating, 1500, 1e-9) || !near(out[1].Rating, 1500, 1e-9) {
			t.Fatalf("got %+v", out)
		}
	})
	t.Run("ThreePlayersPairwise", func(t *testing.T) {
		out := sys.Game([]rating.Seat{{Rating: s, Rank: 2}, {Rating: s, Rank: 1}, {Rating: s, Rank: 3}})
		want := sys.Update(s, []rating.Result{{Opponent: s, Score: 0}, {Opponent: s, Score: 1}})
		if out[0] != want {
			t.Fatalf("middle seat %+v, want %+v", out[0], want)
		}
		if !(out[1].Rating > out[0].Rating && out[0].Rating > out[2].Rating) {
			t.Fatalf("got %+v", out)
		}
	})
	t.Run("ForfeitLosesToEveryone", func(t *testing.T) {
		// A forfeit with a better rank on paper still loses to each
		// seat still playing.
		out := sys.Game([]rating.Seat{{Rating: s, Rank: 1, Forfeited: true}, {Rating: s, Rank: 2}, {Rating: s, Rank: 2}})
		want := sys.Update(s, []rating.Result{{Opponent: s, Score: 0}, {Opponent: s, Score: 0}})
		if out[0] != want {
			t.Fatalf("forfeit %+v, want %+v", out[0], want)
		}
	})
	t.Run("BotFixed", func(t *testing.T) {
		bot, _ := rating.Bot("normal")
		out := sys.Game([]rating.Seat{{Rating: s, Rank: 1}, {Rating: bot, Rank: 2, Fixed: true}})
		if out[1] != bot || out[0].Rating <= 1500 {
			t.Fatalf("got %+v", out)
		}
	})
}

// TestBotLevelsOrdered: the calibrated bots are ordered, and the expected
// score of hard against normal is the measured 68.2%.
func TestBotLevelsOrdered(t *testing.T) {
	easy, _ := rating.Bot("easy")
	normal, _ := rating.Bot("normal")
	hard, _ := rating.Bot("hard")
	if !(easy.Rating < normal.Rating && normal.Rating < hard.Rating) {
		t.Fatalf("easy %v, normal %v, hard %v", easy.Rating, normal.Rating, hard.Rating)
	}
	p := 1 / (1 + math.Pow(10, -(hard.Rating-normal.Rating)/400))
	if !near(p, 0.682, 0.001) {
		t.Fatalf("hard vs normal expected %v, want 0.682", p)
	}
	if _, ok := rating.Bot("grandmaster"); ok {
		t.Fatal("unknown level accepted")
	}
}
