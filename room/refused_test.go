package room_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// n counts the frames sent to c.
func (c *conn) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.frames)
}

// closedWith returns the close code c got, or 0.
func (c *conn) closedWith() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.code
}

// mustRoom returns the live room id.
func mustRoom(t *testing.T, m *room.Manager, id string) *room.Room {
	t.Helper()
	r, err := m.Room(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tiny are rules whose games end within a few digs: one gold on the
// smallest board, no turn timer.
var tiny = game.Rules{Rows: game.MinSide, Cols: game.MinSide, Gold: 1, MaxPlayers: 2}

// playOut digs until the game of room id is over.
func playOut(t *testing.T, m *room.Manager, id string, members []*room.Member) {
	t.Helper()
	for range tiny.Cells() {
		s, _ := m.Snapshot(id)
		if s.Status != room.Playing {
			return
		}
		row, col := firstHidden(s)
		if err := members[*s.Turn].Dig(row, col, nil); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("the game did not end")
}

// TestRefusedChangeLeavesTheRoom: a change the store refuses leaves the
// room exactly as it was (its checkpointed state, its summary and its
// recent events) and sends nothing to anyone; once the store takes
// writes again, the same change goes through with the next seq, as if
// the refused one had never been tried (apply and restore).
func TestRefusedChangeLeavesTheRoom(t *testing.T) {
	classic, _ := game.Preset("classic")
	for _, tt := range []struct {
		name string
		// finished plays the game out first.
		finished bool
		change   func(m *room.Manager, id string, members []*room.Member) error
	}{
		{name: "Dig", change: func(m *room.Manager, id string, members []*room.Member) error {
			s, _ := m.Snapshot(id)
			row, col := firstHidden(s)
			return members[*s.Turn].Dig(row, col, json.RawMessage(`"m1"`))
		}},
		{name: "LeaveEndsTheGame", change: func(_ *room.Manager, _ string, members []*room.Member) error {
			return members[0].Leave()
		}},
		{name: "Kick", change: func(m *room.Manager, id string, _ []*room.Member) error {
			return m.Kick(id, "bob", "")
		}},
		{name: "SkipTurn", change: func(m *room.Manager, id string, _ []*room.Member) error {
			return m.SkipTurn(id)
		}},
		{name: "CloseRoom", change: func(m *room.Manager, id string, _ []*room.Member) error {
			return m.CloseRoom(id)
		}},
		{name: "Chat", change: func(_ *room.Manager, _ string, members []*room.Member) error {
			return members[1].Chat("hello")
		}},
		{name: "Rematch", finished: true, change: func(_ *room.Manager, _ string, members []*room.Member) error {
			return members[1].Rematch()
		}},
		{name: "LeaveAfterTheGame", finished: true, change: func(_ *room.Manager, _ string, members []*room.Member) error {
			return members[1].Leave()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, j, clock := fakeManager(room.Config{})
			rules := classic
			if tt.finished {
				rules = tiny
			}
			id, members, conns := twoPlayers(t, m, rules)
			// A move first, so that a replay has something to replay.
			if s, _ := m.Snapshot(id); !tt.finished {
				row, col := firstHidden(s)
				if err := members[*s.Turn].Dig(row, col, nil); err != nil {
					t.Fatal(err)
				}
			} else {
				playOut(t, m, id, members)
			}
			// A turn that starts now would differ from the current one.
			clock.Advance(time.Second)
			r := mustRoom(t, m, id)
			before, summary, admin := room.StateOf(r), r.Summary(), r.AdminView()
			sent := []int{conns[0].n(), conns[1].n()}
			stored := j.count()

			j.refuseAll(errDisk)
			err := tt.change(m, id, members)
			if !errors.Is(err, room.ErrUnavailable) || !errors.Is(err, errDisk) {
				t.Fatalf("refused change: %v, want ErrUnavailable wrapping the store's error", err)
			}
			if after := room.StateOf(r); !reflect.DeepEqual(after, before) {
				t.Fatalf("the room changed:\n got %+v\nwant %+v", after, before)
			}
			if got := r.Summary(); got != summary {
				t.Fatalf("summary %+v, want %+v", got, summary)
			}
			if got := r.AdminView(); !reflect.DeepEqual(got, admin) {
				t.Fatalf("admin view %+v, want %+v", got, admin)
			}
			for i, c := range conns {
				if got, want := c.n(), sent[i]; got != want {
					t.Fatalf("seat %d got %d frames, want %d: %v", i, got, want, c.last())
				}
				if c.closedWith() != 0 {
					t.Fatalf("seat %d closed with %d", i, c.closedWith())
				}
			}
			if got := j.count(); got != stored {
				t.Fatalf("%d writes stored, want %d", got, stored)
			}

			j.refuseAll(nil)
			if err := tt.change(m, id, members); err != nil {
				t.Fatalf("the same change on a working store: %v", err)
			}
			if got, want := j.last(t).Room.Seq, before.Record.Seq+1; got < want {
				t.Fatalf("seq %d after the change, want at least %d", got, want)
			}
			// The first event sent is the next seq: none was spent on the
			// refused change.
			if f := conns[0].framesFrom(sent[0]); len(f) == 0 || f[0]["seq"] != float64(before.Record.Seq+1) {
				t.Fatalf("frames after the change %v, want seq %d first", f, before.Record.Seq+1)
			}
		})
	}
}

// framesFrom returns the frames sent to c from the i-th on.
func (c *conn) framesFrom(i int) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.frames[i:]...)
}

// TestStartGameRefused: a game start the store refuses leaves the room as
// it was before the start, and the start can be tried again.
func TestStartGameRefused(t *testing.T) {
	ctx := context.Background()
	noNewGame := func(w *room.Write) bool { return w.NewGame }
	t.Run("FullRoom", func(t *testing.T) {
		// A room that fills up starts by itself; if the store refuses the
		// start, the join still stands and the room waits.
		m, j, _ := fakeManager(room.Config{})
		snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: tiny})
		if err != nil {
			t.Fatal(err)
		}
		j.refuseIf(noNewGame)
		ann, bob := &conn{}, &conn{}
		a, err := m.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, ann)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Join(ctx, snap.ID, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, bob); err != nil {
			t.Fatalf("join whose start was refused: %v", err)
		}
		r := mustRoom(t, m, snap.ID)
		waiting := room.StateOf(r)
		if got, want := waiting.Record.Status, room.Waiting; got != want {
			t.Fatalf("status=%v, want %v", got, want)
		}
		if got, want := len(waiting.Record.Seats), 2; got != want {
			t.Fatalf("seats=%d, want %d", got, want)
		}
		if got := ann.ofType("game_started"); len(got) != 0 {
			t.Fatalf("a refused start was announced: %v", got)
		}
		if got := ann.ofType("player_joined"); len(got) != 1 || got[0]["seq"] != float64(waiting.Record.Seq) {
			t.Fatalf("player_joined %v, want seq %d", got, waiting.Record.Seq)
		}

		if err := a.Start(); !errors.Is(err, room.ErrUnavailable) {
			t.Fatalf("Start on a refusing store: %v, want ErrUnavailable", err)
		}
		if got := room.StateOf(r); !reflect.DeepEqual(got, waiting) {
			t.Fatalf("the room changed:\n got %+v\nwant %+v", got, waiting)
		}
		j.refuseAll(nil)
		if err := a.Start(); err != nil {
			t.Fatal(err)
		}
		gs := bob.ofType("game_started")
		if len(gs) != 1 || gs[0]["seq"] != float64(waiting.Record.Seq+1) || gs[0]["game"] != float64(1) {
			t.Fatalf("game_started %v, want game 1 at seq %d", gs, waiting.Record.Seq+1)
		}
		if w := j.last(t); !w.NewGame || w.Room.Status != room.Playing || w.Room.GameNo != 1 {
			t.Fatalf("stored %+v, want the new game", w)
		}
	})
	t.Run("Rematch", func(t *testing.T) {
		// The last rematch request is stored, the start it sets off is
		// refused: the room stays finished with every request kept, and
		// asking again retries the start.
		m, j, _ := fakeManager(room.Config{})
		id, members, conns := twoPlayers(t, m, tiny)
		playOut(t, m, id, members)
		if err := members[0].Rematch(); err != nil {
			t.Fatal(err)
		}
		j.refuseIf(noNewGame)
		if err := members[1].Rematch(); err != nil {
			t.Fatalf("a rematch request whose start was refused: %v", err)
		}
		r := mustRoom(t, m, id)
		asked := room.StateOf(r)
		if got, want := asked.Record.Status, room.Finished; got != want {
			t.Fatalf("status=%v, want %v", got, want)
		}
		for _, s := range asked.Record.Seats {
			if !s.Rematch {
				t.Fatalf("seat %+v lost its rematch request", s)
			}
		}
		if got := conns[0].ofType("game_started"); len(got) != 1 {
			t.Fatalf("%d game_started, want only the first game's", len(got))
		}
		if err := members[1].Rematch(); err != nil {
			t.Fatal(err)
		}
		if got := room.StateOf(r); !reflect.DeepEqual(got, asked) {
			t.Fatalf("a second refused start changed the room:\n got %+v\nwant %+v", got, asked)
		}
		j.refuseAll(nil)
		if err := members[1].Rematch(); err != nil {
			t.Fatal(err)
		}
		gs := conns[0].ofType("game_started")
		if len(gs) != 2 || gs[1]["game"] != float64(2) || gs[1]["seq"] != float64(asked.Record.Seq+1) {
			t.Fatalf("game_started %v, want game 2 at seq %d", gs, asked.Record.Seq+1)
		}
	})
}

