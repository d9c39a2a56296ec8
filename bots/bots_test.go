package bots_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/bots"
	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
	"github.com/goldmine-game/goldmine/store"
)

var (
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	t0    = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

// world is a store on a real file, the rooms on it and the bots, on a
// fake clock.
type world struct {
	st    *store.Store
	rooms *room.Manager
	bots  *bots.Manager
	clock *room.FakeClock
	// logs has the bots' logs, debug included.
	logs *logBuffer
}

func open(t *testing.T, path string, clock *room.FakeClock, opts ...func(*bots.Config)) *world {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: path, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, clock: clock, logs: &logBuffer{}}
	w.rooms = room.NewManager(room.Config{Store: st, Clock: clock, Log: quiet,
		Substitute: func(level string) (room.Player, room.BotConn, error) { return w.bots.Substitute(level) }})
	log := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := bots.Config{Rooms: w.rooms, Players: st, Clock: clock, Log: log, Seed: 7}
	for _, o := range opts {
		o(&cfg)
	}
	w.bots = bots.New(cfg)
	t.Cleanup(w.close)
	return w
}

// logBuffer is a bytes.Buffer for a logger that several goroutines use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (w *world) close() {
	w.bots.Close()
	w.rooms.Close()
	w.st.Close()
}

// human is a person's side of a room.Conn: it keeps the frames.
type human struct {
	mu     sync.Mutex
	frames []map[string]any
}

func (h *human) Send(frame []byte) {
	var m map[string]any
	if err := json.Unmarshal(frame, &m); err != nil {
		panic(err)
	}
	h.mu.Lock()
	h.frames = append(h.frames, m)
	h.mu.Unlock()
}

func (h *human) Close(int, string) {}

