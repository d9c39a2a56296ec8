package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/domain"
)

// TestSetupLinkOnce: of 8 concurrent uses of one setup link, exactly one
// sets the password; the link is gone after, and so is every other setup
// link.
func TestSetupLinkOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t)
		ctx := context.Background()
		if err := s.AddAdminToken(ctx, "h1", domain.AdminSetup, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddAdminToken(ctx, "h2", domain.AdminSetup, time.Time{}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.SetAdminPasswordWith(ctx, "h1", []byte{byte('a' + i)})
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("uses %d and %d both succeeded", won, i)
			case err == nil:
				won = i
			case !errors.Is(err, domain.ErrNotFound):
				t.Fatalf("use %d: %v", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no use succeeded")
		}
		hash, err := s.AdminPassword(ctx)
		if err != nil || string(hash) != string([]byte{byte('a' + won)}) {
			t.Fatalf("password %q, %v: want the winner's", hash, err)
		}
		if ok, _ := s.AdminTokenValid(ctx, "h2", domain.AdminSetup); ok {
			t.Fatal("another setup link outlived the password")
		}
	})
}

// TestAdminSessionsStored: sessions outlive the store, expire, and are
// revoked by prefix or all at once; a login link opens one session once.
func TestAdminSessionsStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		path := b.newPath(t)
		ctx := context.Background()
		now := time.Now().Truncate(time.Millisecond)
		s := openAt(t, path)
		mk := func(id string) domain.AdminSession {
			return domain.AdminSession{ID: id, CSRF: "c" + id, Via: "password", IP: "127.0.0.1", CreatedAt: now, SeenAt: now,
				ExpiresAt: now.Add(time.Hour)}
		}
		for _, id := range []string{"aaaaaaaa11", "aaaaaaaa22", "bbbbbbbb33"} {
			if err := s.OpenAdminSession(ctx, mk(id)); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		s = openAt(t, path)
		got, err := s.AdminSession(ctx, "aaaaaaaa11", now)
		if err != nil || got.CSRF != "caaaaaaaa11" || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("after reopening: %+v, %v", got, err)
		}
		if _, err := s.AdminSession(ctx, "aaaaaaaa11", now.Add(2*time.Hour)); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("expired session: %v, want ErrNotFound", err)
		}
		if err := s.TouchAdminSession(ctx, "aaaaaaaa11", now.Add(time.Minute), now.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AdminSession(ctx, "aaaaaaaa11", now.Add(2*time.Hour)); err != nil {
			t.Fatalf("touched session: %v", err)
		}
		if _, err := s.RevokeAdminSessions(ctx, "aaaa"); err == nil {
			t.Fatal("a 4-digit prefix was taken")
		}
		if n, err := s.RevokeAdminSessions(ctx, "bbbbbbbb"); n != 1 || err != nil {
			t.Fatalf("revoke bbbbbbbb: %d, %v", n, err)
		}
		if list, _ := s.AdminSessions(ctx, now); len(list) != 2 {
			t.Fatalf("%d sessions left, want 2", len(list))
		}
		if n, err := s.RevokeAdminSessions(ctx, ""); n != 2 || err != nil {
			t.Fatalf("revoke all: %d, %v", n, err)
		}
		if err := s.AddAdminToken(ctx, "link", domain.AdminLogin, fixedNow.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenAdminSessionWith(ctx, "link", domain.AdminSetup, mk("cccccccc44")); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a login link used as a setup link: %v", err)
		}
		if err := s.OpenAdminSessionWith(ctx, "link", domain.AdminLogin, mk("cccccccc44")); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenAdminSessionWith(ctx, "link", domain.AdminLogin, mk("cccccccc55")); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a login link used twice: %v", err)
		}
	})
}

// TestBanCovers: a ban covers the player's openid, devices and (for a
// while) address, and an unban lifts them all.
func TestBanCovers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		s := b.open(t)
		ctx := context.Background()
		p, err := s.CreatePlayerFrom(ctx, "Mallory", "dev1", "10.0.0.7")
		if err != nil {
			t.Fatal(err)
		}
		other, _ := s.CreatePlayerFrom(ctx, "Alice", "dev2", "10.0.0.8")
		if err := s.SeenPlayer(ctx, p.ID, "dev3", "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		if a, _ := s.PlayerAddress(ctx, p.ID); a != "10.0.0.9" {
			t.Fatalf("address %q after a hello from 10.0.0.9", a)
		}
		res, err := s.BanPlayer(ctx, p.ID, domain.BanOptions{Address: "10.0.0.9", AddressUntil: fixedNow.Add(time.Hour)})
		if err != nil || res.Devices != 2 || res.Address != "10.0.0.9" {
			t.Fatalf("ban: %+v, %v", res, err)
		}
		for _, tt := range []struct {
			c    domain.BanCheck
			want bool
		}{
			{domain.BanCheck{Device: "dev1"}, true},
			{domain.BanCheck{Device: "dev3"}, true},
			{domain.BanCheck{Device: "dev2"}, false},
			{domain.BanCheck{Address: "10.0.0.9"}, true},
			{domain.BanCheck{Address: "10.0.0.7"}, false},
			{domain.BanCheck{}, false},
		} {
			if got, err := s.Banned(ctx, tt.c); got != tt.want || err != nil {
				t.Errorf("Banned(%+v) = %v, %v; want %v", tt.c, got, err, tt.want)
			}
		}
		if pl, _ := s.Player(ctx, p.ID); !pl.Banned() {
			t.Fatal("the player is not banned")
		}
		if pl, _ := s.Player(ctx, other.ID); pl.Banned() {
			t.Fatal("another player is banned")
		}
		if _, err := s.BanPlayer(ctx, "nobody", domain.BanOptions{}); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("ban of nobody: %v", err)
		}
		if err := s.UnbanPlayer(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Banned(ctx, domain.BanCheck{Device: "dev1", Address: "10.0.0.9"}); got {
			t.Fatal("still banned after the unban")
		}
		// An address ban ends when it said.
		q, _ := s.CreatePlayerFrom(ctx, "Quinn", "", "10.0.0.10")
		if _, err := s.BanPlayer(ctx, q.ID, domain.BanOptions{Address: "10.0.0.10", AddressUntil: fixedNow.Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Banned(ctx, domain.BanCheck{Address: "10.0.0.10"}); got {
			t.Fatal("an address ban that ended still holds")
		}
		wp, _ := s.PlayerForOpenID(ctx, "oWX1", "W")
		if res, _ := s.BanPlayer(ctx, wp.ID, domain.BanOptions{}); !res.OpenID {
			t.Fatal("the openid was not banned")
		}
		if got, _ := s.Banned(ctx, domain.BanCheck{OpenID: "oWX1"}); !got {
			t.Fatal("a banned openid is not banned")
		}
	})
}
