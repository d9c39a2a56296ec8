package game

import "fmt"

// EndReason says why a game ended. The values are part of protocol v1.
type EndReason string

// Why a game ends.
const (
	EndAllGold EndReason = "all_gold" // the last gold was dug
	EndDecided EndReason = "decided"  // the leader can no longer be caught
	EndForfeit EndReason = "forfeit"  // fewer than 2 players remain
	EndClosed  EndReason = "closed"   // closed from outside (an admin)
)

// Game is one game in progress or finished. A Game is not safe for
// concurrent use; a room serialises access to it.
type Game struct {
	rules   Rules
	seed    uint64
	players int
	first   int
	board   *Board

	dug      []bool
	finder   []int8 // seat that dug the gold at a cell, or -1
	scores   []int
	out      []bool // forfeited seats
	turn     int
	goldLeft int

	over    bool
	outcome Outcome
	moves   []Move
}

// New starts a game under rules on the board of seed, for players seats
// (2..rules.MaxPlayers), with seat first to move.
func New(rules Rules, seed uint64, players, first int) (*Game, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	b, err := Generate(rules.Rows, rules.Cols, rules.Gold, seed)
	if err != nil {
		return nil, err
	}
	return newGame(rules, seed, b, players, first)
}

// NewWithBoard starts a game on a given board, which must match the rules'
// size and gold. It is for tests and tools that need a hand-made board; a
// game made this way has seed 0 and cannot be replayed from its seed.
func NewWithBoard(rules Rules, b *Board, players, first int) (*Game, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if b.rows != rules.Rows || b.cols != rules.Cols || b.gold != rules.Gold {
		return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "board is %dx%d with %d gold, rules want %dx%d with %d",
			b.rows, b.cols, b.gold, rules.Rows, rules.Cols, rules.Gold))
	}
	return newGame(rules, 0, b, players, first)
}

func newGame(rules Rules, seed uint64, b *Board, players, first int) (*Game, error) {
	if players < MinPlayers || players > rules.MaxPlayers {
		return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "%d players, want %d..%d", players, MinPlayers, rules.MaxPlayers))
	}
	if first < 0 || first >= players {
		return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "first seat %d of %d", first, players))
	}
	n := rules.Cells()
	g := &Game{
		rules:    rules,
		seed:     seed,
		players:  players,
		first:    first,
		board:    b,
		dug:      make([]bool, n),
		finder:   make([]int8, n),
		scores:   make([]int, players),
		out:      make([]bool, players),
		turn:     first,
		goldLeft: rules.Gold,
	}
	for i := range g.finder {
		g.finder[i] = -1
	}
	return g, nil
}

// Rules returns the game's rules.
func (g *Game) Rules() Rules { return g.rules }

// Seed returns the seed of the board (0 for NewWithBoard games).
func (g *Game) Seed() uint64 { return g.seed }

// Players returns the number of seats in the game.
func (g *Game) Players() int { return g.players }

// First returns the seat that moved first.
func (g *Game) First() int { return g.first }

// Board returns the hidden board. Never send it, or anything made from it,
// to a client before the game is over; use PublicView for that.
func (g *Game) Board() *Board { return g.board }

// Turn returns the seat to move, or -1 when the game is over.
func (g *Game) Turn() int {
	if g.over {
		return -1
	}
	return g.turn
}

// Over reports whether the game has ended.
func (g *Game) Over() bool { return g.over }

// Outcome returns how the game ended; ok is false while it is running.
func (g *Game) Outcome() (o Outcome, ok bool) {
	if !g.over {
		return Outcome{}, false
	}
	return g.outcome.clone(), true
}

// GoldLeft returns the number of gold cells not yet dug.
func (g *Game) GoldLeft() int { return g.goldLeft }

// Scores returns a copy of the scores by seat.
func (g *Game) Scores() []int { return append([]int(nil), g.scores...) }

// Forfeited reports whether seat has forfeited.
func (g *Game) Forfeited(seat int) bool { return seat >= 0 && seat < g.players && g.out[seat] }

// Dug reports whether a cell on the board has been dug.
func (g *Game) Dug(row, col int) bool {
	return g.board.In(row, col) && g.dug[row*g.rules.Cols+col]
}

// Finder returns the seat that dug the gold at (row, col), or -1.
func (g *Game) Finder(row, col int) int {
	if !g.board.In(row, col) {
		return -1
	}
	return int(g.finder[row*g.rules.Cols+col])
}

// Moves returns a copy of every move applied so far, in order.
func (g *Game) Moves() []Move { return append([]Move(nil), g.moves...) }

// MoveCount returns the number of moves applied so far.
func (g *Game) MoveCount() int { return len(g.moves) }

// active returns the number of seats that have not forfeited.
func (g *Game) active() int {
	n := 0
	for _, o := range g.out {
		if !o {
			n++
		}
	}
	return n
}

// next returns the first seat after from that has not forfeited.
func (g *Game) next(from int) int {
	for i := 1; i <= g.players; i++ {
		if s := (from + i) % g.players; !g.out[s] {
			return s
		}
	}
	return from
}