// TestPresenceRefused: a connection change happens whatever the store
// says, but one that was not stored is announced without a seq, and the
// room's seq does not move, so that the next stored event takes the next
// seq (the presence of issue 15.6).
func TestPresenceRefused(t *testing.T) {
	ctx := context.Background()
	classic, _ := game.Preset("classic")
	m, j, _ := fakeManager(room.Config{})
	id, members, conns := twoPlayers(t, m, classic)
	r := mustRoom(t, m, id)
	stored := room.StateOf(r).Record.Seq
	tried := int64(-1)
	j.mu.Lock()
	j.refuse = func(w *room.Write) error { tried = w.Room.Seq; return errDisk }
	j.mu.Unlock()

	members[1].Disconnect()
	if got, want := tried, stored+1; got != want {
		t.Fatalf("the store was asked for seq %d, want %d", got, want)
	}
	ps := conns[0].ofType("presence")
	if len(ps) != 1 || ps[0]["connected"] != false || ps[0]["seat"] != float64(1) {
		t.Fatalf("presence %v, want seat 1 gone", ps)
	}
	if seq, has := ps[0]["seq"]; has {
		t.Fatalf("an unstored presence carries seq %v", seq)
	}
	if s := r.Snapshot(); s.Seq != stored || s.Players[1].Connected {
		t.Fatalf("seq %d, seat 1 connected=%v; want seq %d, disconnected", s.Seq, s.Players[1].Connected, stored)
	}

	// A return is announced the same way, and the returning player is
	// welcomed at the stored seq.
	back := &conn{}
	if _, err := m.Join(ctx, id, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, back); err != nil {
		t.Fatal(err)
	}
	ps = conns[0].ofType("presence")
	if len(ps) != 2 || ps[1]["connected"] != true {
		t.Fatalf("presence %v, want seat 1 back", ps)
	}
	if seq, has := ps[1]["seq"]; has {
		t.Fatalf("an unstored presence carries seq %v", seq)
	}
	if w := back.ofType("welcome"); len(w) != 1 || w[0]["room"].(map[string]any)["seq"] != float64(stored) {
		t.Fatalf("welcome %v, want seq %d", w, stored)
	}

	// The next event that is stored takes the next seq.
	j.refuseAll(nil)
	if err := members[0].Chat("still here"); err != nil {
		t.Fatal(err)
	}
	if c := conns[0].ofType("chat"); len(c) != 1 || c[0]["seq"] != float64(stored+1) {
		t.Fatalf("chat %v, want seq %d", c, stored+1)
	}
	if got, want := j.last(t).Room.Seq, stored+1; got != want {
		t.Fatalf("stored seq=%d, want %d", got, want)
	}
}