// playOut moves the clock a bot's pause at a time until cond holds.
func (w *world) playOut(t *testing.T, id string, cond func(room.Snapshot) bool) room.Snapshot {
	t.Helper()
	for range 2000 {
		s, err := w.rooms.Snapshot(id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(s) {
			return s
		}
		w.clock.Advance(2 * time.Second)
	}
	t.Fatal("the bots did not get there")
	return room.Snapshot{}
}

func finished(s room.Snapshot) bool { return s.Status == room.Finished }

func TestTwoBotsPlayAGameToItsEnd(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "g.db"), room.NewFakeClock(t0))
	rules, _ := game.Preset("classic")
	snap, err := w.rooms.Create(ctx, room.Player{ID: "host", Name: "Host"}, room.Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []solver.Level{solver.Hard, solver.Easy} {
		if _, err := w.bots.Add(ctx, snap.ID, l); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.bots.Add(ctx, snap.ID, solver.Normal); err == nil {
		t.Fatal("a third bot sat in a room of two")
	}
	end := w.playOut(t, snap.ID, finished)
	if end.Result == nil || end.Result.Reason != game.EndAllGold {
		t.Fatalf("the game ended with %+v", end.Result)
	}
	if end.Players[0].BotLevel != "hard" || end.Players[1].BotLevel != "easy" || !end.Players[0].Bot {
		t.Fatalf("players %+v", end.Players)
	}
	games, err := w.st.Games(ctx, domain.GamesFilter{Limit: 10})
	if err != nil || len(games) != 1 || !games[0].Players[0].Bot || !games[0].Players[1].Bot {
		t.Fatalf("stored games %+v, %v", games, err)
	}
	board, err := w.st.Leaderboard(ctx, "all", 10)
	if err != nil || len(board) != 0 {
		t.Fatalf("bots on the leaderboard: %+v %v", board, err)
	}
	// Bots never ask for a rematch by themselves.
	w.clock.Advance(time.Minute)
	if s, _ := w.rooms.Snapshot(snap.ID); s.Status != room.Finished || s.Players[0].Rematch || s.Players[1].Rematch {
		t.Fatalf("two bots alone went on: %+v", s)
	}
}

func TestABotAnswersARematch(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "g.db"), room.NewFakeClock(t0))
	rules, _ := game.Preset("classic")
	rules.Rows, rules.Cols, rules.Gold = 5, 5, 3
	snap, _ := w.rooms.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules})
	ann, err := w.rooms.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, &human{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.bots.Add(ctx, snap.ID, solver.Normal); err != nil {
		t.Fatal(err)
	}
	for {
		s, _ := w.rooms.Snapshot(snap.ID)
		if s.Status == room.Finished {
			break
		}
		if *s.Turn == 0 {
			for i, c := range s.Board.Cells {
				if c == game.Hidden {
					if err := ann.Dig(i/s.Board.Cols, i%s.Board.Cols, nil); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			continue
		}
		w.clock.Advance(2 * time.Second)
	}
	if err := ann.Rematch(); err != nil {
		t.Fatal(err)
	}
	s := w.playOut(t, snap.ID, func(s room.Snapshot) bool { return s.Status == room.Playing })
	if s.Game != 2 {
		t.Fatalf("game %d, want the rematch", s.Game)
	}
}

// TestBotsComeBackAfterARestart stops everything in the middle of a game
// between two bots and starts again from the file: the bots take their
// seats back and finish the game.
func TestBotsComeBackAfterARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "g.db")
	clock := room.NewFakeClock(t0)
	w := open(t, path, clock)
	rules, _ := game.Preset("classic")
	snap, _ := w.rooms.Create(ctx, room.Player{ID: "host", Name: "Host"}, room.Options{Rules: rules})
	w.bots.Add(ctx, snap.ID, solver.Hard)
	w.bots.Add(ctx, snap.ID, solver.Normal)
	mid := w.playOut(t, snap.ID, func(s room.Snapshot) bool { return s.Seq >= 8 })
	if mid.Status != room.Playing {
		t.Fatalf("status %s after %d events", mid.Status, mid.Seq)
	}
	w.close()

	w2 := open(t, path, clock)
	if _, err := w2.rooms.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w2.bots.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if n := w2.bots.Count(); n != 2 {
		t.Fatalf("%d bots back, want 2", n)
	}
	watch := &human{}
	if _, err := w2.rooms.Join(ctx, snap.ID, room.Player{ID: "eve", Name: "Eve"}, room.RoleSpectator, watch); err != nil {
		t.Fatal(err)
	}
	end := w2.playOut(t, snap.ID, finished)
	if end.Players[0].BotLevel != "hard" || end.Players[1].BotLevel != "normal" || end.Result == nil {
		t.Fatalf("after the restart: %+v", end)
	}
	// The bots' move ids are new after the restart: none of their digs is
	// refused as a duplicate, and no turn of theirs runs out (issue 16.7).
	for _, logs := range []string{w.logs.String(), w2.logs.String()} {
		if n := strings.Count(logs, "dig refused"); n > 0 {
			t.Fatalf("%d digs refused:\n%s", n, logs)
		}
	}
	watch.mu.Lock()
	defer watch.mu.Unlock()
	for _, f := range watch.frames {
		if f["type"] == "turn_skipped" {
			t.Fatalf("a bot's turn was skipped: %v", f)
		}
	}
}

