package room

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/goldmine-game/goldmine/game"
)

// Status is a room's state. Its values are part of protocol v1.
type Status string

// Room statuses. A closed room is no longer served; only the store keeps it.
const (
	Waiting  Status = "waiting"
	Playing  Status = "playing"
	Finished Status = "finished"
	Closed   Status = "closed"
)

// Role is how a connection takes part in a room.
type Role string

// Roles.
const (
	RolePlayer    Role = "player"
	RoleSpectator Role = "spectator"
)

// Player is an authenticated identity.
type Player struct {
	ID   string
	Name string
	Bot  bool
	// BotLevel is a bot's level, kept with its seat (see SeatRecord).
	BotLevel string
}

// Conn is one connection of a member: a WebSocket session, a bot, an admin's
// live view. The room calls it with its lock held, so neither method may
// block or call back into the room.
type Conn interface {
	// Send queues one encoded frame. A connection that cannot keep up must
	// close itself, so that its client reconnects and resyncs; it must
	// never drop a frame and carry on.
	Send(frame []byte)
	// Close ends the connection with a WebSocket close code and reason.
	Close(code int, reason string)
}

// BotConn is the connection of a bot that a room seats by itself, in place
// of a player who did not come back (see Config.Substitute). Seated tells
// it its member, before the room sends it anything; like Send, it may not
// block or call back into the room.
type BotConn interface {
	Conn
	Seated(m *Member)
}

// Close codes the rooms send, beyond the standard ones. A client should not
// reconnect automatically after 4000-4003.
const (
	CloseLeft       = 1000 // the member left
	CloseRoomClosed = 4000 // the room was closed
	CloseReplaced   = 4001 // another connection resumed this seat
	CloseKicked     = 4002 // an admin removed the member
	CloseBanned     = 4003 // the player was banned
	// CloseMoved is the standard "going away": the room moved to another
	// node of the cluster (or this one is stopping), and a client should
	// reconnect, asking the room API where the room now is.
	CloseMoved = 1001
)

// Member is one connection's place in a room: a seat or a spectator place.
// Its methods are the actions protocol v1 lets a client take.
type Member struct {
	room   *Room
	player Player
	role   Role
	conn   Conn
	gone   bool // guarded by room.mu
}

// Player returns the member's identity.
func (m *Member) Player() Player { return m.player }

// Role returns how the member takes part.
func (m *Member) Role() Role { return m.role }

// Room returns the member's room.
func (m *Member) Room() *Room { return m.room }

type seat struct {
	SeatRecord
	member    *Member   // nil while disconnected
	awaySince time.Time // when member became nil
	grace     Timer
}

// Room is one live room. All its state is guarded by mu.
type Room struct {
	m         *Manager
	id        string
	name      string
	private   bool
	createdBy string
	createdAt time.Time
	rules     game.Rules
	// botSubstitute is Record.BotSubstitute.
	botSubstitute string
	// rated is Record.Rated; reserved and reservedUntil are Options'.
	rated         bool
	reserved      []string
	reservedUntil time.Time

	// chatMu lets one chat line at a time wait for mu, and chatLimit is
	// the room's chat rate, nil for none (Member.Chat). The limiter locks
	// itself.
	chatMu    sync.Mutex
	chatLimit *rate.Limiter
	// digsWaiting counts the digs waiting for mu: a chat line lets them
	// take it first.
	digsWaiting atomic.Int32

	mu sync.Mutex
	// state is all that a change may alter: a checkpoint copies it
	// whole. A field that is not part of it is listed, with why, in
	// TestCheckpointCoversRoom.
	state
	spectators map[*Member]struct{}
	watchers   map[Conn]struct{}
	turnTimer  Timer
	timerGen   uint64
	idle       Timer
	closed     bool
	out        []outFrame
	recent     [][]byte   // the last events, oldest first
	chat       []ChatLine // the last chat lines, oldest first (watching.go)

	summary atomic.Pointer[Summary]
	// pubSeq is seq as of the last publish, for the list: a move changes
	// nothing else a list shows, so it only stores this.
	pubSeq atomic.Int64
}

type outFrame struct {
	except *Member
	ev     any
}

// recentEvents is how many events a room keeps for the admin console.
const recentEvents = 50

// ID returns the room id.
func (r *Room) ID() string { return r.id }

// Summary returns the room as the room list shows it. It takes no lock.
func (r *Room) Summary() Summary {
	s := *r.summary.Load()
	s.Seq = r.pubSeq.Load()
	return s
}

// Snapshot returns the public view of the room.
func (r *Room) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshot()
}

func (r *Room) now() time.Time { return r.m.cfg.Clock.Now() }