// TestNotOwner: a store that says another node owns the room now (a
// cluster node whose lease ran out) makes the room let go, whichever
// change or timer wrote: the change is refused, every member is closed
// with 1001 to reconnect where the room lives, the room leaves the
// manager as it was, and no timer of it is left.
func TestNotOwner(t *testing.T) {
	ctx := context.Background()
	classic, _ := game.Preset("classic")
	untimed := classic
	untimed.TurnSeconds = 0
	notOwner := errors.Join(errors.New("store: fenced"), room.ErrNotOwner)
	type env struct {
		m       *room.Manager
		j       *journal
		clock   *room.FakeClock
		id      string
		members []*room.Member
	}
	for _, tt := range []struct {
		name  string
		rules game.Rules
		// empty creates the room without seating anyone.
		empty bool
		// act makes the room write; the store refuses from refuse on.
		act func(e env, refuse func()) error
		// gone is the seat whose connection was gone already.
		gone int
	}{
		{name: "Dig", rules: classic, gone: -1, act: func(e env, refuse func()) error {
			refuse()
			s, _ := e.m.Snapshot(e.id)
			row, col := firstHidden(s)
			return e.members[*s.Turn].Dig(row, col, nil)
		}},
		{name: "Chat", rules: classic, gone: -1, act: func(e env, refuse func()) error {
			refuse()
			return e.members[0].Chat("hi")
		}},
		{name: "Presence", rules: classic, gone: 1, act: func(e env, refuse func()) error {
			refuse()
			e.members[1].Disconnect()
			return nil
		}},
		{name: "TurnTimer", rules: classic, gone: -1, act: func(e env, refuse func()) error {
			refuse()
			e.clock.Advance(time.Duration(classic.TurnSeconds) * time.Second)
			return nil
		}},
		{name: "Grace", rules: untimed, gone: 1, act: func(e env, refuse func()) error {
			s, _ := e.m.Snapshot(e.id)
			e.members[1-*s.Turn].Disconnect() // not the seat to move: no absent skip
			refuse()
			e.clock.Advance(room.DefaultGrace)
			return nil
		}},
		{name: "Idle", rules: classic, empty: true, gone: -1, act: func(e env, refuse func()) error {
			refuse()
			e.clock.Advance(room.DefaultIdleTimeout)
			return nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, j, clock := fakeManager(room.Config{})
			e := env{m: m, j: j, clock: clock}
			var conns []*conn
			if tt.empty {
				snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: tt.rules})
				if err != nil {
					t.Fatal(err)
				}
				e.id = snap.ID
			} else {
				e.id, e.members, conns = twoPlayers(t, m, tt.rules)
			}
			r := mustRoom(t, m, e.id)
			var before room.State
			refuse := func() {
				before = room.StateOf(r)
				j.refuseAll(notOwner)
			}
			if err := tt.act(e, refuse); err != nil &&
				(!errors.Is(err, room.ErrNotOwner) || !errors.Is(err, room.ErrUnavailable)) {
				t.Fatalf("refused change: %v, want ErrUnavailable and ErrNotOwner", err)
			}
			for i, c := range conns {
				if i == tt.gone {
					continue
				}
				if got, want := c.closedWith(), room.CloseMoved; got != want {
					t.Fatalf("seat %d closed with %d, want %d", i, got, want)
				}
			}
			if _, err := m.Room(e.id); !errors.Is(err, room.ErrUnknownRoom) {
				t.Fatalf("the room is still held here: %v", err)
			}
			if got := room.StateOf(r); !reflect.DeepEqual(got, before) {
				t.Fatalf("the released room changed:\n got %+v\nwant %+v", got, before)
			}
			if got := clock.Pending(); got != 0 {
				t.Fatalf("%d timers left for a released room", got)
			}
		})
	}
}

