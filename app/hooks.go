package app

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
)

// Game is a finished game's full record: rules, layout and salt, players
// with their scores and ranks, every move, and how it ended.
type Game = domain.Game

// Notice is a change in a room's life: a room created or closed, a player
// joining or leaving a seat.
type Notice = room.Notice

// The kinds of Notice.
const (
	RoomCreated  = room.RoomCreated
	RoomClosed   = room.RoomClosed
	PlayerJoined = room.PlayerJoined
	PlayerLeft   = room.PlayerLeft
)

// Defaults of the hook queue.
const (
	DefaultHookQueue   = 1024
	DefaultHookTimeout = 30 * time.Second
)

// OnGameOver registers fn to be called with the full record of every game
// that ends, once it is stored. See the hook guarantees on OnRoom.
func (s *Server) OnGameOver(fn func(ctx context.Context, g Game) error) {
	s.hooks.add(func(h *hooks) { h.games = append(h.games, fn) })
}

// OnPlayer registers fn to be called when a player takes a seat in a room
// (PlayerJoined) or leaves it (PlayerLeft: left, timeout, kicked, or
// replaced by a bot). Spectators are not reported. See OnRoom.
func (s *Server) OnPlayer(fn func(ctx context.Context, n Notice) error) {
	s.hooks.add(func(h *hooks) { h.players = append(h.players, fn) })
}

// OnRoom registers fn to be called when a room is created (RoomCreated,
// with its creator) or closed (RoomClosed, with the reason).
//
// Every hook runs on one goroutine of its own, off the rooms' paths: a room
// hands the event to a bounded queue and goes on, so a slow hook delays
// only the hooks after it, never a move. Events come in the order they
// happened, and each is delivered at most once: when the queue is full
// (Config.HookQueue) new events are dropped, logged and counted in
// goldmine_hook_dropped_total. A hook's error or panic is logged and
// counted in goldmine_hook_errors_total, and the next hook runs. At Close,
// the events already queued still run until Close's context is done.
// Register hooks before Start, when no room runs yet: events that happen
// before a hook is registered are not replayed to it.
func (s *Server) OnRoom(fn func(ctx context.Context, n Notice) error) {
	s.hooks.add(func(h *hooks) { h.rooms = append(h.rooms, fn) })
}

// hookEvent is one queued event: a notice, or a finished game's id.
type hookEvent struct {
	notice Notice
	gameID int64
}

// hooks is the queue of events and the one goroutine that runs the hooks.
type hooks struct {
	store   gameStore
	log     *slog.Logger
	metrics *server.Metrics
	timeout time.Duration
	queue   chan hookEvent
	done    chan struct{}
	dropped prometheus.Counter

	mu      sync.RWMutex
	games   []func(context.Context, Game) error
	players []func(context.Context, Notice) error
	rooms   []func(context.Context, Notice) error
	closing bool // under mu
	started bool // under mu: run is running, or has run
	stop    context.CancelFunc
	ctx     context.Context
}

// gameStore is what the hooks need of the store: a finished game by id.
type gameStore interface {
	Game(ctx context.Context, id int64) (domain.Game, error)
}

func newHooks(st gameStore, log *slog.Logger, m *server.Metrics, size int, timeout time.Duration) *hooks {
	h := &hooks{store: st, log: log, metrics: m, timeout: cmp.Or(timeout, DefaultHookTimeout),
		queue: make(chan hookEvent, cmp.Or(size, DefaultHookQueue)), done: make(chan struct{})}
	h.ctx, h.stop = context.WithCancel(context.Background())
	h.dropped = prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_hook_dropped_total",
		Help: "Hook events dropped because the hook queue was full."})
	m.Registry().MustRegister(h.dropped, prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_hook_queue",
		Help: "Hook events waiting."}, func() float64 { return float64(len(h.queue)) }))
	return h
}

// start runs the hooks' goroutine, which delivers the queued events until
// close. Events queue up until then (up to the queue's size).
func (h *hooks) start() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || h.closing {
		return
	}
	h.started = true
	go h.run()
}

func (h *hooks) add(f func(*hooks)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f(h)
}

// gameOver and notice are called by the rooms, with a room's lock held:
// they never block.
func (h *hooks) gameOver(g room.GameRecord) { h.enqueue(hookEvent{gameID: g.ID}) }
func (h *hooks) notice(n Notice)            { h.enqueue(hookEvent{notice: n}) }

func (h *hooks) enqueue(e hookEvent) {
	// The read lock keeps close from closing the queue under the send.
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closing || len(h.games)+len(h.players)+len(h.rooms) == 0 {
		return
	}
	select {
	case h.queue <- e:
	default:
		h.dropped.Inc()
		h.log.Warn("app: hook queue full: event dropped", "room", e.notice.Room, "kind", e.notice.Kind, "game", e.gameID)
	}
}

// run delivers the events in order until the queue is closed and empty,
// or close gives up waiting.
func (h *hooks) run() {
	defer close(h.done)
	for e := range h.queue {
		if h.ctx.Err() != nil {
			return
		}
		h.deliver(e)
	}
}

func (h *hooks) deliver(e hookEvent) {
	h.mu.RLock()
	games, players, rooms := h.games, h.players, h.rooms
	h.mu.RUnlock()
	if e.gameID != 0 {
		if len(games) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.timeout)
		g, err := h.store.Game(ctx, e.gameID)
		cancel()
		if err != nil {
			h.failed("game_over", fmt.Errorf("app: load game %d for the hooks: %w", e.gameID, err))
			return
		}
		for _, fn := range games {
			h.call("game_over", func(ctx context.Context) error { return fn(ctx, g) })
		}
		return
	}
	fns := rooms
	if e.notice.Kind == PlayerJoined || e.notice.Kind == PlayerLeft {
		fns = players
	}
	for _, fn := range fns {
		h.call(string(e.notice.Kind), func(ctx context.Context) error { return fn(ctx, e.notice) })
	}
}

// call runs one hook, turning a panic into an error.
func (h *hooks) call(kind string, fn func(context.Context) error) {
	ctx, cancel := context.WithTimeout(h.ctx, h.timeout)
	defer cancel()
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("app: hook panicked: %v\n%s", p, debug.Stack())
			}
		}()
		return fn(ctx)
	}()
	if err != nil {
		h.failed(kind, err)
	}
}

func (h *hooks) failed(kind string, err error) {
	h.metrics.HookFailed()
	h.log.Error("app: hook failed", "event", kind, "err", err)
}

// close stops taking events and waits, until ctx is done, for the queued
// ones to be delivered. A hook still running then has its context
// cancelled and is left to return on its own.
func (h *hooks) close(ctx context.Context) error {
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		return nil
	}
	h.closing = true
	close(h.queue)
	started := h.started
	h.mu.Unlock()
	if !started {
		// Nothing ever ran the queue: what it holds is not delivered.
		h.stop()
		if n := len(h.queue); n > 0 {
			return fmt.Errorf("app: hooks: %d events not delivered: closed before Start", n)
		}
		return nil
	}
	select {
	case <-h.done:
		h.stop()
		return nil
	case <-ctx.Done():
		h.stop()
		return fmt.Errorf("app: hooks: %d events not delivered at close: %w", len(h.queue), ctx.Err())
	}
}