// TestABotTakesOverFromAPlayerWhoLeft: in a room that asks for it, the
// seat of a player whose reconnect grace ran out goes to a bot, which
// plays it to the end.
func TestABotTakesOverFromAPlayerWhoLeft(t *testing.T) {
	ctx := context.Background()
	w := open(t, filepath.Join(t.TempDir(), "g.db"), room.NewFakeClock(t0))
	rules, _ := game.Preset("classic")
	snap, _ := w.rooms.Create(ctx, room.Player{ID: "ann", Name: "Ann"},
		room.Options{Rules: rules, BotSubstitute: "hard"})
	annConn := &human{}
	ann, _ := w.rooms.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, annConn)
	bob, _ := w.rooms.Join(ctx, snap.ID, room.Player{ID: "bob", Name: "Bob"}, room.RolePlayer, &human{})
	bob.Disconnect()
	var replaced map[string]any
	for range 400 {
		s, _ := w.rooms.Snapshot(snap.ID)
		if s.Status != room.Playing {
			break
		}
		if s.Players[1].Bot && replaced == nil {
			annConn.mu.Lock()
			for _, f := range annConn.frames {
				if f["type"] == "player_replaced" {
					replaced = f
				}
			}
			annConn.mu.Unlock()
		}
		if *s.Turn == 0 {
			for i, c := range s.Board.Cells {
				if c == game.Hidden {
					ann.Dig(i/s.Board.Cols, i%s.Board.Cols, nil)
					break
				}
			}
			continue
		}
		w.clock.Advance(5 * time.Second)
	}
	end, _ := w.rooms.Snapshot(snap.ID)
	if end.Status != room.Finished || end.Result.Reason != game.EndAllGold {
		t.Fatalf("the game ended as %s %+v", end.Status, end.Result)
	}
	if replaced == nil || replaced["replaced"] != "bob" || replaced["seat"] != 1.0 || replaced["bot_level"] != "hard" {
		t.Fatalf("player_replaced = %v", replaced)
	}
	if p := end.Result.Ranking; p[0].PlayerID == "bob" || p[1].PlayerID == "bob" {
		t.Fatalf("Bob is still in the result: %+v", p)
	}
}

func TestSubstituteNeedsALevel(t *testing.T) {
	w := open(t, filepath.Join(t.TempDir(), "g.db"), room.NewFakeClock(t0))
	if _, _, err := w.bots.Substitute("genius"); err == nil {
		t.Fatal("a bot of level genius")
	}
	w.bots.Close()
	if _, err := w.bots.Add(context.Background(), "ABCDEF", solver.Easy); err == nil {
		t.Fatal("a bot after Close")
	}
}

// TestAThinkingBotDoesNotHoldItsRoom: while a bot's solver thinks, the
// room goes on: a chat line, a spectator joining and a resync all return,
// and the bot still digs once it has chosen (issue 16.8).
func TestAThinkingBotDoesNotHoldItsRoom(t *testing.T) {
	ctx := context.Background()
	thinking, release := make(chan struct{}, 1), make(chan struct{})
	slow := func(o *bots.Config) {
		o.Choose = func(l solver.Level, v game.View, gold int, rng *mrand.Rand) (int, int, error) {
			thinking <- struct{}{}
			<-release
			return solver.Choose(l, v, gold, rng)
		}
	}
	w := open(t, filepath.Join(t.TempDir(), "g.db"), room.NewFakeClock(t0), slow)
	rules, _ := game.Preset("classic")
	snap, _ := w.rooms.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules})
	annConn := &human{}
	ann, err := w.rooms.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, annConn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.bots.Add(ctx, snap.ID, solver.Normal); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.rooms.Snapshot(snap.ID); *s.Turn == 0 {
		r, c := firstHiddenCell(s)
		if err := ann.Dig(r, c, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The fake clock runs the bot's timer, and so its think, inside
	// Advance.
	advanced := make(chan struct{})
	go func() {
		defer close(advanced)
		w.clock.Advance(2 * time.Second)
	}()
	<-thinking
	done := make(chan error, 3)
	go func() { done <- ann.Chat("hurry up") }()
	go func() {
		_, err := w.rooms.Join(ctx, snap.ID, room.Player{ID: "eve", Name: "Eve"}, room.RoleSpectator, &human{})
		done <- err
	}()
	go func() { done <- ann.Resync() }()
	for range 3 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			close(release)
			t.Fatal("the room is blocked while its bot thinks")
		}
	}
	close(release)
	<-advanced
	annConn.mu.Lock()
	defer annConn.mu.Unlock()
	var chat, dug int
	for _, f := range annConn.frames {
		switch {
		case f["type"] == "chat":
			chat++
		case f["type"] == "dug" && f["seat"] == 1.0:
			dug++
		}
	}
	if chat != 1 || dug != 1 {
		t.Fatalf("%d chat lines and %d digs of the bot, want 1 and 1", chat, dug)
	}
}

func firstHiddenCell(s room.Snapshot) (int, int) {
	for i, c := range s.Board.Cells {
		if c == game.Hidden {
			return i / s.Board.Cols, i % s.Board.Cols
		}
	}
	return -1, -1
}
