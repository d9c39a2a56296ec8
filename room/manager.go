package room

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/goldmine-game/goldmine/game"
)

// Config holds the rooms' settings. Zero values take the defaults below.
type Config struct {
	Store Store
	Clock Clock
	Log   *slog.Logger
	// Grace is how long a disconnected player keeps their seat.
	Grace time.Duration
	// AbsentSkip is how long the turn of a disconnected player lasts at most.
	AbsentSkip time.Duration
	// IdleTimeout closes a room that nobody has been connected to for this long.
	IdleTimeout time.Duration
	// MaxSpectators caps the spectators of one room.
	MaxSpectators int
	// MaxRooms caps the live rooms; 0 means no cap.
	MaxRooms int
	// MaxRoomsPerPlayer caps the live rooms one player created; 0 means no cap.
	MaxRoomsPerPlayer int
	// ChatRate is how many chat lines per second one room takes, sustained,
	// and ChatBurst how many at once; past them a line is refused with
	// ErrChatLimited. Zero takes the defaults; a negative ChatRate means
	// no limit.
	ChatRate  float64
	ChatBurst int
	// OnDig, if set, is called after each dig is stored and announced, with
	// the time from the dig reaching its room to its event being queued
	// for every member.
	OnDig func(time.Duration)
	// OnGameOver, if set, is called after each finished game is stored.
	OnGameOver func(GameRecord)
	// Substitute, if set, returns a new bot of the given level to take
	// over a seat (Record.BotSubstitute). It is called with the room's
	// lock held: it may store the bot's identity, but not call back into
	// the room.
	Substitute func(level string) (Player, BotConn, error)
	// OnNotice, if set, is told of rooms created and closed and of players
	// joining and leaving, once each change is stored. It is called with
	// the room's lock held, so it must not block nor call into the room:
	// hand the notice to a queue.
	OnNotice func(Notice)
	// Presets names rules: a room whose rules equal a preset's is listed
	// under its name. Nil means the built-in presets.
	Presets *game.Catalog
}

// Defaults.
const (
	DefaultGrace         = 120 * time.Second
	DefaultAbsentSkip    = 15 * time.Second
	DefaultIdleTimeout   = 10 * time.Minute
	DefaultMaxSpectators = 100
	// DefaultMaxRooms and DefaultMaxRoomsPerPlayer are the room caps of
	// the goldmine binary and of package app (whose zero values take
	// them). Config itself takes 0 as no cap: it is the low-level setting.
	DefaultMaxRooms          = 10000
	DefaultMaxRoomsPerPlayer = 5
	// DefaultChatRate and DefaultChatBurst are a room's chat limit: a
	// lively room of friends chats less, and a hundred spectators cannot
	// flood it.
	DefaultChatRate  = 10.0
	DefaultChatBurst = 20
)

// Manager holds the live rooms.
type Manager struct {
	cfg   Config
	mu    sync.RWMutex
	rooms map[string]*Room
	// byAge holds the rooms of the map newest first, as List returns
	// them, kept in order as rooms come and go (guarded by mu): the lobby
	// polls the list, and copying and sorting every room for each poll
	// was the hottest read of a busy node.
	byAge []*Room
	// creating counts the creations between reserve and unreserve, in all
	// and by creator; guarded by mu.
	creating   int
	creatingBy map[string]int
	closing    atomic.Bool
	digs       digCounter
}

