package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"time"
)

// AddAudit records an admin action.
func (s *Store) AddAudit(ctx context.Context, e domain.AuditEntry) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO audit_log (at, admin, action, target, detail) VALUES (?, ?, ?, ?, ?)",
			ms(e.At), e.Admin, e.Action, e.Target, e.Detail)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// AuditLog returns up to limit entries, newest first, with ids below
// before (when before > 0).
func (s *Store) AuditLog(ctx context.Context, limit int, before int64) ([]domain.AuditEntry, error) {
	q := "SELECT id, at, admin, action, target, detail FROM audit_log"
	args := []any{}
	if before > 0 {
		q += " WHERE id < ?"
		args = append(args, before)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, clamp(limit, 50, 500))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []domain.AuditEntry
	for rows.Next() {
		var e domain.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Admin, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return out, nil
}

// GamesSince counts the games that ended at or after since.
func (s *Store) GamesSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM games WHERE ended_at >= ?", ms(since)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: games since: %w", err)
	}
	return n, nil
}
