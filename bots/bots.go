// Package bots seats computer players in rooms.
//
// A bot is an ordinary member of its room. It is a room.Conn that reads
// the frames of protocol v1, as any client does, and it acts through its
// room.Member, as the WebSocket glue does for a person. So the room cannot
// tell a bot from a person, beyond the bot flag its seat shows everyone.
// A bot decides with package solver, from the public board it has been
// sent, after a short pause like a person's.
package bots

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
)

// Players creates the identities bots play under.
type Players interface {
	// CreateBot stores a new player marked as a bot and returns its id.
	CreateBot(ctx context.Context, name string) (string, error)
}

// Config configures the bots.
type Config struct {
	Rooms   *room.Manager
	Players Players
	Clock   room.Clock
	Log     *slog.Logger
	// Delay is the mean pause before a bot digs or asks for a rematch:
	// each pause is drawn between half and one and a half times it.
	Delay time.Duration
	// Seed seeds the bots' random choices; 0 draws one.
	Seed uint64
	// Choose picks a bot's next cell; nil means solver.Choose. Tests set
	// a slow one. It runs off every lock.
	Choose func(level solver.Level, v game.View, gold int, rng *mrand.Rand) (row, col int, err error)
}

// DefaultDelay is a bot's mean pause before it acts.
const DefaultDelay = 900 * time.Millisecond

// ErrClosed is returned once the Manager is closed.
var ErrClosed = errors.New("bots: closed")

// Manager makes bots and keeps track of them.
type Manager struct {
	cfg Config

	mu     sync.Mutex
	rng    *mrand.Rand
	bots   map[*bot]struct{}
	closed bool
}

// New returns a Manager with no bots.
func New(cfg Config) *Manager {
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = room.SystemClock()
	}
	if cfg.Choose == nil {
		cfg.Choose = solver.Choose
	}
	seed := cfg.Seed
	if seed == 0 {
		var b [8]byte
		rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	return &Manager{cfg: cfg, rng: mrand.New(mrand.NewPCG(seed, 0x601d)), bots: map[*bot]struct{}{}}
}

// names are what bots are called, with their level after the name.
var names = []string{"Nugget", "Pyrite", "Digby", "Ingot", "Pickaxe", "Lode", "Carat", "Bullion", "Sluice", "Prospect"}

// Add seats a new bot of the given level in a waiting room.
func (m *Manager) Add(ctx context.Context, roomID string, level solver.Level) (room.Player, error) {
	// Look first, so that a full room does not leave a bot identity
	// behind; Join checks again.
	snap, err := m.cfg.Rooms.Snapshot(roomID)
	if err != nil {
		return room.Player{}, fmt.Errorf("bots: add: %w", err)
	}
	if snap.Status != room.Waiting || len(snap.Players) >= snap.Rules.MaxPlayers {
		return room.Player{}, fmt.Errorf("bots: add to room %s, %s with %d seats taken: %w", snap.ID, snap.Status,
			len(snap.Players), room.ErrRoomFull)
	}
	roomID = snap.ID
	p, b, err := m.make(ctx, level)
	if err != nil {
		return room.Player{}, err
	}
	member, err := m.cfg.Rooms.Join(ctx, roomID, p, room.RolePlayer, b)
	if err != nil {
		m.forget(b)
		return room.Player{}, fmt.Errorf("bots: add to room %s: %w", roomID, err)
	}
	b.Seated(member)
	m.cfg.Log.Info("bots: seated", "room", roomID, "bot", p.ID, "level", level)
	return p, nil
}

// Substitute makes a bot to take over a seat; it is room.Config.Substitute.
// The room seats it, under its lock, so it may not wait on the room.
func (m *Manager) Substitute(level string) (room.Player, room.BotConn, error) {
	l, err := solver.ParseLevel(level)
	if err != nil {
		return room.Player{}, nil, err
	}
	// The room waits on the store anyway while it holds its lock: one more
	// small write there is no worse.
	p, b, err := m.make(context.Background(), l)
	if err != nil {
		return room.Player{}, nil, err
	}
	return p, b, nil
}

// Restore puts the bots of rooms recovered after a restart back in their
// seats, as if they had reconnected.
func (m *Manager) Restore(ctx context.Context) error {
	var errs []error
	for _, s := range m.cfg.Rooms.BotSeats() {
		level, err := solver.ParseLevel(s.Player.BotLevel)
		if err != nil {
			level = solver.Normal // a seat stored before levels were kept
		}
		b, err := m.track(level, s.Player)
		if err != nil {
			return err
		}
		member, err := m.cfg.Rooms.Join(ctx, s.RoomID, s.Player, room.RolePlayer, b)
		if err != nil {
			m.forget(b)
			errs = append(errs, fmt.Errorf("bots: restore %s in room %s: %w", s.Player.ID, s.RoomID, err))
			continue
		}
		b.Seated(member)
	}
	return errors.Join(errs...)
}

// Close stops every bot: none acts after it returns.
func (m *Manager) Close() {
	m.mu.Lock()
	m.closed = true
	bots := make([]*bot, 0, len(m.bots))
	for b := range m.bots {
		bots = append(bots, b)
	}
	clear(m.bots)
	m.mu.Unlock()
	for _, b := range bots {
		b.stop()
	}
}

// Count returns the number of bots playing.
func (m *Manager) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.bots)
}

// make stores a new bot identity and returns it with its connection.
func (m *Manager) make(ctx context.Context, level solver.Level) (room.Player, *bot, error) {
	m.mu.Lock()
	name := fmt.Sprintf("%s (%s bot)", names[m.rng.IntN(len(names))], level)
	m.mu.Unlock()
	id, err := m.cfg.Players.CreateBot(ctx, name)
	if err != nil {
		return room.Player{}, nil, fmt.Errorf("bots: new identity: %w", err)
	}
	p := room.Player{ID: id, Name: name, Bot: true, BotLevel: string(level)}
	b, err := m.track(level, p)
	if err != nil {
		return room.Player{}, nil, err
	}
	return p, b, nil
}

func (m *Manager) track(level solver.Level, p room.Player) (*bot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	var prefix [8]byte
	rand.Read(prefix[:]) // crypto/rand: a seeded m.rng would repeat after a restart
	b := &bot{m: m, level: level, player: p, seat: -1, idPrefix: fmt.Sprintf("bot-%x-", prefix),
		rng:   mrand.New(mrand.NewPCG(m.rng.Uint64(), m.rng.Uint64())),
		think: mrand.New(mrand.NewPCG(m.rng.Uint64(), m.rng.Uint64()))}
	m.bots[b] = struct{}{}
	return b, nil
}

func (m *Manager) forget(b *bot) {
	m.mu.Lock()
	delete(m.bots, b)
	m.mu.Unlock()
	b.stop()
}

// pause is how long a bot waits before it acts.
func (b *bot) pause() time.Duration {
	d := b.m.cfg.Delay
	return d/2 + time.Duration(b.rng.Int64N(int64(d)+1))
}
