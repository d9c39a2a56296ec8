package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/server"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTest(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.DB = filepath.Join(t.TempDir(), "g.db")
	cfg.Log = cmpLog(cfg.Log)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func cmpLog(l *slog.Logger) *slog.Logger {
	if l == nil {
		return quiet()
	}
	return l
}

func TestNewRefusesBadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no database", Config{}, "Config.DB is required"},
		{"a prefix without its slash", Config{DB: filepath.Join(dir, "a.db"), Prefix: "game"}, "prefix"},
		{"a prefix ending in a slash", Config{DB: filepath.Join(dir, "b.db"), Prefix: "/game/"}, "prefix"},
		{"a preset taking a built-in name", Config{DB: filepath.Join(dir, "c.db"),
			Presets: []game.Rules{{Preset: "classic", Rows: 5, Cols: 5, Gold: 3, MaxPlayers: 2}}}, "exists already"},
		{"a preset with bad rules", Config{DB: filepath.Join(dir, "d.db"),
			Presets: []game.Rules{{Preset: "huge", Rows: 50, Cols: 5, Gold: 3, MaxPlayers: 2}}}, "rows"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Log = quiet()
			s, err := New(tt.cfg)
			if err == nil {
				s.Close(context.Background())
				t.Fatal("New accepted it")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
	// The database a refused New opened is closed again: a second New on
	// the same file works.
	s, err := New(Config{DB: filepath.Join(dir, "a.db"), Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
}

// staticIdentity signs in the tokens it knows.
type staticIdentity map[string]Player

func (s staticIdentity) Authenticate(ctx context.Context, token string) (Player, error) {
	if p, ok := s[token]; ok {
		return p, nil
	}
	if token == "broken" {
		return Player{}, errors.New("the host's session store is down")
	}
	return Player{}, ErrBadToken
}

func TestHostIdentity(t *testing.T) {
	s := newTest(t, Config{Identity: staticIdentity{
		"good":    {ID: "u1", Name: "  Ada  "},
		"bad-id":  {ID: "has space", Name: "X"},
		"no-name": {ID: "u2", Name: " "},
	}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, tt := range []struct {
		token  string
		status int
	}{
		{"good", 201},
		{"unknown", 401},
		{"bad-id", 401},
		{"no-name", 401},
		{"broken", 500},
	} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/rooms", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+tt.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("token %q: %d, want %d", tt.token, resp.StatusCode, tt.status)
		}
	}
	p, err := s.store.Player(context.Background(), "u1")
	if err != nil || p.Name != "Ada" {
		t.Fatalf("the host's player in the store: %+v, %v", p, err)
	}
	// An admin's ban holds against the host's word.
	s.store.SetBanned(context.Background(), "u1", true)
	if _, err := (hostIdentity{host: s.cfg.Identity, store: s.store}).Authenticate(context.Background(), "good"); !errors.Is(err, server.ErrBanned) {
		t.Fatalf("a banned player: %v, want ErrBanned", err)
	}
}

// TestHookQueue fills a queue of 2 behind a hook that blocks: the rooms go
// on, the extra events are dropped and counted, and Close gives up on the
// blocked hook when its context ends.
func TestHookQueue(t *testing.T) {
	s := newTest(t, Config{HookQueue: 2, HookTimeout: time.Minute})
	release := make(chan struct{})
	got := make(chan Notice, 10)
	s.OnRoom(func(ctx context.Context, n Notice) error {
		got <- n
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	ctx := context.Background()
	for i := range 5 {
		start := time.Now()
		if _, err := s.rooms.Create(ctx, room.Player{ID: "p", Name: "P"}, room.Options{Rules: game.Rules{Preset: "classic", Rows: 9, Cols: 9, Gold: 10, MaxPlayers: 2}}); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("room %d took %v to create behind a blocked hook", i, d)
		}
	}
	if n := <-got; n.Kind != RoomCreated || n.PlayerID != "p" {
		t.Fatalf("first notice: %+v", n)
	}
	// One event is with the hook, two wait, two were dropped.
	if d := testDropped(s); d != 2 {
		t.Fatalf("dropped %v events, want 2", d)
	}
	close(release)
	for range 2 {
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("the queued events never came")
		}
	}
	select {
	case n := <-got:
		t.Fatalf("a dropped event came: %+v", n)
	case <-time.After(100 * time.Millisecond):
	}
}

func testDropped(s *Server) float64 {
	mfs, _ := s.srv.Metrics().Registry().Gather()
	for _, mf := range mfs {
		if mf.GetName() == "goldmine_hook_dropped_total" {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return -1
}

// TestRoomLimitsDefault: an embedded server's zero RoomConfig takes the
// binary's caps on rooms, and a negative one turns a cap off (issue 16.6).
func TestRoomLimitsDefault(t *testing.T) {
	ctx := context.Background()
	rules, _ := game.Preset("classic")
	create := func(s *Server, n int, player string) error {
		for range n {
			if _, err := s.rooms.Create(ctx, room.Player{ID: player, Name: "Ann"}, room.Options{Rules: rules}); err != nil {
				return err
			}
		}
		return nil
	}
	t.Run("ZeroTakesTheDefault", func(t *testing.T) {
		s := newTest(t, Config{})
		if err := create(s, room.DefaultMaxRoomsPerPlayer, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := create(s, 1, "ann"); !errors.Is(err, room.ErrLimit) {
			t.Fatalf("room %d of one player: %v, want ErrLimit", room.DefaultMaxRoomsPerPlayer+1, err)
		}
	})
	t.Run("NegativeIsNoCap", func(t *testing.T) {
		s := newTest(t, Config{Rooms: RoomConfig{MaxRoomsPerPlayer: -1}})
		if err := create(s, room.DefaultMaxRoomsPerPlayer+2, "ann"); err != nil {
			t.Fatal(err)
		}
	})
	if got, want := roomLimit(0, room.DefaultMaxRooms), room.DefaultMaxRooms; got != want {
		t.Fatalf("roomLimit(0)=%d, want %d", got, want)
	}
	if got, want := roomLimit(-1, room.DefaultMaxRooms), 0; got != want {
		t.Fatalf("roomLimit(-1)=%d, want %d (no cap)", got, want)
	}
}
