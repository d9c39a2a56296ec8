package match

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrNoTicket reports a player who has no place in the queue (they left,
// their ticket went idle, or the server restarted).
var ErrNoTicket = errors.New("match: no ticket")

// Player is one matched player, as POST /api/match lists them.
type Player struct {
	PlayerID string  `json:"player_id"`
	Name     string  `json:"name"`
	Rating   float64 `json:"rating"`
	Bot      bool    `json:"bot,omitempty"`
}

// Placed is where a match was seated: the room, on the node that holds it.
type Placed struct {
	RoomID  string
	Node    string
	WSURL   string
	Players []Player
	Bot     bool
	At      time.Time
	// Failed is set when the room could not be made; the tickets'
	// holders are told so and may queue again.
	Failed bool
}

// Entry is a ticket as the queue holds it.
type Entry struct {
	Ticket
	// Seen is the last time a request waited on the ticket.
	Seen time.Time
	// Placed is set once the ticket is matched.
	Placed *Placed
}

// Queue is where the tickets live: in memory on one node (NewMemQueue),
// in the shared database in a cluster.
type Queue interface {
	// Enter stores t as the player's ticket, unless the player has one
	// already for the same preset: that one is returned, its wait kept.
	// A matched ticket is replaced only when replace says so.
	Enter(ctx context.Context, t Ticket, replace func(Entry) bool) (Entry, error)
	// Get returns the player's ticket, or ErrNoTicket.
	Get(ctx context.Context, playerID string) (Entry, error)
	// Touch marks the player's ticket as waited on at now.
	Touch(ctx context.Context, playerID string, now time.Time) error
	// Leave removes the player's ticket.
	Leave(ctx context.Context, playerID string) error
	// Round runs fn over the open (unmatched) tickets with the right to
	// place them: in a cluster, one node at a time. It first drops open
	// tickets not seen since idle and matched ones placed before stale.
	Round(ctx context.Context, idle, stale time.Time, fn func(open []Ticket) []Placement) error
}

// Placement is a match and where it was seated, for Queue.Round to record.
type Placement struct {
	Match  Match
	Placed Placed
}

// MemQueue is the queue of a single node.
type MemQueue struct {
	mu      sync.Mutex
	entries map[string]*Entry
}

// NewMemQueue returns an empty MemQueue.
func NewMemQueue() *MemQueue { return &MemQueue{entries: map[string]*Entry{}} }

// Enter implements Queue.
func (q *MemQueue) Enter(_ context.Context, t Ticket, replace func(Entry) bool) (Entry, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.entries[t.PlayerID]; ok && e.Preset == t.Preset && (e.Placed == nil || !replace(*e)) {
		return *e, nil
	}
	e := &Entry{Ticket: t, Seen: t.Since}
	q.entries[t.PlayerID] = e
	return *e, nil
}

// Get implements Queue.
func (q *MemQueue) Get(_ context.Context, playerID string) (Entry, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.entries[playerID]; ok {
		return *e, nil
	}
	return Entry{}, ErrNoTicket
}

// Touch implements Queue.
func (q *MemQueue) Touch(_ context.Context, playerID string, now time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e, ok := q.entries[playerID]; ok {
		e.Seen = now
	}
	return nil
}

// Leave implements Queue.
func (q *MemQueue) Leave(_ context.Context, playerID string) error {
	q.mu.Lock()
	delete(q.entries, playerID)
	q.mu.Unlock()
	return nil
}

// Round implements Queue. fn runs without the lock, so that tickets can
// come and go while rooms are made; a ticket that left meanwhile is not
// placed (its room stays empty until it is closed as idle).
func (q *MemQueue) Round(_ context.Context, idle, stale time.Time, fn func(open []Ticket) []Placement) error {
	q.mu.Lock()
	var open []Ticket
	for id, e := range q.entries {
		switch {
		case e.Placed == nil && e.Seen.Before(idle), e.Placed != nil && e.Placed.At.Before(stale):
			delete(q.entries, id)
		case e.Placed == nil:
			open = append(open, e.Ticket)
		}
	}
	q.mu.Unlock()
	placed := fn(open)
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range placed {
		for _, t := range p.Match.Players {
			if e, ok := q.entries[t.PlayerID]; ok && e.Placed == nil && e.Since.Equal(t.Since) {
				pl := p.Placed
				e.Placed = &pl
			}
		}
	}
	return nil
}
