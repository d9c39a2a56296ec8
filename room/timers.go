package room

import (
	"fmt"
	"time"
)

// retryAfter is how long a timer waits to try again when the store refused
// its change (a full disk, say): the change must still happen, later.
const retryAfter = 5 * time.Second

// rearm brings every timer of the room in line with its state: the turn
// timer, the reconnect grace of each absent seat, and the idle timer. It is
// called after every change, so no code path has to remember which timer
// the change affects.
func (r *Room) rearm() {
	if r.closed || r.m.closing.Load() {
		return
	}
	r.armTurn(0)
	for _, s := range r.seats {
		switch {
		case s.member == nil && !s.Left && !s.Bot && s.grace == nil:
			s := s
			due := s.awaySince.Add(r.m.cfg.Grace).Sub(r.now())
			s.grace = r.m.cfg.Clock.AfterFunc(due, func() { r.onGrace(s) })
		case (s.member != nil || s.Left) && s.grace != nil:
			s.grace.Stop()
			s.grace = nil
		}
	}
	r.armIdle()
}

// armTurn sets the one timer that ends the current turn: at the deadline,
// or earlier when the player to move is disconnected. The reason is absent
// whenever the player to move is disconnected, whichever of the two comes
// first (docs/protocol.md), and timeout otherwise. A retry delay > 0
// overrides both after a failed save.
func (r *Room) armTurn(retry time.Duration) {
	if r.turnTimer != nil {
		r.turnTimer.Stop()
		r.turnTimer = nil
	}
	r.timerGen++
	if r.status != Playing || r.g == nil || r.g.Over() {
		return
	}
	var at time.Time
	reason := "timeout"
	if !r.deadline.IsZero() {
		at = r.deadline
	}
	if s := r.seats[r.g.Turn()]; s.member == nil && !s.Bot {
		away := r.turnStart
		if s.awaySince.After(away) {
			away = s.awaySince
		}
		if absent := away.Add(r.m.cfg.AbsentSkip); at.IsZero() || absent.Before(at) {
			at = absent
		}
		reason = "absent"
	}
	if at.IsZero() {
		return
	}
	d := at.Sub(r.now())
	if retry > 0 {
		d = retry
	}
	gen := r.timerGen
	r.turnTimer = r.m.cfg.Clock.AfterFunc(d, func() { r.onTurnTimer(gen, reason) })
}

func (r *Room) onTurnTimer(gen uint64, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen != r.timerGen || r.closed || r.m.closing.Load() || r.status != Playing {
		return
	}
	if err := r.skip(reason); err != nil {
		// Unless the store said that another node owns the room now: it
		// released the room, whose timers must stay stopped.
		if !r.closed {
			r.armTurn(retryAfter)
		}
		return
	}
	r.rearm()
}

// skip passes the turn of the game in play, for reason timeout, absent or
// admin: the turn timer and Manager.SkipTurn differ only in what they do
// when the store refuses.
func (r *Room) skip(reason string) error {
	return r.apply(func(w *Write) error {
		res, err := r.g.Skip()
		if err != nil {
			return err
		}
		w.Move = r.moveRecord(res.Move, "")
		w.MoveOnly = true
		r.newTurn()
		r.seq++
		ev := &turnSkipped{Type: "turn_skipped", Seq: r.seq, Seat: res.Move.Seat, Reason: reason}
		ev.Turn, ev.Deadline = r.turnAndDeadline()
		r.emit(nil, ev)
		return nil
	})
}

// onGrace ends the reconnect grace of a seat whose player did not return:
// the seat is freed while waiting, forfeits during a game, and is marked
// left after one.
func (r *Room) onGrace(s *seat) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s.grace = nil
	if r.closed || r.m.closing.Load() || s.member != nil || s.Left {
		return
	}
	i := -1
	for j, x := range r.seats {
		if x == s {
			i = j
		}
	}
	if i < 0 {
		return
	}
	if r.status == Playing && r.botSubstitute != "" && r.m.cfg.Substitute != nil {
		err := r.substituteWith(i, r.botSubstitute)
		// Closed: the store said that another node owns the room, and it
		// was released (see onTurnTimer); no forfeit is written then.
		if err == nil || r.closed {
			return
		}
		r.m.cfg.Log.Error("room: no bot to take over a seat", "room", r.id, "seat", i, "err", err)
	}
	err := r.apply(func(w *Write) error { return r.dropSeat(w, i, "timeout") })
	if err != nil {
		if !r.closed { // released (see onTurnTimer)
			s.grace = r.m.cfg.Clock.AfterFunc(retryAfter, func() { r.onGrace(s) })
		}
		return
	}
	r.afterDrop()
}

