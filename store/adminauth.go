package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"strings"
	"time"
)

// The admin's password, sessions and one-time links live here, so that a
// restart keeps admins signed in, and so that `goldmine admin` (another
// process on the same database) can set the password, mint a link or
// revoke a session that the running server then honours. Secrets are
// stored only as hashes: the callers pass hashes in.

// adminPasswordKey is the meta row holding the bcrypt hash of the admin
// password.
const adminPasswordKey = "admin:password"

// AdminPassword returns the bcrypt hash of the admin password, or
// ErrNotFound when none is set.
func (s *Store) AdminPassword(ctx context.Context) ([]byte, error) {
	return s.Meta(ctx, adminPasswordKey)
}

// SetAdminPassword stores the bcrypt hash of a new admin password. Every
// setup link stops working: they exist only while there is no password.
func (s *Store) SetAdminPassword(ctx context.Context, hash []byte) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return setAdminPassword(tx, hash) })
	if err != nil {
		return fmt.Errorf("store: set admin password: %w", err)
	}
	return nil
}

func setAdminPassword(tx *sql.Tx, hash []byte) error {
	if _, err := tx.Exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		adminPasswordKey, hash); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM admin_tokens WHERE kind = ?", domain.AdminSetup)
	return err
}

// SetAdminPasswordWith sets the first admin password through a setup link:
// in one transaction it uses up the link whose token hashes to tokenHash
// and stores the password. Of concurrent calls with the same link, one
// succeeds; the others get ErrNotFound, as a link already used or never
// made does.
func (s *Store) SetAdminPasswordWith(ctx context.Context, tokenHash string, hash []byte) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := useAdminToken(tx, tokenHash, domain.AdminSetup, s.now()); err != nil {
			return err
		}
		return setAdminPassword(tx, hash)
	})
	if err != nil {
		return fmt.Errorf("store: set admin password with a setup link: %w", err)
	}
	return nil
}

// AddAdminToken stores a one-time link's token hash. A zero expiry keeps it
// until used.
func (s *Store) AddAdminToken(ctx context.Context, tokenHash, kind string, expires time.Time) error {
	var exp int64
	if !expires.IsZero() {
		exp = ms(expires)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO admin_tokens (hash, kind, created_at, expires_at) VALUES (?, ?, ?, ?)",
			tokenHash, kind, ms(s.now()), exp)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: add admin %s token: %w", kind, err)
	}
	return nil
}

// AdminTokenValid reports whether a one-time link of this kind is live.
func (s *Store) AdminTokenValid(ctx context.Context, tokenHash, kind string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM admin_tokens
		WHERE hash = ? AND kind = ? AND (expires_at = 0 OR expires_at > ?)`, tokenHash, kind, ms(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: admin %s token: %w", kind, err)
	}
	return n > 0, nil
}

// AdminTokens counts the live one-time links of a kind.
func (s *Store) AdminTokens(ctx context.Context, kind string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM admin_tokens
		WHERE kind = ? AND (expires_at = 0 OR expires_at > ?)`, kind, ms(s.now())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: admin %s tokens: %w", kind, err)
	}
	return n, nil
}

// OpenAdminSessionWith uses up a one-time link and opens a session, in one
// transaction: of concurrent uses of a link, one opens a session and the
// others get ErrNotFound.
func (s *Store) OpenAdminSessionWith(ctx context.Context, tokenHash, kind string, sess domain.AdminSession) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := useAdminToken(tx, tokenHash, kind, s.now()); err != nil {
			return err
		}
		return insertAdminSession(tx, sess)
	})
	if err != nil {
		return fmt.Errorf("store: open admin session with a %s link: %w", kind, err)
	}
	return nil
}

