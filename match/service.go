package match

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults.
const (
	DefaultBotAfter = 20 * time.Second
	// DefaultReserve is how long a matched room keeps its seats for the
	// matched players, and how long a match answers their other tabs.
	DefaultReserve = 30 * time.Second
	// DefaultRound is how often the queue is paired when nobody enters:
	// the windows widen and bots come in on this beat.
	DefaultRound = 250 * time.Millisecond
	// DefaultPoll is how often a waiting request looks at its ticket, for
	// a match made by another node; one made here wakes it at once.
	DefaultPoll = 200 * time.Millisecond
	// DefaultIdle drops a ticket that no request has waited on for this
	// long: the player closed the tab. Clients call again at once after
	// each 202, so 10 s is many missed calls.
	DefaultIdle = 10 * time.Second
)

// startParallel caps the rooms one round makes at once.
const startParallel = 64

// Config configures a Service.
type Config struct {
	// Queue holds the tickets; nil means a MemQueue.
	Queue Queue
	// Rules are Pair's; a zero BotAfter means DefaultBotAfter.
	Rules Rules
	// Start makes the room of a match (and seats its bot) and says where
	// it is. It is called from the pairing round, one match at a time.
	Start func(ctx context.Context, m Match) (Placed, error)
	// Open reports whether a placed match still answers its players: its
	// room is still waiting for them. Nil means until Reserve passes.
	Open func(p Placed) bool
	// Now is the clock; nil means time.Now.
	Now                        func() time.Time
	Reserve, Round, Poll, Idle time.Duration
	Log                        *slog.Logger
}

// Service is quick match on one node: the requests that wait, and the
// rounds that pair the queue.
type Service struct {
	cfg     Config
	kick    chan struct{}
	mu      sync.Mutex
	changed chan struct{} // closed after each round that placed a match
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
	running atomic.Bool
}

// New returns a Service; Run pairs its queue.
func New(cfg Config) *Service {
	cfg.Queue = cmp.Or[Queue](cfg.Queue, NewMemQueue())
	cfg.Rules.BotAfter = cmp.Or(cfg.Rules.BotAfter, DefaultBotAfter)
	cfg.Reserve = cmp.Or(cfg.Reserve, DefaultReserve)
	cfg.Round = cmp.Or(cfg.Round, DefaultRound)
	cfg.Poll = cmp.Or(cfg.Poll, DefaultPoll)
	cfg.Idle = cmp.Or(cfg.Idle, DefaultIdle)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Service{cfg: cfg, kick: make(chan struct{}, 1), changed: make(chan struct{}),
		done: make(chan struct{}), stopped: make(chan struct{})}
}

// BotAfter is the wait after which a player gets a bot.
func (s *Service) BotAfter() time.Duration { return s.cfg.Rules.BotAfter }

// Start runs Run on a goroutine of its own. Unlike go s.Run(), it counts
// the rounds as running before it returns, so that a Close right after it
// still waits for them.
func (s *Service) Start() {
	s.running.Store(true)
	go s.Run()
}

// Run pairs the queue: whenever a ticket enters, and every Round, until
// Close.
func (s *Service) Run() {
	s.running.Store(true)
	defer close(s.stopped)
	t := time.NewTicker(s.cfg.Round)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		case <-s.kick:
		}
		s.round()
	}
}

// Close stops Run and waits for it, if it ran.
func (s *Service) Close() {
	s.once.Do(func() { close(s.done) })
	if s.running.Load() {
		<-s.stopped
	}
}

func (s *Service) round() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := s.cfg.Now()
	n := 0
	err := s.cfg.Queue.Round(ctx, now.Add(-s.cfg.Idle), now.Add(-s.cfg.Reserve), func(open []Ticket) []Placement {
		matches := Pair(now, open, s.cfg.Rules)
		out := make([]Placement, len(matches))
		// The rooms are made side by side: each one's creation waits for
		// a commit of the store, and concurrent ones share a group commit,
		// where one after the other a busy round would take seconds.
		sem := make(chan struct{}, startParallel)
		var wg sync.WaitGroup
		for i, m := range matches {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				p, err := s.cfg.Start(ctx, m)
				if err != nil {
					s.cfg.Log.Error("match: cannot make the room", "preset", m.Preset, "players", len(m.Players), "err", err)
					p = Placed{Failed: true}
				}
				p.At = s.cfg.Now()
				out[i] = Placement{Match: m, Placed: p}
			}()
		}
		wg.Wait()
		n = len(out)
		return out
	})
	if err != nil {
		s.cfg.Log.Error("match: round", "err", err)
	}
	if n > 0 {
		s.mu.Lock()
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
}

func (s *Service) changes() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// Outcome is how a wait ended.
type Outcome struct {
	// Placed is set when matched.
	Placed *Placed
	// Waited is the player's wait in total, across calls.
	Waited time.Duration
	// Left is set when the player left the queue meanwhile.
	Left bool
}

// ErrFailed reports a match whose room could not be made.
var ErrFailed = errors.New("match: the room could not be made")

// Wait puts the player in the queue (or finds their place) and waits, up
// to wait, for a match.
func (s *Service) Wait(ctx context.Context, t Ticket, wait time.Duration) (Outcome, error) {
	t.Since = s.cfg.Now()
	e, err := s.cfg.Queue.Enter(ctx, t, func(e Entry) bool { return e.Placed.Failed || !s.answers(*e.Placed) })
	if err != nil {
		return Outcome{}, fmt.Errorf("match: enter: %w", err)
	}
	if e.Placed == nil {
		// Seen now: a client that calls with short waits keeps its
		// ticket alive even if no poll tick falls inside its calls.
		s.cfg.Queue.Touch(ctx, t.PlayerID, t.Since)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	poll := time.NewTicker(s.cfg.Poll)
	defer poll.Stop()
	for {
		if e.Placed != nil {
			if e.Placed.Failed {
				s.cfg.Queue.Leave(ctx, t.PlayerID)
				return Outcome{}, ErrFailed
			}
			return Outcome{Placed: e.Placed, Waited: e.Placed.At.Sub(e.Since)}, nil
		}
		changed := s.changes()
		select {
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		case <-s.done:
			return Outcome{Waited: s.cfg.Now().Sub(e.Since)}, nil
		case <-deadline.C:
			return Outcome{Waited: s.cfg.Now().Sub(e.Since)}, nil
		case <-changed:
		case <-poll.C:
			s.cfg.Queue.Touch(ctx, t.PlayerID, s.cfg.Now())
		}
		next, err := s.cfg.Queue.Get(ctx, t.PlayerID)
		if errors.Is(err, ErrNoTicket) || err == nil && !next.Since.Equal(e.Since) {
			return Outcome{Left: true, Waited: s.cfg.Now().Sub(e.Since)}, nil
		}
		if err != nil {
			return Outcome{}, fmt.Errorf("match: ticket: %w", err)
		}
		e = next
	}
}

// answers reports whether a placed match still answers its players.
func (s *Service) answers(p Placed) bool {
	if s.cfg.Now().Sub(p.At) >= s.cfg.Reserve {
		return false
	}
	return s.cfg.Open == nil || s.cfg.Open(p)
}

// Leave takes the player out of the queue.
func (s *Service) Leave(ctx context.Context, playerID string) error {
	if err := s.cfg.Queue.Leave(ctx, playerID); err != nil {
		return fmt.Errorf("match: leave: %w", err)
	}
	return nil
}