// substituteWith hands seat i, in a game in play, to a new bot of this
// level: it takes the seat as it is, score included, and plays on. On an
// error (no bot could be made, or the store refused) nothing changed.
func (r *Room) substituteWith(i int, level string) error {
	p, conn, err := r.m.cfg.Substitute(level)
	if err != nil {
		return fmt.Errorf("room %s: a bot for seat %d: %w", r.id, i, err)
	}
	p.Bot = true
	s := r.seats[i]
	m := &Member{room: r, player: p, role: RolePlayer, conn: conn}
	err = r.apply(func(w *Write) error {
		old := s.PlayerID
		s.SeatRecord = SeatRecord{PlayerID: p.ID, Name: p.Name, Bot: true, BotLevel: p.BotLevel}
		r.seq++
		r.emit(m, &playerReplaced{playerJoined: playerJoined{Type: "player_replaced", Seq: r.seq, Seat: i,
			PlayerID: p.ID, Name: p.Name, Bot: true, BotLevel: p.BotLevel}, Replaced: old})
		return nil
	})
	if err != nil {
		return err
	}
	s.member, s.awaySince = m, time.Time{}
	conn.Seated(m)
	r.welcome(m)
	r.publish()
	r.rearm()
	return nil
}

// armIdle closes a room that nobody has been connected to for the idle
// timeout: a waiting room is closed, a finished one is put away. A room in
// play needs no idle timer; the reconnect grace ends its game.
func (r *Room) armIdle() {
	connected := len(r.spectators) > 0
	for _, s := range r.seats {
		if s.member != nil && !s.Bot {
			connected = true
		}
	}
	if connected || r.status == Playing {
		if r.idle != nil {
			r.idle.Stop()
			r.idle = nil
		}
		return
	}
	if r.idle == nil {
		r.idle = r.m.cfg.Clock.AfterFunc(r.idleTimeout(), r.onIdle)
	}
}

// MatchRoomIdle is how long a quick-match room whose game was played stays
// with nobody in it: its players queue for the next match rather than
// come back to it, and a busy queue makes such rooms by the thousand.
const MatchRoomIdle = 30 * time.Second

func (r *Room) idleTimeout() time.Duration {
	if len(r.reserved) > 0 && r.gameNo > 0 {
		return min(r.m.cfg.IdleTimeout, MatchRoomIdle)
	}
	return r.m.cfg.IdleTimeout
}

func (r *Room) onIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.idle = nil
	if r.closed || r.m.closing.Load() {
		return
	}
	if r.close("idle") != nil && !r.closed { // released (see onTurnTimer)
		r.idle = r.m.cfg.Clock.AfterFunc(retryAfter, r.onIdle)
	}
}

// close ends the room: a game in progress ends with reason closed, then
// room_closed is announced, every member is disconnected and the room leaves
// the manager.
func (r *Room) close(reason string) error {
	err := r.apply(func(w *Write) error {
		if r.status == Playing {
			o, err := r.g.Close()
			if err != nil {
				return err
			}
			r.finish(w, o)
		}
		r.status = Closed
		r.seq++
		r.emit(nil, &roomClosed{Type: "room_closed", Seq: r.seq, Reason: reason})
		return nil
	})
	if err != nil {
		return err
	}
	r.end(CloseRoomClosed, "room closed")
	return nil
}

// release drops the room from this node without changing it in the store:
// its timers stop and its members are disconnected with CloseMoved, to
// reconnect wherever the room now lives.
func (r *Room) release() {
	if r.closed {
		return
	}
	for c := range r.watchers {
		c.Close(CloseMoved, "room moved to another node")
	}
	r.end(CloseMoved, "room moved to another node")
}

// end stops the room's timers, disconnects every member with code and
// takes the room out of the manager.
func (r *Room) end(code int, reason string) {
	r.shut()
	for _, s := range r.seats {
		if s.member != nil {
			s.member.gone = true
			s.member.conn.Close(code, reason)
			s.member = nil
		}
	}
	for m := range r.spectators {
		m.gone = true
		m.conn.Close(code, reason)
	}
	clear(r.spectators)
	r.m.remove(r.id)
}

// shut marks the room closed and stops all its timers.
func (r *Room) shut() {
	r.closed = true
	r.timerGen++
	for _, t := range []Timer{r.turnTimer, r.idle} {
		if t != nil {
			t.Stop()
		}
	}
	r.turnTimer, r.idle = nil, nil
	for _, s := range r.seats {
		if s.grace != nil {
			s.grace.Stop()
			s.grace = nil
		}
	}
}
