package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/goldmine-game/goldmine/match"
)

// matchLockKey is the advisory lock of a pairing round: one node at a
// time pairs the shared queue.
const matchLockKey = 0x601d_0003

// MatchQueue is quick match's queue in the PostgreSQL database a cluster
// shares (match.Queue): a player queued at one node meets one queued at
// another.
type MatchQueue struct{ s *Store }

// MatchQueue returns the shared queue, or ErrNotClustered on SQLite (a
// single node keeps its queue in memory).
func (s *Store) MatchQueue() (*MatchQueue, error) {
	if !s.d.postgres {
		return nil, ErrNotClustered
	}
	return &MatchQueue{s: s}, nil
}

const ticketCols = "SELECT player_id, name, preset, rating, since, seen, placed FROM match_tickets"

func scanTicket(row interface{ Scan(...any) error }) (match.Entry, error) {
	var e match.Entry
	var since, seen int64
	var placed string
	if err := row.Scan(&e.PlayerID, &e.Name, &e.Preset, &e.Rating, &since, &seen, &placed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return e, match.ErrNoTicket
		}
		return e, err
	}
	e.Since, e.Seen = fromMS(since), fromMS(seen)
	if placed != "" {
		var p match.Placed
		if err := json.Unmarshal([]byte(placed), &p); err != nil {
			return e, fmt.Errorf("placed: %w", err)
		}
		e.Placed = &p
	}
	return e, nil
}

// Enter implements match.Queue.
func (q *MatchQueue) Enter(ctx context.Context, t match.Ticket, replace func(match.Entry) bool) (match.Entry, error) {
	tx, err := q.s.r.BeginTx(ctx, nil)
	if err != nil {
		return match.Entry{}, fmt.Errorf("store: match enter: %w", err)
	}
	defer tx.Rollback()
	e, err := scanTicket(tx.QueryRowContext(ctx, ticketCols+" WHERE player_id = ? FOR UPDATE", t.PlayerID))
	switch {
	case err == nil && e.Preset == t.Preset && (e.Placed == nil || !replace(e)):
		return e, nil
	case err != nil && !errors.Is(err, match.ErrNoTicket):
		return match.Entry{}, fmt.Errorf("store: match enter: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO match_tickets (player_id, name, preset, rating, since, seen)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (player_id) DO UPDATE SET name = excluded.name, preset = excluded.preset,
		rating = excluded.rating, since = excluded.since, seen = excluded.seen, placed = '', placed_at = 0`,
		t.PlayerID, t.Name, t.Preset, t.Rating, ms(t.Since), ms(t.Since)); err != nil {
		return match.Entry{}, fmt.Errorf("store: match enter: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return match.Entry{}, fmt.Errorf("store: match enter: %w", err)
	}
	// The stored times are milliseconds: return them as stored, so that
	// the ticket compares equal to what Get reads back.
	t.Since = fromMS(ms(t.Since))
	return match.Entry{Ticket: t, Seen: t.Since}, nil
}

// Get implements match.Queue.
func (q *MatchQueue) Get(ctx context.Context, playerID string) (match.Entry, error) {
	e, err := scanTicket(q.s.r.QueryRowContext(ctx, ticketCols+" WHERE player_id = ?", playerID))
	if err != nil && !errors.Is(err, match.ErrNoTicket) {
		return e, fmt.Errorf("store: match ticket: %w", err)
	}
	return e, err
}

// Touch implements match.Queue.
func (q *MatchQueue) Touch(ctx context.Context, playerID string, now time.Time) error {
	if _, err := q.s.r.ExecContext(ctx, "UPDATE match_tickets SET seen = ? WHERE player_id = ?", ms(now), playerID); err != nil {
		return fmt.Errorf("store: match touch: %w", err)
	}
	return nil
}

// Leave implements match.Queue.
func (q *MatchQueue) Leave(ctx context.Context, playerID string) error {
	if _, err := q.s.r.ExecContext(ctx, "DELETE FROM match_tickets WHERE player_id = ?", playerID); err != nil {
		return fmt.Errorf("store: match leave: %w", err)
	}
	return nil
}

// Round implements match.Queue: in one transaction holding the pairing
// lock, so that two nodes never seat one ticket twice. A node that finds
// the lock taken skips the round: another node is pairing the same queue.
func (q *MatchQueue) Round(ctx context.Context, idle, stale time.Time, fn func(open []match.Ticket) []match.Placement) error {
	tx, err := q.s.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	defer tx.Rollback()
	var locked bool
	if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock(?)", matchLockKey).Scan(&locked); err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	if !locked {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM match_tickets WHERE (placed = '' AND seen < ?) OR (placed <> '' AND placed_at < ?)`,
		ms(idle), ms(stale)); err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	rows, err := tx.QueryContext(ctx, ticketCols+" WHERE placed = ''")
	if err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	var open []match.Ticket
	for rows.Next() {
		e, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("store: match round: %w", err)
		}
		open = append(open, e.Ticket)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	if len(open) == 0 {
		return nil
	}
	for _, p := range fn(open) {
		data, err := json.Marshal(p.Placed)
		if err != nil {
			return fmt.Errorf("store: match round: %w", err)
		}
		for _, t := range p.Match.Players {
			// A ticket that left, or entered anew, meanwhile is not placed.
			if _, err := tx.ExecContext(ctx, `UPDATE match_tickets SET placed = ?, placed_at = ?
				WHERE player_id = ? AND since = ? AND placed = ''`, string(data), ms(p.Placed.At), t.PlayerID, ms(t.Since)); err != nil {
				return fmt.Errorf("store: match round: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: match round: %w", err)
	}
	return nil
}