// record is the durable state of the room as it is now.
func (r *Room) record() Record {
	seats := make([]SeatRecord, len(r.seats))
	for i, s := range r.seats {
		seats[i] = s.SeatRecord
	}
	return Record{
		ID: r.id, Name: r.name, Private: r.private, CreatedBy: r.createdBy, CreatedAt: r.createdAt,
		Rules: r.rules, Status: r.status, Seq: r.seq, Seats: seats, GameNo: r.gameNo,
		Seed: r.seed, Salt: r.salt, First: r.first, StartedAt: r.startedAt, LastGameID: r.lastGameID,
		UpdatedAt: r.now(), BotSubstitute: r.botSubstitute, Rated: r.rated,
	}
}

// state is the room's durable state plus what is announced with it: what
// a change may alter, and so what a change the store refused must undo.
// Room embeds it and a checkpoint copies it whole, so that a field added
// here is restored without anyone having to remember it.
type state struct {
	status Status
	seq    int64
	// seats is copied as a slice of the same seats: a checkpoint keeps
	// their SeatRecord values besides, since a change may alter them in
	// place.
	seats      []*seat
	gameNo     int
	seed       uint64
	salt       string
	first      int
	startedAt  time.Time
	lastGameID int64
	// g is altered in place by a move: a restore replays it.
	g *game.Game
	// moves is only ever appended to or replaced, so the slice as it was
	// is the moves as they were.
	moves     []MoveRecord // of the current game, as stored
	result    *Result
	moveIDs   map[string]int64 // "seat:id" -> seq of its dug, this game
	turnStart time.Time
	deadline  time.Time
}

// checkpoint is the room's state at one moment, so that a change the store
// refused can be undone.
type checkpoint struct {
	state state
	// seats holds the SeatRecord of each of state.seats.
	seats []SeatRecord
	// played and over are state.g's move count and end, to know whether
	// the game must be replayed.
	played int
	over   bool
}

func (r *Room) checkpoint() checkpoint {
	c := checkpoint{state: r.state, seats: make([]SeatRecord, len(r.seats))}
	c.state.seats = slices.Clone(r.seats)
	for i, s := range r.seats {
		c.seats[i] = s.SeatRecord
	}
	if r.g != nil {
		c.played, c.over = r.g.MoveCount(), r.g.Over()
	}
	return c
}

func (r *Room) restore(c checkpoint) {
	r.state = c.state
	for i, s := range r.seats {
		s.SeatRecord = c.seats[i]
	}
	if g := r.g; g != nil && (g.MoveCount() != c.played || g.Over() != c.over) {
		// The engine is deterministic, so replaying the moves up to the
		// checkpoint rebuilds the game exactly as it was.
		back, err := game.Replay(g.Rules(), g.Seed(), g.Players(), g.First(), g.Moves()[:c.played])
		if err != nil {
			panic(fmt.Sprintf("room %s: replay to undo a refused change: %v", r.id, err))
		}
		r.g = back
	}
	r.out = r.out[:0]
}

// apply runs one change under the room lock: change mutates the room, emits
// its events and fills in what to persist. The change is then saved; only
// once the store has committed it are its events sent. If change fails or
// the store refuses, the room is restored to how it was and nothing is sent.
func (r *Room) apply(change func(w *Write) error) error {
	cp := r.checkpoint()
	var w Write
	if err := change(&w); err != nil {
		r.restore(cp)
		return err
	}
	if err := r.save(&w); err != nil {
		r.restore(cp)
		return err
	}
	if w.Game != nil {
		r.lastGameID = w.Game.ID
		r.result.GameID = w.Game.ID
	}
	r.flush()
	if w.Game != nil {
		r.m.cfg.OnGameOver(*w.Game)
	}
	return nil
}

func (r *Room) save(w *Write) error {
	w.Room = r.record()
	// Not the request's context: once handed to the store a change must be
	// waited for, or the room could not know whether it was committed.
	if err := r.m.cfg.Store.Save(context.Background(), w); err != nil {
		if errors.Is(err, ErrNotOwner) {
			// Another node adopted the room (this one's lease ran out):
			// its state here is stale, and it is no longer this node's.
			r.m.cfg.Log.Warn("room: adopted by another node; releasing it", "room", r.id)
			r.release()
			return fmt.Errorf("room %s: save: %w: %w", r.id, ErrUnavailable, err)
		}
		r.m.cfg.Log.Error("room: save failed", "room", r.id, "seq", r.seq, "err", err)
		return fmt.Errorf("room %s: save: %w: %w", r.id, ErrUnavailable, err)
	}
	return nil
}

// emit queues an event for every member but except, to be sent by flush.
func (r *Room) emit(except *Member, ev any) {
	r.out = append(r.out, outFrame{except: except, ev: ev})
}

// flush encodes each queued event once and sends it to the room's members:
// O(members of this room), whatever else the server holds.
func (r *Room) flush() {
	for _, o := range r.out {
		r.notices(o.ev)
		if c, ok := o.ev.(*chat); ok {
			r.rememberChat(c)
		}
		frame := encode(o.ev)
		for _, s := range r.seats {
			if s.member != nil && s.member != o.except {
				s.member.conn.Send(frame)
			}
		}
		for m := range r.spectators {
			if m != o.except {
				m.conn.Send(frame)
			}
		}
		for c := range r.watchers {
			c.Send(frame)
		}
		if len(r.recent) == recentEvents {
			r.recent = append(r.recent[:0], r.recent[1:]...)
		}
		r.recent = append(r.recent, frame)
	}
	clear(r.out)
	r.out = r.out[:0]
	r.publish()
}