// CheckDig reports the error Dig would return, without changing anything.
func (g *Game) CheckDig(seat, row, col int) error {
	switch {
	case g.over:
		return fmt.Errorf("game: dig: %w", ErrGameOver)
	case seat < 0 || seat >= g.players || g.out[seat]:
		return fmt.Errorf("game: dig: seat %d: %w", seat, ErrNotAPlayer)
	case seat != g.turn:
		return fmt.Errorf("game: dig: seat %d, turn is %d: %w", seat, g.turn, ErrNotYourTurn)
	case !g.board.In(row, col):
		return fmt.Errorf("game: dig (%d,%d) on %dx%d: %w", row, col, g.rules.Rows, g.rules.Cols, ErrOutOfBounds)
	case g.dug[row*g.rules.Cols+col]:
		return fmt.Errorf("game: dig (%d,%d): %w", row, col, ErrAlreadyDug)
	}
	return nil
}

// Dig digs (row, col) for seat. Gold scores a point and reveals that cell; a
// number reveals that cell; a 0 reveals its connected region of 0s and the
// numbers that border it (never gold). A refused dig changes nothing.
func (g *Game) Dig(seat, row, col int) (Result, error) {
	if err := g.CheckDig(seat, row, col); err != nil {
		return Result{}, err
	}
	i := row*g.rules.Cols + col
	res := Result{Move: Move{Kind: Dig, Seat: seat, Row: row, Col: col}}
	if g.board.cells[i] == GoldValue {
		g.dug[i] = true
		g.finder[i] = int8(seat)
		g.scores[seat]++
		g.goldLeft--
		res.Gold = true
		res.Cells = []Cell{{Row: row, Col: col, Value: GoldValue}}
	} else {
		res.Cells = g.flood(row, col)
	}
	g.moves = append(g.moves, res.Move)

	if !(res.Gold && g.rules.ExtraTurnOnGold) {
		g.turn = g.next(g.turn)
	}
	switch {
	case g.goldLeft == 0:
		g.end(EndAllGold)
	case g.rules.EndWhenDecided && g.decided():
		g.end(EndDecided)
	}
	g.fill(&res)
	return res, nil
}

// Skip passes the current turn to the next player (a timer ran out, or the
// player is absent). It returns the seat that lost its turn in Result.Move.
func (g *Game) Skip() (Result, error) {
	if g.over {
		return Result{}, fmt.Errorf("game: skip: %w", ErrGameOver)
	}
	res := Result{Move: Move{Kind: Skip, Seat: g.turn}}
	g.moves = append(g.moves, res.Move)
	g.turn = g.next(g.turn)
	g.fill(&res)
	return res, nil
}

// Forfeit takes seat out of the game: its turns are skipped from now on and
// it ranks below every seat still playing. When fewer than 2 seats remain the
// game ends with EndForfeit.
func (g *Game) Forfeit(seat int) (Result, error) {
	switch {
	case g.over:
		return Result{}, fmt.Errorf("game: forfeit: %w", ErrGameOver)
	case seat < 0 || seat >= g.players || g.out[seat]:
		return Result{}, fmt.Errorf("game: forfeit seat %d: %w", seat, ErrNotAPlayer)
	}
	res := Result{Move: Move{Kind: Forfeit, Seat: seat}}
	g.moves = append(g.moves, res.Move)
	g.out[seat] = true
	if g.active() < MinPlayers {
		g.end(EndForfeit)
	} else if g.turn == seat {
		g.turn = g.next(seat)
	}
	g.fill(&res)
	return res, nil
}

// Close ends a running game from outside (an admin closing the room). It is
// not a move: a replay of the moves gives the game as it stood.
func (g *Game) Close() (Outcome, error) {
	if g.over {
		return Outcome{}, fmt.Errorf("game: close: %w", ErrGameOver)
	}
	g.end(EndClosed)
	return g.outcome.clone(), nil
}

// Apply applies a move of any kind. Replay is Apply over a list.
func (g *Game) Apply(m Move) (Result, error) {
	switch m.Kind {
	case Dig:
		return g.Dig(m.Seat, m.Row, m.Col)
	case Skip:
		if !g.over && m.Seat != g.turn {
			return Result{}, fmt.Errorf("game: skip seat %d, turn is %d: %w", m.Seat, g.turn, ErrNotYourTurn)
		}
		return g.Skip()
	case Forfeit:
		return g.Forfeit(m.Seat)
	}
	return Result{}, fmt.Errorf("game: apply: unknown move kind %d", m.Kind)
}

// decided reports whether the leader's score exceeds the runner-up's score
// plus all the gold left, so that nobody can catch up.
func (g *Game) decided() bool {
	best, second := -1, -1
	for _, s := range g.scores {
		switch {
		case s > best:
			best, second = s, best
		case s > second:
			second = s
		}
	}
	return best > second+g.goldLeft
}

func (g *Game) end(reason EndReason) {
	g.over = true
	g.outcome = rank(reason, g.scores, g.out)
}

// fill completes a result with the state after the move.
func (g *Game) fill(res *Result) {
	res.Scores = g.Scores()
	res.GoldLeft = g.goldLeft
	res.Turn = g.Turn()
	if g.over {
		o := g.outcome.clone()
		res.End = &o
	}
}
