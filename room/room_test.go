package room_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// conn records the frames a room sends it. It is the consumer side of
// room.Conn, as a WebSocket session is.
type conn struct {
	mu     sync.Mutex
	frames []map[string]any
	code   int
}

func (c *conn) Send(frame []byte) {
	var m map[string]any
	if err := json.Unmarshal(frame, &m); err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.frames = append(c.frames, m)
	c.mu.Unlock()
}

func (c *conn) Close(code int, reason string) { c.mu.Lock(); c.code = code; c.mu.Unlock() }

func (c *conn) last() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frames[len(c.frames)-1]
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: path, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newManager(st *store.Store, clock room.Clock) *room.Manager {
	return room.NewManager(room.Config{Store: st, Clock: clock, Log: quiet})
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// TestRecover plays half a game, abandons the manager as a crash would
// (no Close, no flush beyond what each move already committed), and
// rebuilds the rooms from the same file in a new manager.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "goldmine.db")
	st := openStore(t, path)
	clock := room.NewFakeClock(t0)
	m1 := newManager(st, clock)
	classic, _ := game.Preset("party")
	snap, err := m1.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: classic})
	if err != nil {
		t.Fatal(err)
	}
	var members []*room.Member
	for _, p := range []room.Player{{ID: "ann", Name: "Ann"}, {ID: "bob", Name: "Bob"}, {ID: "cat", Name: "Cat"}} {
		mem, err := m1.Join(ctx, snap.ID, p, room.RolePlayer, &conn{})
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, mem)
	}
	waiting, _ := m1.Create(ctx, room.Player{ID: "bob", Name: "Bob"}, room.Options{Rules: classic, Name: "Later"})
	if err := members[1].Start(); err != nil {
		t.Fatal(err)
	}
	r1, _ := m1.Room(snap.ID)
	for i := 0; i < 20; i++ {
		s := r1.Snapshot()
		if s.Turn == nil {
			break
		}
		row, col := firstHidden(s)
		if err := members[*s.Turn].Dig(row, col, json.RawMessage(`"id`+string(rune('a'+i))+`"`)); err != nil {
			t.Fatal(err)
		}
	}
	members[2].Leave() // a forfeit is a move too
	clock.Advance(30 * time.Second)
	before := r1.Snapshot()
	// The list follows every event's seq, moves included.
	for _, sum := range m1.List(room.Filter{}) {
		if sum.ID == snap.ID && sum.Seq != before.Seq {
			t.Fatalf("the list has seq %d, the room %d", sum.Seq, before.Seq)
		}
	}

	st.Close() // the writes are all committed; this only releases the file
	st2 := openStore(t, path)
	m2 := newManager(st2, room.NewFakeClock(t0.Add(time.Hour)))
	n, err := m2.Recover(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Recover() = %d, %v; want 2 rooms", n, err)
	}
	after, err := m2.Snapshot(snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	if list := m2.List(room.Filter{Status: room.Playing}); len(list) != 1 || list[0].Seq != before.Seq {
		t.Fatalf("the recovered room's list entry: %+v, want seq %d", list, before.Seq)
	}
	for _, p := range before.Players {
		p.Connected = false
		if after.Players[p.Seat] != p {
			t.Fatalf("seat %d: %+v, want %+v", p.Seat, after.Players[p.Seat], p)
		}
	}
	if after.Seq != before.Seq || *after.Turn != *before.Turn || after.GoldLeft != before.GoldLeft ||
		*after.Commitment != *before.Commitment || after.Status != before.Status {
		t.Fatalf("recovered room differs:\n got %+v\nwant %+v", after, before)
	}
	b1, _ := json.Marshal(before.Board)
	b2, _ := json.Marshal(after.Board)
	if string(b1) != string(b2) {
		t.Fatalf("board:\n got %s\nwant %s", b2, b1)
	}
	// The deadline restarts from the recovery, not from before the crash.
	if *after.Deadline != t0.Add(time.Hour+30*time.Second).UnixMilli() {
		t.Fatalf("deadline %d, want the recovery time + 30 s", *after.Deadline)
	}
	if w, _ := m2.Snapshot(waiting.ID); w.Status != room.Waiting || w.Name != "Later" {
		t.Fatalf("waiting room: %+v", w)
	}
	// A used move id stays used after the restart.
	c := &conn{}
	mem, err := m2.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Dig(0, 0, json.RawMessage(`"ida"`)); !errors.Is(err, room.ErrDuplicateMove) {
		t.Fatalf("dig with a used id after recovery = %v, want ErrDuplicateMove", err)
	}
}