// TestJoinRefused: a seat the store refuses is not taken: the joiner gets
// an error and no welcome, the others hear of nothing, and the seat is
// there for the next try.
func TestJoinRefused(t *testing.T) {
	ctx := context.Background()
	m, j, _ := fakeManager(room.Config{})
	snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: tiny})
	if err != nil {
		t.Fatal(err)
	}
	ann := &conn{}
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, ann); err != nil {
		t.Fatal(err)
	}
	r := mustRoom(t, m, snap.ID)
	before, sent := room.StateOf(r), ann.n()
	j.refuseAll(errDisk)
	bob := &conn{}
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, bob); !errors.Is(err, room.ErrUnavailable) {
		t.Fatalf("join on a refusing store: %v, want ErrUnavailable", err)
	}
	if got := room.StateOf(r); !reflect.DeepEqual(got, before) {
		t.Fatalf("the room changed:\n got %+v\nwant %+v", got, before)
	}
	if bob.n() != 0 || ann.n() != sent {
		t.Fatalf("frames sent for a refused join: bob %d, ann %d more", bob.n(), ann.n()-sent)
	}
	j.refuseAll(nil)
	if _, err := m.Join(ctx, snap.ID, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, bob); err != nil {
		t.Fatal(err)
	}
	if pj := ann.ofType("player_joined"); len(pj) != 1 || pj[0]["seq"] != float64(before.Record.Seq+1) {
		t.Fatalf("player_joined %v, want seq %d", pj, before.Record.Seq+1)
	}
}

