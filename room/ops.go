package room

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/goldmine-game/goldmine/game"
)

// join seats a player, resumes their seat, or adds a spectator, and sends
// the welcome.
func (r *Room) join(p Player, role Role, conn Conn) (*Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("room %s: %w", r.id, ErrUnknownRoom)
	}
	m := &Member{room: r, player: p, role: role, conn: conn}
	if role == RoleSpectator {
		if len(r.spectators) >= r.m.cfg.MaxSpectators {
			return nil, fmt.Errorf("room %s: %d spectators: %w", r.id, len(r.spectators), ErrRoomFull)
		}
		r.spectators[m] = struct{}{}
		r.welcome(m)
		r.spectatorsChanged()
		r.publish()
		r.rearm()
		return m, nil
	}
	if i := r.seatOf(p.ID); i >= 0 {
		r.resume(i, m)
		return m, nil
	}
	if !r.mayTakeSeat(p) {
		return nil, fmt.Errorf("room %s: seats reserved for quick match: %w", r.id, ErrRoomFull)
	}
	if r.status != Waiting || len(r.seats) >= r.rules.MaxPlayers {
		return nil, fmt.Errorf("room %s: %s with %d of %d seats: %w", r.id, r.status, len(r.seats), r.rules.MaxPlayers, ErrRoomFull)
	}
	err := r.apply(func(w *Write) error {
		r.seats = append(r.seats, &seat{SeatRecord: SeatRecord{PlayerID: p.ID, Name: p.Name, Bot: p.Bot, BotLevel: p.BotLevel}, member: m})
		r.seq++
		r.emit(m, &playerJoined{Type: "player_joined", Seq: r.seq, Seat: len(r.seats) - 1, PlayerID: p.ID, Name: p.Name,
			Bot: p.Bot, BotLevel: p.BotLevel})
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.welcome(m)
	if len(r.seats) == r.rules.MaxPlayers {
		// A full room starts by itself. If the store refuses, the room
		// stays waiting and any player can send start.
		r.startGame()
	}
	r.rearm()
	return m, nil
}

// resume gives seat i to a new connection. An older connection is closed;
// a disconnected seat is announced as connected again.
func (r *Room) resume(i int, m *Member) {
	s := r.seats[i]
	if old := s.member; old != nil {
		old.gone = true
		old.conn.Close(CloseReplaced, "replaced by a newer connection")
		s.member = m
		r.welcome(m)
		return
	}
	// The welcome shows the room at the seq the client last knew; the
	// presence event that follows, sent to everyone, announces the return.
	s.member, s.awaySince = m, time.Time{}
	r.welcome(m)
	r.presence(i, true, nil)
	r.rearm()
}

// presence announces a seat's connection change. A reconnect or a drop must
// happen whatever the store says, so a failed save is logged and the change
// is announced anyway, but without a seq: a seq is only ever sent once its
// event is committed, or a restart could give it to another event.
func (r *Room) presence(i int, connected bool, except *Member) {
	r.seq++
	ev := &presence{Type: "presence", Seq: r.seq, Seat: i, Connected: connected}
	var w Write
	if err := r.save(&w); err != nil {
		r.m.cfg.Log.Warn("room: presence announced without a seq, not stored", "room", r.id, "seq", r.seq, "err", err)
		r.seq--
		ev.Seq = 0
	}
	r.emit(except, ev)
	r.flush()
}

func (r *Room) welcome(m *Member) {
	m.conn.Send(encode(&welcomeFrame{Type: "welcome", You: r.you(m), Room: r.withChat(r.snapshot())}))
}

// Start starts the game: any seated player may, once 2 seats are filled.
func (m *Member) Start() error {
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.seatFor(m); err != nil {
		return err
	}
	switch {
	case r.status != Waiting:
		return fmt.Errorf("room %s: start: %w", r.id, ErrAlreadyStarted)
	case len(r.seats) < game.MinPlayers:
		return fmt.Errorf("room %s: start with %d seated: %w", r.id, len(r.seats), ErrNotEnoughPlayers)
	}
	if err := r.startGame(); err != nil {
		return err
	}
	r.rearm()
	return nil
}

// startGame starts the next game on a new board. Seats of players who left
// are dropped first, and the first mover rotates with each game.
func (r *Room) startGame() error {
	return r.apply(func(w *Write) error {
		kept := r.seats[:0:0]
		for _, s := range r.seats {
			if !s.Left {
				s.Rematch = false
				kept = append(kept, s)
			}
		}
		r.seats = kept
		r.gameNo++
		r.seed, r.salt = newSeed(), newSalt()
		r.first = (r.gameNo - 1) % len(r.seats)
		g, err := game.New(r.rules, r.seed, len(r.seats), r.first)
		if err != nil {
			return fmt.Errorf("room %s: start: %w", r.id, err)
		}
		r.g, r.result, r.status, r.startedAt = g, nil, Playing, r.now()
		r.moveIDs = map[string]int64{}
		r.moves = nil
		w.NewGame = true
		r.newTurn()
		r.seq++
		r.emit(nil, &gameStarted{Type: "game_started", Seq: r.seq, Turn: r.first, Deadline: unixMilli(r.deadline),
			Commitment: game.Commitment(r.salt, g.Board().Layout()), Game: r.gameNo, Players: r.players()})
		return nil
	})
}

// Dig digs a cell for the member's seat. id is the client's move id as raw
// JSON (a string or a number), or nil; a repeated id is refused with
// ErrDuplicateMove and never applied twice.
func (m *Member) Dig(row, col int, id json.RawMessage) error {
	start := time.Now()
	r := m.room
	r.digsWaiting.Add(1) // chat gives way (Member.Chat)
	r.mu.Lock()
	r.digsWaiting.Add(-1)
	defer r.mu.Unlock()
	i, err := r.seatFor(m)
	if err != nil {
		return err
	}
	switch r.status {
	case Waiting:
		return fmt.Errorf("room %s: dig: %w", r.id, game.ErrNotStarted)
	case Finished:
		return fmt.Errorf("room %s: dig: %w", r.id, game.ErrGameOver)
	}
	// The id first: a client that resends a move after a reconnect must
	// learn that it was applied, not that its cell is now dug.
	key := moveKey(i, id)
	if key != "" {
		if seq, ok := r.moveIDs[key]; ok {
			return fmt.Errorf("room %s: move id %s was applied at seq %d: %w", r.id, id, seq, ErrDuplicateMove)
		}
	}
	if err := r.g.CheckDig(i, row, col); err != nil {
		return err
	}
	var dugSeq int64
	err = r.apply(func(w *Write) error {
		res, err := r.g.Dig(i, row, col)
		if err != nil {
			return err
		}
		w.Move = r.moveRecord(res.Move, string(id))
		w.MoveOnly = res.End == nil
		r.seq++
		dugSeq = r.seq
		ev := &dug{Type: "dug", Seq: r.seq, Seat: i, Row: row, Col: col, ID: id, Gold: res.Gold, Cells: res.Cells,
			Scores: res.Scores, GoldLeft: res.GoldLeft}
		if len(id) == 0 {
			ev.ID = json.RawMessage("null")
		}
		if res.End == nil {
			r.newTurn()
		}
		ev.Turn, ev.Deadline = r.turnAndDeadline()
		r.emit(nil, ev)
		if res.End != nil {
			r.finish(w, *res.End)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if key != "" {
		r.moveIDs[key] = dugSeq
	}
	r.rearm()
	// Real time, not the room clock: this measures the server, and tests
	// on a fake clock must not see zero.
	r.m.cfg.OnDig(time.Since(start))
	r.m.digs.add(start)
	return nil
}

// moveRecord records a move just applied, for the store and for the
// finished game's record.
func (r *Room) moveRecord(mv game.Move, id string) *MoveRecord {
	r.moves = append(r.moves, MoveRecord{GameNo: r.gameNo, N: r.g.MoveCount(), Kind: mv.Kind, Seat: mv.Seat,
		Row: mv.Row, Col: mv.Col, MoveID: id, At: r.now()})
	return &r.moves[len(r.moves)-1]
}

// finish records the end of the game in w and announces game_over. The
// game's stored id is filled in after the save, before the event is sent.
func (r *Room) finish(w *Write, o game.Outcome) {
	layout := r.g.Board().Layout()
	res := &Result{Reason: o.Reason, Scores: o.Scores, Winners: o.Winners, Board: r.g.FullView(),
		Layout: layout, Salt: r.salt, Commitment: game.Commitment(r.salt, layout)}
	rec := &GameRecord{RoomID: r.id, GameNo: r.gameNo, Rules: r.rules, Seed: r.seed, First: r.first,
		Layout: layout, Salt: r.salt, Commitment: res.Commitment, Reason: o.Reason,
		Moves: slices.Clone(r.moves), StartedAt: r.startedAt, EndedAt: r.now(), Rated: r.rated}
	winner := map[int]bool{}
	for _, s := range o.Winners {
		winner[s] = true
	}
	for _, st := range o.Ranking {
		s := r.seats[st.Seat]
		res.Ranking = append(res.Ranking, Standing{Standing: st, PlayerID: s.PlayerID, Name: s.Name})
		rec.Players = append(rec.Players, GamePlayer{Seat: st.Seat, PlayerID: s.PlayerID, Name: s.Name, Bot: s.Bot,
			Score: st.Score, Rank: st.Rank, Winner: winner[st.Seat], Forfeited: st.Forfeited, BotLevel: s.BotLevel})
	}
	slices.SortFunc(rec.Players, func(a, b GamePlayer) int { return a.Seat - b.Seat })
	w.Game = rec
	r.result = res
	r.status = Finished
	r.turnStart, r.deadline = time.Time{}, time.Time{}
	for _, s := range r.seats {
		s.Rematch = false
	}
	r.seq++
	r.emit(nil, &gameOver{Type: "game_over", Seq: r.seq, Result: res})
}

// Leave frees the seat while waiting, forfeits while playing, and leaves
// the room after a game. A spectator just goes. The connection is closed.
func (m *Member) Leave() error {
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.gone || r.closed {
		return fmt.Errorf("room %s: %w", r.id, ErrGone)
	}
	if m.role == RoleSpectator {
		r.dropSpectator(m, CloseLeft, "left")
		return nil
	}
	i, err := r.seatFor(m)
	if err != nil {
		return err
	}
	if err := r.apply(func(w *Write) error { return r.dropSeat(w, i, "left") }); err != nil {
		return err
	}
	m.gone = true
	m.conn.Close(CloseLeft, "left")
	r.afterDrop()
	return nil
}

func (r *Room) dropSpectator(m *Member, code int, reason string) {
	delete(r.spectators, m)
	m.gone = true
	m.conn.Close(code, reason)
	r.spectatorsChanged()
	r.publish()
	r.rearm()
}

// dropSeat removes the player of seat i, for reason left, timeout or kicked:
// while waiting the seat is freed and later seats move down by one; during a
// game the player forfeits; after a game the seat is marked left. Called
// inside apply.
func (r *Room) dropSeat(w *Write, i int, reason string) error {
	s := r.seats[i]
	ev := &playerLeft{Type: "player_left", Seat: i, PlayerID: s.PlayerID, Reason: reason}
	switch r.status {
	case Waiting:
		r.seats = slices.Delete(slices.Clone(r.seats), i, i+1)
	case Playing:
		s.Left = true
		turn := r.g.Turn()
		res, err := r.g.Forfeit(i)
		if err != nil {
			return err
		}
		w.Move = r.moveRecord(res.Move, "")
		if res.End == nil && res.Turn != turn {
			r.newTurn()
		}
	case Finished:
		s.Left = true
		s.Rematch = false
	}
	r.seq++
	ev.Seq = r.seq
	ev.Turn, ev.Deadline = r.turnAndDeadline()
	r.emit(nil, ev)
	if r.status == Playing && r.g.Over() {
		o, _ := r.g.Outcome()
		r.finish(w, o)
	}
	return nil
}

// afterDrop finishes what a player leaving may set off: after a game, the
// players who remain may all have asked for a rematch already.
func (r *Room) afterDrop() {
	if r.status == Finished {
		r.maybeRematch()
	}
	r.rearm()
}

// Rematch asks for a new game after game_over. The new game starts when
// every remaining player asked; with fewer than 2 left, the room goes back
// to waiting for players instead.
func (m *Member) Rematch() error {
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	i, err := r.seatFor(m)
	if err != nil {
		return err
	}
	if r.status != Finished {
		return fmt.Errorf("room %s: rematch while %s: %w", r.id, r.status, ErrNotFinished)
	}
	if r.seats[i].Rematch {
		// Asked already. Try again to start: if the store refused the
		// start before, this is the only way to retry it.
		r.maybeRematch()
		r.rearm()
		return nil
	}
	err = r.apply(func(w *Write) error {
		r.seats[i].Rematch = true
		r.seq++
		r.emit(nil, &rematchAsked{Type: "rematch", Seq: r.seq, Seat: i})
		return nil
	})
	if err != nil {
		return err
	}
	r.maybeRematch()
	r.rearm()
	return nil
}

func (r *Room) maybeRematch() {
	n := 0
	for _, s := range r.seats {
		if s.Left {
			continue
		}
		if !s.Rematch {
			return
		}
		n++
	}
	if n >= game.MinPlayers {
		r.startGame()
		return
	}
	r.apply(func(w *Write) error {
		kept := r.seats[:0:0]
		for _, s := range r.seats {
			if !s.Left {
				s.Rematch = false
				kept = append(kept, s)
			}
		}
		r.seats, r.status, r.g, r.result = kept, Waiting, nil, nil
		r.seq++
		r.emit(nil, &roomReset{Type: "room_reset", Seq: r.seq, Status: Waiting, Players: r.players()})
		return nil
	})
}

// Chat sends a line of text to the room. Spectators may chat too.
//
// A chat line is a stored event like any other, but the players come
// first: past the room's chat rate a line is refused at once with
// ErrChatLimited, before it waits for anything, and only one line at a
// time waits for the room's lock (chatMu), so that a dig waits for at most
// that line, however many spectators chat.
func (m *Member) Chat(text string) error {
	r := m.room
	text, err := CleanText("chat", text, MaxChat)
	if err != nil {
		return err
	}
	if r.chatLimit != nil && !r.chatLimit.AllowN(r.now(), 1) {
		return fmt.Errorf("room %s: chat: %w", r.id, ErrChatLimited)
	}
	r.chatMu.Lock()
	defer r.chatMu.Unlock()
	for {
		r.mu.Lock()
		if r.digsWaiting.Load() == 0 {
			break
		}
		// A dig waits for the room: it goes first. sync.Mutex has no
		// priorities, and a chat line that just arrived would often win
		// the lock from a dig that has been waiting.
		r.mu.Unlock()
		runtime.Gosched()
	}
	defer r.mu.Unlock()
	if m.gone || r.closed {
		return fmt.Errorf("room %s: %w", r.id, ErrGone)
	}
	var seat *int
	if m.role == RolePlayer {
		if i, err := r.seatFor(m); err == nil {
			seat = seatPtr(i)
		}
	}
	return r.apply(func(w *Write) error {
		r.seq++
		r.emit(nil, &chat{Type: "chat", Seq: r.seq, Seat: seat, Name: m.player.Name, Text: text})
		return nil
	})
}

// Resync sends the member a snapshot of the room as it is now.
func (m *Member) Resync() error {
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.gone || r.closed {
		return fmt.Errorf("room %s: %w", r.id, ErrGone)
	}
	m.conn.Send(encode(&snapshotFrame{Type: "snapshot", Room: r.withChat(r.snapshot())}))
	return nil
}

// Disconnect tells the room that the member's connection is gone. A seat
// is kept for the reconnect grace; a spectator place is freed.
func (m *Member) Disconnect() {
	r := m.room
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.gone || r.closed {
		return
	}
	m.gone = true
	if m.role == RoleSpectator {
		delete(r.spectators, m)
		r.spectatorsChanged()
		r.publish()
		r.rearm()
		return
	}
	for i, s := range r.seats {
		if s.member == m {
			s.member, s.awaySince = nil, r.now()
			r.presence(i, false, nil)
			break
		}
	}
	r.rearm()
}
