// Package rating rates players with the Glicko-2 system (Glickman, "Example
// of the Glicko-2 system", 2012). It is pure: the standard library only,
// no clock and no randomness.
//
// Each rated game is one rating period: a player's new rating comes from
// their pairwise results against every other seat of that game, each
// opponent taken at the rating they had before it.
package rating

import "math"

// Start is the rating of a player who has played no rated game.
var Start = Rating{Rating: 1500, RD: 350, Volatility: 0.06}

// DefaultTau constrains how fast the volatility changes. Glickman suggests
// 0.3 to 1.2; 0.5 is the middle of the range the paper's examples use.
const DefaultTau = 0.5

// scale turns the Glicko scale into the Glicko-2 one (400 / ln 10).
const scale = 173.7178

// epsilon is the paper's convergence tolerance of the volatility.
const epsilon = 0.000001

// Rating is a player's strength on the Glicko scale.
type Rating struct {
	Rating     float64 `json:"rating"`
	RD         float64 `json:"rd"`
	Volatility float64 `json:"volatility"`
}

// Result is one pairwise result of a rating period.
type Result struct {
	Opponent Rating
	// Score is 1 for a win, 0.5 for a draw and 0 for a loss.
	Score float64
}

// System is the Glicko-2 system with its one parameter.
type System struct {
	// Tau is the system constant τ; 0 means DefaultTau.
	Tau float64
}

func g(phi float64) float64 { return 1 / math.Sqrt(1+3*phi*phi/(math.Pi*math.Pi)) }

func expected(mu, muj, phij float64) float64 { return 1 / (1 + math.Exp(-g(phij)*(mu-muj))) }

// Update returns r after a rating period with the given results. A period
// without results only widens the deviation, as the paper says.
func (s System) Update(r Rating, results []Result) Rating {
	tau := s.Tau
	if tau == 0 {
		tau = DefaultTau
	}
	mu, phi, sigma := (r.Rating-1500)/scale, r.RD/scale, r.Volatility
	if len(results) == 0 {
		return Rating{Rating: r.Rating, RD: math.Sqrt(phi*phi+sigma*sigma) * scale, Volatility: sigma}
	}
	var vInv, sum float64
	for _, res := range results {
		muj, phij := (res.Opponent.Rating-1500)/scale, res.Opponent.RD/scale
		gj, e := g(phij), expected(mu, muj, phij)
		vInv += gj * gj * e * (1 - e)
		sum += gj * (res.Score - e)
	}
	v := 1 / vInv
	delta := v * sum
	sigma = newVolatility(delta, phi, v, sigma, tau)
	phiStar := math.Sqrt(phi*phi + sigma*sigma)
	phiNew := 1 / math.Sqrt(1/(phiStar*phiStar)+1/v)
	muNew := mu + phiNew*phiNew*sum
	return Rating{Rating: muNew*scale + 1500, RD: phiNew * scale, Volatility: sigma}
}

// newVolatility is step 5 of the paper: the Illinois algorithm on f.
func newVolatility(delta, phi, v, sigma, tau float64) float64 {
	a := math.Log(sigma * sigma)
	f := func(x float64) float64 {
		ex := math.Exp(x)
		d := phi*phi + v + ex
		return ex*(delta*delta-phi*phi-v-ex)/(2*d*d) - (x-a)/(tau*tau)
	}
	A := a
	var B float64
	if delta*delta > phi*phi+v {
		B = math.Log(delta*delta - phi*phi - v)
	} else {
		k := 1.0
		for f(a-k*tau) < 0 {
			k++
		}
		B = a - k*tau
	}
	fA, fB := f(A), f(B)
	// The paper's loop converges in a handful of steps; the cap only
	// guards against a NaN from absurd input looping for ever.
	for i := 0; math.Abs(B-A) > epsilon && i < 100; i++ {
		C := A + (A-B)*fA/(fB-fA)
		fC := f(C)
		if fC*fB <= 0 {
			A, fA = B, fB
		} else {
			fA /= 2
		}
		B, fB = C, fC
	}
	return math.Exp(A / 2)
}

// Expected is the expected score of a against b, from 0 to 1.
func Expected(a, b Rating) float64 {
	return expected((a.Rating-1500)/scale, (b.Rating-1500)/scale, math.Hypot(a.RD, b.RD)/scale)
}
