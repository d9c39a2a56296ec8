package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
	"strings"
	"time"
)

func newPlayerID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreatePlayer stores a new player with a fresh random id.
func (s *Store) CreatePlayer(ctx context.Context, name string, bot bool) (domain.Player, error) {
	p := domain.Player{Player: room.Player{ID: newPlayerID(), Name: name, Bot: bot}, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO players (id, name, bot, created_at) VALUES (?, ?, ?, ?)",
			p.ID, p.Name, p.Bot, ms(p.CreatedAt))
		return err
	})
	if err != nil {
		return domain.Player{}, fmt.Errorf("store: create player: %w", err)
	}
	return p, nil
}

// EnsurePlayer returns the player with this id, storing it with this name
// first if it is new, or renaming it if its name changed. It is for
// players whose identity a host program vouches for (a login of its own):
// their ids are the host's.
func (s *Store) EnsurePlayer(ctx context.Context, id, name string) (domain.Player, error) {
	p, err := s.Player(ctx, id)
	if err == nil && p.Name == name {
		return p, nil // the common case: no write
	}
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return domain.Player{}, fmt.Errorf("store: ensure player: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO players (id, name, created_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name`, id, name, ms(s.now())); err != nil {
			return err
		}
		return scanPlayer(tx.QueryRow(playerCols+" WHERE id = ?", id), &p)
	})
	if err != nil {
		return domain.Player{}, fmt.Errorf("store: ensure player: %w", err)
	}
	return p, nil
}

// RenamePlayer gives a player a new name and returns the player, or
// ErrNotFound.
func (s *Store) RenamePlayer(ctx context.Context, id, name string) (domain.Player, error) {
	var p domain.Player
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("UPDATE players SET name = ? WHERE id = ?", name, id); err != nil {
			return err
		}
		return scanPlayer(tx.QueryRow(playerCols+" WHERE id = ?", id), &p)
	})
	if err != nil {
		return domain.Player{}, fmt.Errorf("store: rename player %s: %w", id, err)
	}
	return p, nil
}

// CreateBot stores a new player marked as a bot, for package bots, and
// returns its id. Bots are left out of the leaderboard.
func (s *Store) CreateBot(ctx context.Context, name string) (string, error) {
	p, err := s.CreatePlayer(ctx, name, true)
	return p.ID, err
}

// PlayerForOpenID returns the player bound to a WeChat openid, creating
// one named name on first sight. The same openid always gives the same
// player.
func (s *Store) PlayerForOpenID(ctx context.Context, openID, name string) (domain.Player, error) {
	var p domain.Player
	err := s.write(ctx, func(tx *sql.Tx) error {
		id := newPlayerID()
		if _, err := tx.Exec(`INSERT INTO players (id, name, wechat_openid, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (wechat_openid) DO NOTHING`, id, name, openID, ms(s.now())); err != nil {
			return err
		}
		return scanPlayer(tx.QueryRow(playerCols+" WHERE wechat_openid = ?", openID), &p)
	})
	if err != nil {
		return domain.Player{}, fmt.Errorf("store: player for openid: %w", err)
	}
	return p, nil
}

const playerCols = `SELECT id, name, bot, coalesce(banned_at, 0), games, wins, gold, created_at FROM players`

func scanPlayer(row interface{ Scan(...any) error }, p *domain.Player) error {
	var banned, created int64
	if err := row.Scan(&p.ID, &p.Name, &p.Bot, &banned, &p.Games, &p.Wins, &p.Gold, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.ErrNotFound
		}
		return err
	}
	p.BannedAt, p.CreatedAt = fromMS(banned), fromMS(created)
	return nil
}

// Player returns a player by id, or ErrNotFound.
func (s *Store) Player(ctx context.Context, id string) (domain.Player, error) {
	var p domain.Player
	if err := scanPlayer(s.r.QueryRowContext(ctx, playerCols+" WHERE id = ?", id), &p); err != nil {
		return domain.Player{}, fmt.Errorf("store: player %s: %w", id, err)
	}
	return p, nil
}

// SearchPlayers returns up to limit players whose name or id starts with q
// (any case), best players first. An empty q lists everyone.
func (s *Store) SearchPlayers(ctx context.Context, q string, limit int) ([]domain.Player, error) {
	q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	rows, err := s.r.QueryContext(ctx, playerCols+` WHERE `+s.d.search+`
		ORDER BY wins DESC, gold DESC, id LIMIT ?`, q, q, limit)
	if err != nil {
		return nil, fmt.Errorf("store: search players: %w", err)
	}
	defer rows.Close()
	var out []domain.Player
	for rows.Next() {
		var p domain.Player
		if err := scanPlayer(rows, &p); err != nil {
			return nil, fmt.Errorf("store: search players: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search players: %w", err)
	}
	return out, nil
}

// SetBanned bans or unbans a player.
func (s *Store) SetBanned(ctx context.Context, id string, banned bool) error {
	var at any
	if banned {
		at = ms(s.now())
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE players SET banned_at = ? WHERE id = ?", at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: ban player %s: %w", id, err)
	}
	return nil
}

// Secret returns the named server secret, creating it from size random
// bytes on first use. Secrets live in the database so that tokens signed
// with them outlive a restart.
func (s *Store) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", "secret:"+name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	fresh := make([]byte, size)
	rand.Read(fresh)
	err = s.write(ctx, func(tx *sql.Tx) error {
		// Two callers may race to create it: the first wins, both read it.
		if _, err := tx.Exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
			"secret:"+name, fresh); err != nil {
			return err
		}
		return tx.QueryRow("SELECT value FROM meta WHERE key = ?", "secret:"+name).Scan(&v)
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	return v, nil
}

// Meta returns a stored setting, or ErrNotFound.
func (s *Store) Meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: meta %s: %w", key, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta stores a setting.
func (s *Store) SetMeta(ctx context.Context, key string, value []byte) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			key, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set meta %s: %w", key, err)
	}
	return nil
}