// botConn is a bot's connection for Config.Substitute.
type botConn struct{ conn }

func (*botConn) Seated(*room.Member) {}

// TestNotOwnerDuringSubstitute: when the bot that is to take over an
// absent player's seat cannot be stored because another node owns the
// room, the room lets go at once: it does not go on to write the
// player's forfeit to a store that just said the room is not its own.
func TestNotOwnerDuringSubstitute(t *testing.T) {
	ctx := context.Background()
	m, j, clock := fakeManager(room.Config{Substitute: func(level string) (room.Player, room.BotConn, error) {
		return room.Player{ID: "bot1", Name: "Bot", BotLevel: level}, &botConn{}, nil
	}})
	snap, err := m.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: tiny, BotSubstitute: "easy"})
	if err != nil {
		t.Fatal(err)
	}
	var members []*room.Member
	for _, p := range []room.Player{{ID: "ann", Name: "Ann"}, {ID: "bob", Name: "Bob"}} {
		mem, err := m.Join(ctx, snap.ID, p, room.RolePlayer, &conn{})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, mem)
	}
	s, _ := m.Snapshot(snap.ID)
	members[1-*s.Turn].Disconnect() // not the seat to move: no absent skip
	asked := 0
	j.mu.Lock()
	j.refuse = func(*room.Write) error {
		asked++
		return errors.Join(errors.New("store: fenced"), room.ErrNotOwner)
	}
	j.mu.Unlock()
	clock.Advance(room.DefaultGrace)
	if _, err := m.Room(snap.ID); !errors.Is(err, room.ErrUnknownRoom) {
		t.Fatalf("the room is still held here: %v", err)
	}
	if got, want := asked, 1; got != want {
		t.Fatalf("the store was asked %d times, want %d", got, want)
	}
	if got := clock.Pending(); got != 0 {
		t.Fatalf("%d timers left for a released room", got)
	}
}
