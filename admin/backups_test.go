package admin_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/admin"
	"github.com/goldmine-game/goldmine/backups"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
	"github.com/goldmine-game/goldmine/static"
	"github.com/goldmine-game/goldmine/store"
)

// backupEnv is a console over a real store, with backups into a folder of
// its own when dir is set.
func backupEnv(t *testing.T, withBackups bool) (*env, string) {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuf{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(t.TempDir(), "g.db"), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	rooms := room.NewManager(room.Config{Store: st, Log: log})
	secret, _ := st.Secret(ctx, "tokens", 32)
	tokens, _ := server.NewTokens(secret, st)
	srv, err := server.New(server.Config{Rooms: rooms, Store: st, Tokens: tokens, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	assets, err := static.New("/static/")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backups")
	cfg := admin.Config{Rooms: rooms, Store: st, Assets: assets, Sessions: srv.Sessions, Password: password, Log: log}
	if withBackups {
		sched, err := backups.New(backups.Config{Dir: dir, Every: time.Hour, Keep: 2, Copy: st.Backup, Check: store.CheckFile, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Backups = sched
	}
	a, err := admin.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.Register(srv.Engine())
	ts := httptest.NewServer(srv.Handler())
	e := &env{t: t, st: st, rooms: rooms, srv: srv, ts: ts, logs: logs}
	t.Cleanup(func() {
		a.Close()
		ts.Close()
		rooms.Close()
		st.Close()
		if t.Failed() {
			t.Logf("log:\n%s", logs.String())
		}
	})
	return e, dir
}

func TestBackupsPage(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		e, dir := backupEnv(t, true)
		b := e.browser()
		b.login(password)
		resp, page := b.do("GET", "/admin/backups", nil, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "No backups yet") || !strings.Contains(page, "Back up now") {
			t.Fatalf("GET /admin/backups: %d\n%s", resp.StatusCode, page)
		}
		for i := range 3 {
			resp, frag := b.post("/admin/backups", nil)
			if resp.StatusCode != http.StatusOK || !strings.Contains(frag, "Backed up to goldmine-") || strings.Contains(frag, "<html") {
				t.Fatalf("back up now #%d: %d\n%s", i, resp.StatusCode, frag)
			}
			time.Sleep(2 * time.Millisecond) // backups are named to the millisecond
		}
		list, err := backups.List(dir)
		if err != nil || len(list) != 2 {
			t.Fatalf("%d backups in %s (%v), want 2 kept", len(list), dir, err)
		}
		_, page = b.do("GET", "/admin/backups", nil, nil)
		for _, bk := range list {
			if !strings.Contains(page, bk.Name) {
				t.Fatalf("the page does not list %s:\n%s", bk.Name, page)
			}
		}
		_, audit := b.do("GET", "/admin/audit", nil, nil)
		if !strings.Contains(audit, list[0].Name) {
			t.Fatalf("the audit log has no backup:\n%s", audit)
		}
	})
	t.Run("Off", func(t *testing.T) {
		e, _ := backupEnv(t, false)
		b := e.browser()
		b.login(password)
		if resp, page := b.do("GET", "/admin/backups", nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(page, "--backup-dir") {
			t.Fatalf("GET /admin/backups: %d\n%s", resp.StatusCode, page)
		}
		if resp, body := b.post("/admin/backups", nil); resp.StatusCode != http.StatusConflict {
			t.Fatalf("back up now without backups: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("NoSession", func(t *testing.T) {
		e, _ := backupEnv(t, true)
		b := e.browser()
		if resp, _ := b.do("GET", "/admin/backups", nil, nil); resp.StatusCode == http.StatusOK {
			t.Fatal("backups page without a session")
		}
		if resp, _ := b.do("POST", "/admin/backups", nil, nil); resp.StatusCode == http.StatusOK {
			t.Fatal("back up now without a session")
		}
	})
}