// NewManager returns a Manager with no rooms; see Recover.
func NewManager(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock()
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Grace = cmp.Or(cfg.Grace, DefaultGrace)
	cfg.AbsentSkip = cmp.Or(cfg.AbsentSkip, DefaultAbsentSkip)
	cfg.IdleTimeout = cmp.Or(cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.MaxSpectators = cmp.Or(cfg.MaxSpectators, DefaultMaxSpectators)
	cfg.ChatRate = cmp.Or(cfg.ChatRate, DefaultChatRate)
	cfg.ChatBurst = cmp.Or(cfg.ChatBurst, DefaultChatBurst)
	if cfg.OnDig == nil {
		cfg.OnDig = func(time.Duration) {}
	}
	if cfg.OnGameOver == nil {
		cfg.OnGameOver = func(GameRecord) {}
	}
	if cfg.OnNotice == nil {
		cfg.OnNotice = func(Notice) {}
	}
	if cfg.Presets == nil {
		cfg.Presets, _ = game.NewCatalog()
	}
	return &Manager{cfg: cfg, rooms: map[string]*Room{}, creatingBy: map[string]int{}}
}

// Options are what a creator chooses for a new room.
type Options struct {
	Name    string
	Rules   game.Rules
	Private bool
	// BotSubstitute is Record.BotSubstitute. The room does not judge the
	// level: Config.Substitute does, when it is needed.
	BotSubstitute string
	// Rated is Record.Rated.
	Rated bool
	// Reserved, if set, are the only players who may take a seat for
	// ReserveFor after the room is made: quick match seats its matched
	// players this way. The reservation lives in memory only; after a
	// restart the seats are open.
	Reserved   []string
	ReserveFor time.Duration
}

// Create makes a new, waiting room. It is stored before it is returned.
func (m *Manager) Create(ctx context.Context, creator Player, opts Options) (Snapshot, error) {
	if m.closing.Load() {
		return Snapshot{}, fmt.Errorf("room: create: %w", ErrShuttingDown)
	}
	if err := opts.Rules.Validate(); err != nil {
		return Snapshot{}, fmt.Errorf("room: create: %w", err)
	}
	if opts.Name == "" {
		opts.Name = creator.Name + "'s room"
		if n := []rune(opts.Name); len(n) > MaxRoomName {
			opts.Name = string(n[:MaxRoomName])
		}
	}
	name, err := CleanText("room name", opts.Name, MaxRoomName)
	if err != nil {
		return Snapshot{}, err
	}
	// The slot is reserved before the save and held until the room is in
	// the map or the save failed: a check under a read lock followed by
	// a save outside it let every racing create pass the limit.
	// A room with reserved seats is quick match's, made by the server for
	// its players: it counts against the rooms in all, not the player's.
	limitFor := creator.ID
	if len(opts.Reserved) > 0 {
		limitFor = ""
	}
	if err := m.reserve(limitFor); err != nil {
		return Snapshot{}, err
	}
	reserved := true
	defer func() {
		if reserved {
			m.mu.Lock()
			m.unreserve(limitFor)
			m.mu.Unlock()
		}
	}()
	for attempt := 0; ; attempt++ {
		r := m.newRoom(newRoomID(opts.Private), name, opts.Private, creator.ID, m.cfg.Clock.Now(), m.cfg.Presets.Named(opts.Rules))
		r.botSubstitute = opts.BotSubstitute
		r.rated, r.reserved, r.reservedUntil = opts.Rated, opts.Reserved, r.createdAt.Add(opts.ReserveFor)
		r.mu.Lock()
		err := r.save(&Write{Create: true})
		snap := r.snapshot()
		r.mu.Unlock()
		if err != nil {
			// An id clash with a room the store keeps: rare with a billion
			// ids, so a few tries are plenty.
			if attempt < 3 && !errors.Is(ctx.Err(), context.Canceled) {
				continue
			}
			return Snapshot{}, err
		}
		m.mu.Lock()
		if _, taken := m.rooms[r.id]; taken {
			m.mu.Unlock()
			continue
		}
		// The room takes its slot's place in the same critical section,
		// so that it is never counted twice nor not at all.
		m.add(r)
		m.unreserve(limitFor)
		reserved = false
		m.mu.Unlock()
		r.mu.Lock()
		m.cfg.OnNotice(Notice{Kind: RoomCreated, Room: r.id, PlayerID: creator.ID, Name: creator.Name})
		r.rearm()
		r.mu.Unlock()
		return snap, nil
	}
}

// reserve takes a slot for a room creator is about to create, or says
// which limit refuses it. Slots being created count as live rooms.
func (m *Manager) reserve(creator string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cfg.MaxRooms > 0 && len(m.rooms)+m.creating >= m.cfg.MaxRooms {
		return fmt.Errorf("room: %d live rooms: %w", len(m.rooms)+m.creating, ErrLimit)
	}
	if m.cfg.MaxRoomsPerPlayer > 0 && creator != "" {
		n := m.creatingBy[creator]
		for _, r := range m.rooms {
			// Quick match's rooms are not the player's doing (reserved
			// is set at creation and never changes: no lock needed).
			if r.createdBy == creator && len(r.reserved) == 0 {
				n++
			}
		}
		if n >= m.cfg.MaxRoomsPerPlayer {
			return fmt.Errorf("room: player has %d live rooms: %w", n, ErrLimit)
		}
	}
	m.creating++
	m.creatingBy[creator]++
	return nil
}

// unreserve gives back a slot of reserve, with mu held: the room is in
// the map by now, where it counts, or its creation failed.
func (m *Manager) unreserve(creator string) {
	m.creating--
	if m.creatingBy[creator]--; m.creatingBy[creator] <= 0 {
		delete(m.creatingBy, creator)
	}
}

func (m *Manager) newRoom(id, name string, private bool, by string, at time.Time, rules game.Rules) *Room {
	r := &Room{m: m, id: id, name: name, private: private, createdBy: by, createdAt: at, rules: rules,
		state: state{status: Waiting}, spectators: map[*Member]struct{}{}, watchers: map[Conn]struct{}{}}
	if m.cfg.ChatRate > 0 {
		// On the room's clock, so that tests can drive it.
		r.chatLimit = rate.NewLimiter(rate.Limit(m.cfg.ChatRate), m.cfg.ChatBurst)
	}
	r.publish()
	return r
}

// Room returns the live room with the given id, as typed by a person.
func (m *Manager) Room(id string) (*Room, error) {
	norm, ok := NormalizeID(id)
	if !ok {
		return nil, fmt.Errorf("room: %q: %w", id, ErrUnknownRoom)
	}
	m.mu.RLock()
	r := m.rooms[norm]
	m.mu.RUnlock()
	if r == nil {
		return nil, fmt.Errorf("room: %s: %w", norm, ErrUnknownRoom)
	}
	return r, nil
}

// Snapshot returns the public view of a live room.
func (m *Manager) Snapshot(id string) (Snapshot, error) {
	r, err := m.Room(id)
	if err != nil {
		return Snapshot{}, err
	}
	return r.Snapshot(), nil
}

// Join puts a connection in a room, as a player (taking or resuming a
// seat) or as a spectator. The member receives its welcome before Join
// returns.
func (m *Manager) Join(ctx context.Context, id string, p Player, role Role, c Conn) (*Member, error) {
	if m.closing.Load() {
		return nil, fmt.Errorf("room: join: %w", ErrShuttingDown)
	}
	r, err := m.Room(id)
	if err != nil {
		return nil, err
	}
	return r.join(p, role, c)
}

// Filter selects rooms for List.
type Filter struct {
	// Status, when set, keeps rooms of that status only.
	Status Status
	// Private includes private rooms (for the admin console).
	Private bool
	// Limit caps the result; 0 means no cap.
	Limit int
}

// List returns the live rooms, newest first. It takes no room lock, and
// costs the rooms it returns and those it skips, never a sort.
func (m *Manager) List(f Filter) []Summary {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := len(m.byAge)
	if f.Limit > 0 {
		n = min(n, f.Limit)
	}
	out := make([]Summary, 0, n)
	for _, r := range m.byAge {
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
		s := r.Summary()
		if (f.Status == "" || s.Status == f.Status) && (f.Private || !s.Private) {
			out = append(out, s)
		}
	}
	return out
}

// newer orders rooms as List returns them: newest first, then by id.
func newer(a, b *Room) int {
	return cmp.Or(b.createdAt.Compare(a.createdAt), cmp.Compare(a.id, b.id))
}

// add puts a room in the map and in byAge, with mu held. A new room goes
// first, in constant time but for the copy; a recovered one where its
// age puts it.
func (m *Manager) add(r *Room) {
	m.rooms[r.id] = r
	i, _ := slices.BinarySearchFunc(m.byAge, r, newer)
	m.byAge = slices.Insert(m.byAge, i, r)
}

// Stats are counts across the live rooms.
type Stats struct {
	Rooms   map[Status]int
	Members int
}

// Stats counts the live rooms by status and their connected members.
func (m *Manager) Stats() Stats {
	st := Stats{Rooms: map[Status]int{Waiting: 0, Playing: 0, Finished: 0}}
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, r := range m.rooms {
		s := r.Summary()
		st.Rooms[s.Status]++
		st.Members += s.Connected
	}
	return st
}

func (m *Manager) remove(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.rooms[id]
	if r == nil {
		return
	}
	delete(m.rooms, id)
	if i, found := slices.BinarySearchFunc(m.byAge, r, newer); found {
		m.byAge = slices.Delete(m.byAge, i, i+1)
	}
}

func (m *Manager) all() []*Room {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]*Room, 0, len(m.rooms))
	for _, r := range m.rooms {
		out = append(out, r)
	}
	return out
}