func useAdminToken(tx *sql.Tx, tokenHash, kind string, now time.Time) error {
	res, err := tx.Exec("DELETE FROM admin_tokens WHERE hash = ? AND kind = ? AND (expires_at = 0 OR expires_at > ?)",
		tokenHash, kind, ms(now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// OpenAdminSession stores a new session.
func (s *Store) OpenAdminSession(ctx context.Context, sess domain.AdminSession) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return insertAdminSession(tx, sess) })
	if err != nil {
		return fmt.Errorf("store: open admin session: %w", err)
	}
	return nil
}

func insertAdminSession(tx *sql.Tx, a domain.AdminSession) error {
	// Expired sessions go as new ones come: the table stays small.
	if _, err := tx.Exec("DELETE FROM admin_sessions WHERE expires_at <= ?", ms(a.CreatedAt)); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO admin_sessions (id, csrf, via, ip, created_at, seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, a.CSRF, a.Via, a.IP, ms(a.CreatedAt), ms(a.SeenAt), ms(a.ExpiresAt))
	return err
}

const adminSessionCols = `SELECT id, csrf, via, ip, created_at, seen_at, expires_at FROM admin_sessions`

func scanAdminSession(row interface{ Scan(...any) error }, a *domain.AdminSession) error {
	var created, seen, expires int64
	if err := row.Scan(&a.ID, &a.CSRF, &a.Via, &a.IP, &created, &seen, &expires); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ErrNotFound
		}
		return err
	}
	a.CreatedAt, a.SeenAt, a.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	return nil
}

// AdminSession returns the live session with this id (the hash of its
// token), or ErrNotFound when there is none or it expired at now.
func (s *Store) AdminSession(ctx context.Context, id string, now time.Time) (domain.AdminSession, error) {
	var a domain.AdminSession
	err := scanAdminSession(s.r.QueryRowContext(ctx, adminSessionCols+" WHERE id = ? AND expires_at > ?", id, ms(now)), &a)
	if err != nil {
		return domain.AdminSession{}, fmt.Errorf("store: admin session: %w", err)
	}
	return a, nil
}

// TouchAdminSession records that a session was used, and pushes its expiry
// back.
func (s *Store) TouchAdminSession(ctx context.Context, id string, seen, expires time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("UPDATE admin_sessions SET seen_at = ?, expires_at = ? WHERE id = ?", ms(seen), ms(expires), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: touch admin session: %w", err)
	}
	return nil
}

// AdminSessions lists the sessions live at now, the most recently used
// first.
func (s *Store) AdminSessions(ctx context.Context, now time.Time) ([]domain.AdminSession, error) {
	rows, err := s.r.QueryContext(ctx, adminSessionCols+" WHERE expires_at > ? ORDER BY seen_at DESC, id", ms(now))
	if err != nil {
		return nil, fmt.Errorf("store: admin sessions: %w", err)
	}
	defer rows.Close()
	var out []domain.AdminSession
	for rows.Next() {
		var a domain.AdminSession
		if err := scanAdminSession(rows, &a); err != nil {
			return nil, fmt.Errorf("store: admin sessions: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: admin sessions: %w", err)
	}
	return out, nil
}

// RevokeAdminSessions ends the sessions whose id starts with prefix (at
// least 8 hex digits, as `goldmine admin sessions` shows them), or every
// session for "". It returns how many it ended.
func (s *Store) RevokeAdminSessions(ctx context.Context, prefix string) (int, error) {
	if prefix != "" && (len(prefix) < 8 || strings.Trim(prefix, "0123456789abcdef") != "") {
		return 0, fmt.Errorf("store: revoke admin session %q: want at least 8 lowercase hex digits", prefix)
	}
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM admin_sessions WHERE substr(id, 1, ?) = ?", len(prefix), prefix)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: revoke admin sessions: %w", err)
	}
	return int(n), nil
}

// CloseAdminSession ends one session (a logout).
func (s *Store) CloseAdminSession(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("DELETE FROM admin_sessions WHERE id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: close admin session: %w", err)
	}
	return nil
}