// publish refreshes the lock-free summary the room list reads.
func (r *Room) publish() {
	r.pubSeq.Store(r.seq)
	connected := len(r.spectators)
	for _, s := range r.seats {
		if s.member != nil {
			connected++
		}
	}
	s := Summary{
		ID: r.id, Name: r.name, Status: r.status, Rules: r.rules, Players: r.seated(),
		MaxPlayers: r.rules.MaxPlayers, Spectators: len(r.spectators), CreatedAt: r.createdAt,
		Private: r.private, CreatedBy: r.createdBy, Game: r.gameNo, Connected: connected,
	}
	// Most changes are moves, which change nothing a list shows: the
	// summary is copied to the heap only when it changed (a pointer to s
	// itself would put every one there).
	if old := r.summary.Load(); old == nil || *old != s {
		changed := s
		r.summary.Store(&changed)
	}
}

// seated counts the seats of players who have not left.
func (r *Room) seated() int {
	n := 0
	for _, s := range r.seats {
		if !s.Left {
			n++
		}
	}
	return n
}

func (r *Room) seatOf(playerID string) int {
	for i, s := range r.seats {
		if s.PlayerID == playerID && !s.Left {
			return i
		}
	}
	return -1
}

// seatFor returns the seat of a member that may act, or why it may not.
func (r *Room) seatFor(m *Member) (int, error) {
	if m.gone || r.closed {
		return -1, fmt.Errorf("room %s: %w", r.id, ErrGone)
	}
	if m.role != RolePlayer {
		return -1, fmt.Errorf("room %s: spectator: %w", r.id, game.ErrNotAPlayer)
	}
	for i, s := range r.seats {
		if s.member == m {
			return i, nil
		}
	}
	return -1, fmt.Errorf("room %s: %w", r.id, ErrGone)
}

func (r *Room) players() []PlayerInfo {
	var scores []int
	if r.g != nil {
		scores = r.g.Scores()
	}
	out := make([]PlayerInfo, len(r.seats))
	for i, s := range r.seats {
		out[i] = PlayerInfo{Seat: i, PlayerID: s.PlayerID, Name: s.Name, Connected: s.member != nil,
			Bot: s.Bot, BotLevel: s.BotLevel, Left: s.Left, Rematch: s.Rematch}
		if i < len(scores) {
			out[i].Score = scores[i]
		}
	}
	return out
}

func (r *Room) snapshot() Snapshot {
	s := Snapshot{
		ID: r.id, Name: r.name, Status: r.status, Seq: r.seq, Rules: r.rules, Players: r.players(),
		Spectators: len(r.spectators), GoldLeft: r.rules.Gold, Private: r.private,
		CreatedAt: r.createdAt, CreatedBy: r.createdBy, Game: r.gameNo, GoldFound: []GoldFind{},
		BotSubstitute: r.botSubstitute, Rated: r.rated,
	}
	if r.g == nil {
		s.Board = game.HiddenView(r.rules.Rows, r.rules.Cols)
		return s
	}
	s.Board = r.g.PublicView()
	s.GoldLeft = r.g.GoldLeft()
	c := game.Commitment(r.salt, r.g.Board().Layout())
	s.Commitment = &c
	for i, f := range s.Board.Finders {
		if f >= 0 {
			s.GoldFound = append(s.GoldFound, GoldFind{Row: i / r.rules.Cols, Col: i % r.rules.Cols, Seat: int(f)})
		}
	}
	switch r.status {
	case Playing:
		s.Turn = seatPtr(r.g.Turn())
		s.Deadline = unixMilli(r.deadline)
	case Finished:
		res := *r.result
		s.Result = &res
	}
	return s
}

func (r *Room) you(m *Member) You {
	y := You{PlayerID: m.player.ID, Name: m.player.Name, Role: m.role}
	if m.role == RolePlayer {
		for i, s := range r.seats {
			if s.member == m {
				y.Seat = seatPtr(i)
			}
		}
	}
	return y
}

// newTurn starts the clock of the turn that begins now.
func (r *Room) newTurn() {
	r.turnStart = r.now()
	r.deadline = time.Time{}
	if r.rules.TurnSeconds > 0 {
		r.deadline = r.turnStart.Add(time.Duration(r.rules.TurnSeconds) * time.Second)
	}
}

func (r *Room) turnAndDeadline() (*int, *int64) {
	if r.g == nil || r.g.Over() {
		return nil, nil
	}
	return seatPtr(r.g.Turn()), unixMilli(r.deadline)
}