// CloseRoom closes a room for an admin: a game in progress ends with
// reason closed and every member is disconnected.
func (m *Manager) CloseRoom(id string) error {
	r, err := m.Room(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("room %s: %w", r.id, ErrUnknownRoom)
	}
	return r.close("closed")
}

// Kick removes a player from a room for an admin: from their seat and from
// every spectator place they hold. While waiting or after a game the seat
// is freed as if they left. During a game a kick must not hand the others
// a win: with bot set, a bot of that level takes the seat as it stands
// and plays on; with bot "", the game ends with reason closed, which
// counts for nobody.
func (m *Manager) Kick(id, playerID, bot string) error {
	r, err := m.Room(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("room %s: %w", r.id, ErrUnknownRoom)
	}
	i := r.seatOf(playerID)
	if i >= 0 && r.seats[i].Left {
		i = -1 // already gone from that seat
	}
	found := i >= 0
	for sm := range r.spectators {
		if sm.player.ID == playerID {
			found = true
			r.dropSpectator(sm, CloseKicked, "kicked")
		}
	}
	if i < 0 {
		if !found {
			return fmt.Errorf("room %s: player %s: %w", r.id, playerID, ErrGone)
		}
		return nil
	}
	mem := r.seats[i].member
	switch {
	case r.status == Playing && bot != "":
		if m.cfg.Substitute == nil {
			return fmt.Errorf("room %s: kick with a bot: %w", r.id, ErrNoBots)
		}
		if err := r.substituteWith(i, bot); err != nil {
			return err
		}
	case r.status == Playing:
		err = r.apply(func(w *Write) error {
			o, err := r.g.Close()
			if err != nil {
				return err
			}
			r.finish(w, o)
			return r.dropSeat(w, i, "kicked")
		})
	default:
		err = r.apply(func(w *Write) error { return r.dropSeat(w, i, "kicked") })
	}
	if err != nil {
		return err
	}
	if mem != nil {
		mem.gone = true
		mem.conn.Close(CloseKicked, "kicked")
	}
	r.afterDrop()
	return nil
}

