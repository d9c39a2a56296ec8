package bots

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
)

// frame is what a bot reads of the frames of protocol v1.
type frame struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
	You  struct {
		Seat *int `json:"seat"`
	} `json:"you"`
	Room    *snapshot     `json:"room"`
	Turn    *int          `json:"turn"`
	Seat    int           `json:"seat"`
	Cells   []game.Cell   `json:"cells"`
	Players []seatOfFrame `json:"players"`
}

type snapshot struct {
	Status  room.Status   `json:"status"`
	Seq     int64         `json:"seq"`
	Rules   game.Rules    `json:"rules"`
	Players []seatOfFrame `json:"players"`
	Turn    *int          `json:"turn"`
	Board   [][]*int8     `json:"board"`
}

type seatOfFrame struct {
	Seat     int    `json:"seat"`
	PlayerID string `json:"player_id"`
	Bot      bool   `json:"bot"`
	Rematch  bool   `json:"rematch"`
}

// bot is one bot in one room: its room.Conn, and what it knows of the
// room, kept from the frames it is sent.
type bot struct {
	m      *Manager
	level  solver.Level
	player room.Player

	// idPrefix starts every move id of this bot: random, so that the ids
	// of a bot restored after a restart (counting from 1 again) never
	// repeat the ids its seat used before, which the room refuses.
	idPrefix string
	// think is the solver's randomness, used only by the one dig that is
	// thinking (see thinking), off the lock.
	think *rand.Rand

	mu       sync.Mutex
	rng      *rand.Rand
	member   *room.Member
	stopped  bool
	pending  room.Timer // the next action, if one is planned
	thinking bool       // a dig is choosing its cell, off the lock
	// turns counts the changes that can make a chosen cell stale: a new
	// game, a move, a skip, a snapshot. Chat and presence do not.
	turns uint64

	seq      int64
	status   room.Status
	rules    game.Rules
	seat     int
	turn     *int
	board    []int8 // row-major, game.Hidden where undug
	rematch  bool   // asked for a rematch of the last game
	wantsNew bool   // another seat asked for a rematch
	moves    int
}

// Seated gives the bot its member. Frames may have come before it.
func (b *bot) Seated(m *room.Member) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.member = m
	b.plan()
}

// Send reads one frame. The room calls it with its lock held, so it only
// updates what the bot knows and plans; actions happen later, on a timer.
func (b *bot) Send(data []byte) {
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		b.m.cfg.Log.Error("bots: unreadable frame", "bot", b.player.ID, "err", err)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return
	}
	switch f.Type {
	case "welcome":
		b.turns++
		b.seat = -1
		if f.You.Seat != nil {
			b.seat = *f.You.Seat
		}
		b.load(f.Room)
	case "snapshot":
		b.turns++
		b.load(f.Room)
	case "error", "pong":
	default:
		if f.Seq <= b.seq {
			return
		}
		if f.Seq != b.seq+1 {
			b.resync() // an event was missed: start again from a snapshot
			return
		}
		b.seq = f.Seq
		b.event(f)
	}
	b.plan()
}

// Close is called when the room ends the bot's connection: it was
// replaced, kicked, or the room closed.
func (b *bot) Close(code int, reason string) {
	b.m.forget(b)
}

func (b *bot) load(s *snapshot) {
	if s == nil {
		return
	}
	b.seq, b.status, b.rules, b.turn = s.Seq, s.Status, s.Rules, s.Turn
	b.board = make([]int8, 0, s.Rules.Rows*s.Rules.Cols)
	for _, row := range s.Board {
		for _, c := range row {
			if c == nil {
				b.board = append(b.board, game.Hidden)
			} else {
				b.board = append(b.board, *c)
			}
		}
	}
	b.rematch, b.wantsNew = false, false
	for _, p := range s.Players {
		if p.PlayerID == b.player.ID {
			b.rematch = p.Rematch
		} else if p.Rematch {
			b.wantsNew = true
		}
	}
}

