package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
	"time"
)

// A ban covers more than a player's id, which a banned player escapes in
// seconds by creating a new player: it also covers their WeChat openid, the
// browsers they were created from (player_devices) and, if the admin
// chooses, their address for a while.

// BanPlayer bans a player: their id, their WeChat openid when known, every
// browser they were created from, and the address in opt. It returns
// ErrNotFound for an unknown player.
func (s *Store) BanPlayer(ctx context.Context, id string, opt domain.BanOptions) (domain.BanResult, error) {
	var out domain.BanResult
	now := ms(s.now())
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = domain.BanResult{}
		var openID sql.NullString
		if err := tx.QueryRow("SELECT wechat_openid FROM players WHERE id = ?", id).Scan(&openID); err != nil {
			if err == sql.ErrNoRows {
				return domain.ErrNotFound
			}
			return err
		}
		if _, err := tx.Exec("UPDATE players SET banned_at = coalesce(banned_at, ?) WHERE id = ?", now, id); err != nil {
			return err
		}
		// A second ban replaces the first's extras.
		if _, err := tx.Exec("DELETE FROM bans WHERE player_id = ?", id); err != nil {
			return err
		}
		add := func(kind, value string, until int64) error {
			_, err := tx.Exec("INSERT INTO bans (kind, value, player_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
				kind, value, id, now, until)
			return err
		}
		if openID.Valid && openID.String != "" {
			if err := add(domain.BanOpenID, openID.String, 0); err != nil {
				return err
			}
			out.OpenID = true
		}
		rows, err := tx.Query("SELECT device FROM player_devices WHERE player_id = ?", id)
		if err != nil {
			return err
		}
		var devices []string
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return err
			}
			devices = append(devices, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range devices {
			if err := add(domain.BanDevice, d, 0); err != nil {
				return err
			}
		}
		out.Devices = len(devices)
		if opt.Address != "" {
			var until int64
			if !opt.AddressUntil.IsZero() {
				until = ms(opt.AddressUntil)
			}
			if err := add(domain.BanAddress, opt.Address, until); err != nil {
				return err
			}
			out.Address = opt.Address
		}
		return nil
	})
	if err != nil {
		return domain.BanResult{}, fmt.Errorf("store: ban player %s: %w", id, err)
	}
	return out, nil
}

// UnbanPlayer lifts a player's ban and everything it covered.
func (s *Store) UnbanPlayer(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec("UPDATE players SET banned_at = NULL WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.ErrNotFound
		}
		_, err = tx.Exec("DELETE FROM bans WHERE player_id = ?", id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: unban player %s: %w", id, err)
	}
	return nil
}

// Banned reports whether any of what c names is banned now.
func (s *Store) Banned(ctx context.Context, c domain.BanCheck) (bool, error) {
	if c.Device == "" && c.Address == "" && c.OpenID == "" {
		return false, nil
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM bans
		WHERE ((kind = ? AND value = ?) OR (kind = ? AND value = ?) OR (kind = ? AND value = ?))
		AND (expires_at = 0 OR expires_at > ?)`,
		domain.BanDevice, nonEmpty(c.Device), domain.BanAddress, nonEmpty(c.Address), domain.BanOpenID, nonEmpty(c.OpenID), ms(s.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: check bans: %w", err)
	}
	return n > 0, nil
}

// nonEmpty keeps an empty value from matching a row stored empty.
func nonEmpty(v string) string {
	if v == "" {
		return "(none)" // no device hash, address or openid looks like this
	}
	return v
}

// CreatePlayerFrom stores a new player, as CreatePlayer, with the browser
// (hashed device cookie) and the address it came from, which a later ban
// of the player covers.
func (s *Store) CreatePlayerFrom(ctx context.Context, name, device, addr string) (domain.Player, error) {
	p := domain.Player{Player: room.Player{ID: newPlayerID(), Name: name}, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec("INSERT INTO players (id, name, bot, created_at, last_addr) VALUES (?, ?, ?, ?, ?)",
			p.ID, p.Name, false, ms(p.CreatedAt), addr); err != nil {
			return err
		}
		if device == "" {
			return nil
		}
		_, err := tx.Exec("INSERT INTO player_devices (player_id, device, seen_at) VALUES (?, ?, ?)", p.ID, device, ms(p.CreatedAt))
		return err
	})
	if err != nil {
		return domain.Player{}, fmt.Errorf("store: create player: %w", err)
	}
	return p, nil
}

// PlayerAddress returns the address a player last came from, or "".
func (s *Store) PlayerAddress(ctx context.Context, id string) (string, error) {
	var a string
	err := s.r.QueryRowContext(ctx, "SELECT last_addr FROM players WHERE id = ?", id).Scan(&a)
	if err == sql.ErrNoRows {
		return "", fmt.Errorf("store: player %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: player %s address: %w", id, err)
	}
	return a, nil
}

// SeenPlayer records the address and browser a signed-in player came from
// (a hello), so that a ban covers them; it writes only when they are new.
func (s *Store) SeenPlayer(ctx context.Context, id, device, addr string) error {
	var last string
	var known int
	err := s.r.QueryRowContext(ctx, `SELECT p.last_addr, (SELECT count(*) FROM player_devices d WHERE d.player_id = p.id AND d.device = ?)
		FROM players p WHERE p.id = ?`, device, id).Scan(&last, &known)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: seen player %s: %w", id, err)
	}
	newDevice := device != "" && known == 0
	if last == addr && !newDevice {
		return nil
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if addr != "" && last != addr {
			if _, err := tx.Exec("UPDATE players SET last_addr = ? WHERE id = ?", addr, id); err != nil {
				return err
			}
		}
		if newDevice {
			_, err := tx.Exec("INSERT INTO player_devices (player_id, device, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
				id, device, ms(s.now()))
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: seen player %s: %w", id, err)
	}
	return nil
}
