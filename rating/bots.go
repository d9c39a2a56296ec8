package rating

// BotRD is the deviation a bot is rated with: its strength is known from
// thousands of measured games, so it is small, but not zero, for the bots
// play differently on each board.
const BotRD = 50

// Bot returns the fixed rating of a bot level (easy, normal, hard), and
// false for an unknown level. The figures come from `goldmine duel` on the
// classic preset (docs/bots.md): normal is anchored at 1500, and each other
// level sits where the expected-score formula puts its measured win rate,
// d = 400·log10(p/(1-p)): hard beats normal 68.2% of the time (+133),
// normal beats easy 99.65% (-982).
func Bot(level string) (Rating, bool) {
	var r float64
	switch level {
	case "easy":
		r = 518
	case "normal", "":
		r = 1500
	case "hard":
		r = 1633
	default:
		return Rating{}, false
	}
	return Rating{Rating: r, RD: BotRD, Volatility: Start.Volatility}, true
}

// BotLevels are the bot levels, weakest first.
func BotLevels() []string { return []string{"easy", "normal", "hard"} }