func (b *bot) event(f frame) {
	switch f.Type {
	case "chat", "presence", "rematch":
	default:
		b.turns++
	}
	switch f.Type {
	case "game_started":
		b.status, b.turn = room.Playing, f.Turn
		b.board = make([]int8, b.rules.Rows*b.rules.Cols)
		for i := range b.board {
			b.board[i] = game.Hidden
		}
		// A rematch may renumber the seats.
		for _, p := range f.Players {
			if p.PlayerID == b.player.ID {
				b.seat = p.Seat
			}
		}
		b.rematch, b.wantsNew = false, false
	case "dug":
		for _, c := range f.Cells {
			b.board[c.Row*b.rules.Cols+c.Col] = c.Value
		}
		b.turn = f.Turn
	case "turn_skipped":
		b.turn = f.Turn
	case "player_left":
		if b.status != room.Playing {
			b.resync() // a waiting room renumbers its seats
			return
		}
		b.turn = f.Turn
	case "game_over":
		b.status, b.turn = room.Finished, nil
	case "rematch":
		if f.Seat != b.seat {
			b.wantsNew = true
		}
	case "room_reset":
		b.resync()
	case "room_closed":
		b.status, b.turn = room.Closed, nil
	}
}

// plan sets a timer for what the bot should do next, if anything: dig on
// its turn, or ask for a rematch once somebody else has. A bot never asks
// first, so bots left alone do not play on forever.
func (b *bot) plan() {
	if b.stopped || b.member == nil || b.pending != nil || b.thinking {
		return
	}
	switch {
	case b.status == room.Playing && b.turn != nil && *b.turn == b.seat:
		b.pending = b.m.cfg.Clock.AfterFunc(b.pause(), b.dig)
	case b.status == room.Finished && b.wantsNew && !b.rematch && b.seat >= 0:
		b.pending = b.m.cfg.Clock.AfterFunc(b.pause(), b.askRematch)
	}
}

// dig chooses a cell from the board as the bot knows it and digs it. The
// solver runs off the bot's lock: Send takes that lock with the room's held,
// so a bot that thought under it would hold up its whole room for the
// solver's budget. Once it has chosen, the bot checks that nothing that
// bears on the choice happened meanwhile, or thinks again.
func (b *bot) dig() {
	b.mu.Lock()
	b.pending = nil
	if !b.myTurn() {
		b.plan()
		b.mu.Unlock()
		return
	}
	view := game.View{Rows: b.rules.Rows, Cols: b.rules.Cols, Cells: append([]int8(nil), b.board...)}
	gold, turns := b.rules.Gold, b.turns
	b.thinking = true
	b.mu.Unlock()

	row, col, err := b.m.cfg.Choose(b.level, view, gold, b.think)

	b.mu.Lock()
	b.thinking = false
	if !b.myTurn() || b.turns != turns {
		b.plan() // the choice is stale: think again, if still to move
		b.mu.Unlock()
		return
	}
	b.moves++
	id := json.RawMessage(strconv.Quote(b.idPrefix + strconv.Itoa(b.moves)))
	m := b.member
	b.mu.Unlock()
	if err != nil {
		b.m.cfg.Log.Error("bots: no move", "bot", b.player.ID, "err", err)
		m.Resync()
		return
	}
	// Outside the bot's lock: the room sends the dug event back to Send
	// before Dig returns.
	if err := m.Dig(row, col, id); err != nil {
		b.m.cfg.Log.Debug("bots: dig refused", "bot", b.player.ID, "err", err)
		if !errors.Is(err, room.ErrGone) {
			m.Resync() // what the bot knew was stale
		}
	}
}

// myTurn reports whether the bot is to dig now; b.mu is held.
func (b *bot) myTurn() bool {
	return !b.stopped && b.member != nil && b.status == room.Playing && b.turn != nil && *b.turn == b.seat
}

func (b *bot) askRematch() {
	b.mu.Lock()
	b.pending = nil
	ok := !b.stopped && b.status == room.Finished && !b.rematch
	b.rematch = b.rematch || ok
	m := b.member
	b.mu.Unlock()
	if ok {
		if err := m.Rematch(); err != nil {
			b.m.cfg.Log.Debug("bots: rematch refused", "bot", b.player.ID, "err", err)
		}
	}
}

// resync asks for a snapshot, off the room's lock.
func (b *bot) resync() {
	if m := b.member; m != nil {
		go m.Resync()
	}
}

func (b *bot) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	if b.pending != nil {
		b.pending.Stop()
		b.pending = nil
	}
}