func firstHidden(s room.Snapshot) (int, int) {
	for i, v := range s.Board.Cells {
		if v == game.Hidden {
			return i / s.Board.Cols, i % s.Board.Cols
		}
	}
	return -1, -1
}

func TestFakeClock(t *testing.T) {
	c := room.NewFakeClock(t0)
	var got []string
	c.AfterFunc(2*time.Second, func() { got = append(got, "b") })
	c.AfterFunc(time.Second, func() {
		got = append(got, "a")
		c.AfterFunc(500*time.Millisecond, func() { got = append(got, "a2") })
	})
	stopped := c.AfterFunc(1500*time.Millisecond, func() { got = append(got, "never") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must report true once, then false")
	}
	c.Advance(1900 * time.Millisecond)
	if strings.Join(got, ",") != "a,a2" || !c.Now().Equal(t0.Add(1900*time.Millisecond)) {
		t.Fatalf("fired %v at %v", got, c.Now())
	}
	c.Advance(time.Second)
	if strings.Join(got, ",") != "a,a2,b" || c.Pending() != 0 {
		t.Fatalf("fired %v, %d pending", got, c.Pending())
	}
}

func TestNormalizeID(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"K7M2QX", "K7M2QX", true},
		{" k7m2qx ", "K7M2QX", true},
		{"K7M2Q", "", false},
		{"K7M2QX9", "", false},
		{"K0M2QX", "", false}, // 0 is not in the alphabet
		{"KOM2QX", "", false}, // nor O
		{"K1M2QX", "", false},
		{"KIM2QX", "", false},
	} {
		if got, ok := room.NormalizeID(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRoomIDsAreReadable(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "g.db"))
	m := newManager(st, room.NewFakeClock(t0))
	r, _ := game.Preset("classic")
	for i := 0; i < 50; i++ {
		s, err := m.Create(context.Background(), room.Player{ID: "p", Name: "P"}, room.Options{Rules: r})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := room.NormalizeID(s.ID); !ok || strings.ContainsAny(s.ID, "01OI") {
			t.Fatalf("room id %q", s.ID)
		}
	}
}

func TestCleanText(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"  Alice ", "Alice", true},
		{"金矿玩家", "金矿玩家", true},
		{"👨‍👩‍👧 family", "👨‍👩‍👧 family", true}, // emoji joined by U+200D
		{strings.Repeat("é", 24), strings.Repeat("é", 24), true},
		{strings.Repeat("é", 25), "", false},
		{"", "", false},
		{"   ", "", false},
		{"a\x00b", "", false},
		{"tab\there", "", false},
		{"evil\u202Etxt", "", false}, // right-to-left override
		{"\xff", "", false},
	} {
		got, err := room.CleanText("name", tt.in, 24)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CleanText(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, room.ErrBadText) {
			t.Errorf("CleanText(%q) error %v does not wrap ErrBadText", tt.in, err)
		}
	}
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "g.db"))
	m := room.NewManager(room.Config{Store: st, Clock: room.NewFakeClock(t0), Log: quiet, MaxRooms: 3, MaxRoomsPerPlayer: 2})
	r, _ := game.Preset("classic")
	ann, bob := room.Player{ID: "ann", Name: "Ann"}, room.Player{ID: "bob", Name: "Bob"}
	for _, p := range []room.Player{ann, ann, bob} {
		if _, err := m.Create(ctx, p, room.Options{Rules: r}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Create(ctx, ann, room.Options{Rules: r}); !errors.Is(err, room.ErrLimit) {
		t.Fatalf("third room of a player: %v, want ErrLimit", err)
	}
	if _, err := m.Create(ctx, room.Player{ID: "cat", Name: "Cat"}, room.Options{Rules: r}); !errors.Is(err, room.ErrLimit) {
		t.Fatalf("fourth room in all: %v, want ErrLimit", err)
	}
	bad := r
	bad.Gold = 0
	if _, err := room.NewManager(room.Config{Store: st, Log: quiet}).Create(ctx, ann, room.Options{Rules: bad}); !errors.Is(err, game.ErrInvalidRules) {
		t.Fatalf("invalid rules: %v", err)
	}
}