// SkipTurn skips the current turn for an admin.
func (m *Manager) SkipTurn(id string) error {
	r, err := m.Room(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.closed:
		return fmt.Errorf("room %s: %w", r.id, ErrUnknownRoom)
	case r.status == Finished:
		return fmt.Errorf("room %s: skip: %w", r.id, game.ErrGameOver)
	case r.status != Playing:
		return fmt.Errorf("room %s: skip: %w", r.id, game.ErrNotStarted)
	}
	if err := r.skip("admin"); err != nil {
		return err
	}
	r.rearm()
	return nil
}

// Disconnect closes every connection of a player in every room, with the
// given close code (a ban, say). Their seats then follow the reconnect
// grace like any other drop.
func (m *Manager) Disconnect(playerID string, code int, reason string) int {
	n := 0
	for _, r := range m.all() {
		r.mu.Lock()
		for _, s := range r.seats {
			if s.member != nil && s.PlayerID == playerID {
				s.member.conn.Close(code, reason)
				n++
			}
		}
		for sm := range r.spectators {
			if sm.player.ID == playerID {
				sm.conn.Close(code, reason)
				n++
			}
		}
		r.mu.Unlock()
	}
	return n
}

// Release drops a room from this node, without changing it in the store,
// when another node of the cluster owns it now: its timers stop and its
// members are disconnected with CloseMoved. It reports whether the room
// was here.
func (m *Manager) Release(id string) bool {
	m.mu.RLock()
	r := m.rooms[id]
	m.mu.RUnlock()
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.release()
	return true
}

// Count is how many members a live room has connected.
type Count struct {
	Connected  int   `json:"c"`
	Spectators int   `json:"s"`
	Seq        int64 `json:"q"` // the seq of its last event
}

// Counts returns the connected members of every live room, by room id.
func (m *Manager) Counts() map[string]Count {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]Count, len(m.rooms))
	for id, r := range m.rooms {
		s := r.Summary()
		out[id] = Count{Connected: s.Connected, Spectators: s.Spectators, Seq: s.Seq}
	}
	return out
}

// BotSeat is the seat of a bot in a live room.
type BotSeat struct {
	RoomID string
	Player Player
}

// BotSeats lists the seats of bots that have no connection, still in
// their game or waiting for one: after a restart, every bot's.
func (m *Manager) BotSeats() []BotSeat {
	var out []BotSeat
	for _, r := range m.all() {
		r.mu.Lock()
		for _, s := range r.seats {
			if s.Bot && !s.Left && s.member == nil {
				out = append(out, BotSeat{RoomID: r.id, Player: Player{ID: s.PlayerID, Name: s.Name, Bot: true, BotLevel: s.BotLevel}})
			}
		}
		r.mu.Unlock()
	}
	return out
}

// Close stops every timer, so that nothing changes while the server shuts
// down. The rooms stay as the store has them, to be recovered at start.
func (m *Manager) Close() {
	m.closing.Store(true)
	for _, r := range m.all() {
		r.mu.Lock()
		r.shut()
		r.mu.Unlock()
	}
}

// digCounter counts digs per second over the last minute, for the admin
// dashboard.
type digCounter struct {
	mu      sync.Mutex
	seconds [60]struct {
		at int64
		n  int
	}
}

func (d *digCounter) add(now time.Time) {
	s := now.Unix()
	d.mu.Lock()
	b := &d.seconds[s%60]
	if b.at != s {
		b.at, b.n = s, 0
	}
	b.n++
	d.mu.Unlock()
}

func (d *digCounter) lastMinute(now time.Time) int {
	s := now.Unix()
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, b := range d.seconds {
		if s-b.at < 60 {
			n += b.n
		}
	}
	return n
}

// DigsLastMinute returns the digs of the last 60 seconds, in every room.
func (m *Manager) DigsLastMinute() int { return m.digs.lastMinute(time.Now()) }
