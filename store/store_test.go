package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

var fixedNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// mustOpen opens a store on a real file in a fresh temporary directory,
// with a fixed clock, and closes it when the test ends.
func mustOpen(tb testing.TB, opts ...func(*store.Options)) *store.Store {
	tb.Helper()
	return openAt(tb, filepath.Join(tb.TempDir(), "goldmine.db"), opts...)
}

// openAt opens a store at path (a file, or a PostgreSQL URL) with a fixed
// clock, and closes it when the test ends.
func openAt(tb testing.TB, path string, opts ...func(*store.Options)) *store.Store {
	tb.Helper()
	o := store.Options{Path: path, Now: func() time.Time { return fixedNow }, Log: quietLog}
	for _, f := range opts {
		f(&o)
	}
	s, err := store.Open(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestOpenPragmas(t *testing.T) {
	for _, tt := range []struct {
		sync string
		want int
	}{{store.SyncFull, 2}, {store.SyncNormal, 1}, {"", 2}} {
		t.Run("sync="+tt.sync, func(t *testing.T) {
			s := mustOpen(t, func(o *store.Options) { o.Sync = tt.sync })
			// Hold every connection of both pools at once, so that each
			// one is checked, not the same idle one again.
			ctx := context.Background()
			for _, db := range store.Conns(s) {
				var conns []*sql.Conn
				for i := 0; i < db.Stats().MaxOpenConnections; i++ {
					c, err := db.Conn(ctx)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					conns = append(conns, c)
				}
				for _, c := range conns {
					var busy, sync, fk int
					var mode string
					for _, q := range []struct {
						pragma string
						dest   any
					}{{"busy_timeout", &busy}, {"journal_mode", &mode}, {"synchronous", &sync}, {"foreign_keys", &fk}} {
						if err := c.QueryRowContext(ctx, "PRAGMA "+q.pragma).Scan(q.dest); err != nil {
							t.Fatal(err)
						}
					}
					if busy != 10000 || mode != "wal" || sync != tt.want || fk != 1 {
						t.Fatalf("busy_timeout=%d journal_mode=%s synchronous=%d foreign_keys=%d, want 10000 wal %d 1", busy, mode, sync, fk, tt.want)
					}
				}
			}
		})
	}
	if _, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "x.db"), Sync: "off"}); err == nil {
		t.Fatal("sync=off accepted")
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "goldmine.db")
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion() = %d, %v", v, err)
	}
	s.Close()
	// Reopening applies nothing twice.
	s, err = store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if v2, _ := s.SchemaVersion(ctx); v2 != v {
		t.Fatalf("version %d after reopen, want %d", v2, v)
	}
	// A newer binary migrated this file further: an older one refuses it.
	if _, err := store.Conns(s)[0].Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = store.Open(ctx, store.Options{Path: path})
	if !errors.Is(err, store.ErrSchemaTooNew) || !strings.Contains(err.Error(), "schema version 99") {
		t.Fatalf("Open(newer schema) = %v, want ErrSchemaTooNew naming version 99", err)
	}
}

func TestPlayers(t *testing.T) { eachBackend(t, testPlayers) }

func testPlayers(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	p, err := s.CreatePlayer(ctx, "Alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.ID) != 16 || p.Name != "Alice" || !p.CreatedAt.Equal(fixedNow) {
		t.Fatalf("CreatePlayer = %+v", p)
	}
	got, err := s.Player(ctx, p.ID)
	if err != nil || got != p {
		t.Fatalf("Player() = %+v, %v; want %+v", got, err, p)
	}
	if _, err := s.Player(ctx, "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Player(nobody) = %v, want ErrNotFound", err)
	}
	if err := s.SetBanned(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Player(ctx, p.ID); !got.Banned() {
		t.Fatal("not banned after SetBanned(true)")
	}
	s.SetBanned(ctx, p.ID, false)
	if got, _ := s.Player(ctx, p.ID); got.Banned() {
		t.Fatal("banned after SetBanned(false)")
	}
	if err := s.SetBanned(ctx, "nobody", true); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("SetBanned(nobody) = %v", err)
	}
	s.CreatePlayer(ctx, "alfred", false)
	s.CreatePlayer(ctx, "Bob", false)
	s.CreatePlayer(ctx, "50%_off", false)
	found, err := s.SearchPlayers(ctx, "AL", 10)
	if err != nil || len(found) != 2 {
		t.Fatalf("SearchPlayers(AL) = %v, %v; want Alice and alfred", found, err)
	}
	if found, _ := s.SearchPlayers(ctx, "50%", 10); len(found) != 1 {
		t.Fatalf("SearchPlayers(50%%) = %v: %% must be literal", found)
	}
	a1, _ := s.PlayerForOpenID(ctx, "openid-1", "Wx")
	a2, _ := s.PlayerForOpenID(ctx, "openid-1", "Other name")
	b1, _ := s.PlayerForOpenID(ctx, "openid-2", "Wy")
	if a1.ID == "" || a1.ID != a2.ID || a1.ID == b1.ID {
		t.Fatalf("openid players: %v %v %v", a1, a2, b1)
	}
}

func TestSecretOutlivesRestart(t *testing.T) { eachBackend(t, testSecretOutlivesRestart) }

func testSecretOutlivesRestart(t *testing.T, be backend) {
	ctx := context.Background()
	path := be.newPath(t)
	s, err := store.Open(ctx, store.Options{Path: path, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Secret(ctx, "tokens", 32)
	if err != nil || len(a) != 32 {
		t.Fatalf("Secret = %x, %v", a, err)
	}
	s.Close()
	if s, err = store.Open(ctx, store.Options{Path: path, Log: quietLog}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b, _ := s.Secret(ctx, "tokens", 32)
	if string(a) != string(b) {
		t.Fatal("the secret changed across a restart")
	}
	if c, _ := s.Secret(ctx, "other", 32); string(c) == string(a) {
		t.Fatal("two secrets are the same")
	}
}

// saveGame stores a room and one finished game through room.Store, as a
// room would.
func saveGame(t testing.TB, s *store.Store, roomID string, ended time.Time, players []room.GamePlayer, reason game.EndReason) int64 {
	t.Helper()
	ctx := context.Background()
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: roomID, Name: "r", CreatedBy: players[0].PlayerID, CreatedAt: ended, Rules: rules,
		Status: room.Playing, Seq: 3, GameNo: 1, Seed: 42, Salt: "ab", StartedAt: ended.Add(-time.Minute), UpdatedAt: ended}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	b, _ := game.Generate(9, 9, 10, 42)
	rec.Status = room.Finished
	move := room.MoveRecord{GameNo: 1, N: 1, Kind: game.Dig, Seat: 0, At: ended, MoveID: `"a"`}
	g := &room.GameRecord{RoomID: roomID, GameNo: 1, Rules: rules, Seed: 42, Layout: b.Layout(), Salt: "ab",
		Commitment: game.Commitment("ab", b.Layout()), Reason: reason, Players: players,
		Moves: []room.MoveRecord{move}, StartedAt: ended.Add(-time.Minute), EndedAt: ended}
	if err := s.Save(ctx, &room.Write{Room: rec, Move: &move, Game: g}); err != nil {
		t.Fatal(err)
	}
	if g.ID == 0 {
		t.Fatal("Save did not set the game id")
	}
	return g.ID
}

func gp(seat int, id string, score, rank int, winner bool) room.GamePlayer {
	return room.GamePlayer{Seat: seat, PlayerID: id, Name: strings.ToUpper(id[:1]) + id[1:], Score: score, Rank: rank, Winner: winner}
}

func TestLeaderboardAndStats(t *testing.T) { eachBackend(t, testLeaderboardAndStats) }

func testLeaderboardAndStats(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	for _, id := range []string{"ann", "bob", "cat"} {
		store.InsertPlayer(t, s, id)
	}
	old := fixedNow.Add(-10 * 24 * time.Hour)
	saveGame(t, s, "AAAAAA", old, []room.GamePlayer{gp(0, "ann", 7, 1, true), gp(1, "bob", 3, 2, false)}, game.EndAllGold)
	saveGame(t, s, "BBBBBB", fixedNow.Add(-time.Hour), []room.GamePlayer{gp(0, "bob", 5, 1, true), gp(1, "cat", 5, 1, true)}, game.EndAllGold)
	saveGame(t, s, "CCCCCC", fixedNow.Add(-time.Minute), []room.GamePlayer{gp(0, "cat", 6, 1, true), gp(1, "ann", 4, 2, false)}, game.EndAllGold)
	// Closed by an admin: stored, but counted for nobody.
	saveGame(t, s, "DDDDDD", fixedNow, []room.GamePlayer{gp(0, "ann", 0, 1, true), gp(1, "bob", 0, 1, true)}, game.EndClosed)

	ann, _ := s.Player(ctx, "ann")
	if ann.Games != 2 || ann.Wins != 1 || ann.Gold != 11 {
		t.Fatalf("ann = %+v, want 2 games, 1 win, 11 gold", ann)
	}
	all, err := s.Leaderboard(ctx, domain.PeriodAll, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []domain.LeaderboardEntry{
		{Rank: 1, PlayerID: "cat", Name: "Cat", Wins: 2, Games: 2, Gold: 11},
		{Rank: 2, PlayerID: "ann", Name: "Ann", Wins: 1, Games: 2, Gold: 11},
		{Rank: 3, PlayerID: "bob", Name: "Bob", Wins: 1, Games: 2, Gold: 8},
	}
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("all-time leaderboard:\n got %v\nwant %v", all, want)
	}
	week, _ := s.Leaderboard(ctx, domain.PeriodWeek, 10)
	wantWeek := []domain.LeaderboardEntry{
		{Rank: 1, PlayerID: "cat", Name: "Cat", Wins: 2, Games: 2, Gold: 11},
		{Rank: 2, PlayerID: "bob", Name: "Bob", Wins: 1, Games: 1, Gold: 5},
		{Rank: 3, PlayerID: "ann", Name: "Ann", Wins: 0, Games: 1, Gold: 4},
	}
	if fmt.Sprint(week) != fmt.Sprint(wantWeek) {
		t.Fatalf("week leaderboard:\n got %v\nwant %v", week, wantWeek)
	}
	if top, _ := s.Leaderboard(ctx, domain.PeriodAll, 1); len(top) != 1 {
		t.Fatalf("limit 1 gave %d", len(top))
	}
	if _, err := s.Leaderboard(ctx, "month", 10); err == nil {
		t.Fatal("period month accepted")
	}
	s.SetBanned(ctx, "cat", true)
	if all, _ := s.Leaderboard(ctx, domain.PeriodAll, 10); all[0].PlayerID == "cat" {
		t.Fatal("a banned player is on the leaderboard")
	}
}

func TestGamesPagination(t *testing.T) { eachBackend(t, testGamesPagination) }

func testGamesPagination(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	store.InsertPlayer(t, s, "ann")
	store.InsertPlayer(t, s, "bob")
	var ids []int64
	for i := 0; i < 25; i++ {
		other := "bob"
		players := []room.GamePlayer{gp(0, "ann", 6, 1, true), gp(1, other, 4, 2, false)}
		ids = append(ids, saveGame(t, s, fmt.Sprintf("R%05d", i), fixedNow.Add(time.Duration(i)*time.Minute), players, game.EndAllGold))
	}
	var seen []int64
	var before int64
	for page := 0; ; page++ {
		games, err := s.Games(ctx, domain.GamesFilter{Player: "ann", Before: before, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range games {
			seen = append(seen, g.ID)
			if len(g.Players) != 2 || g.Players[0].PlayerID != "ann" {
				t.Fatalf("game %d players %v", g.ID, g.Players)
			}
		}
		if len(games) < 10 {
			break
		}
		before = games[len(games)-1].ID
	}
	if len(seen) != 25 {
		t.Fatalf("paged through %d games, want 25", len(seen))
	}
	for i, id := range seen {
		if id != ids[24-i] {
			t.Fatalf("page order %v, want newest first %v", seen, ids)
		}
	}
	if games, _ := s.Games(ctx, domain.GamesFilter{Player: "nobody"}); len(games) != 0 {
		t.Fatalf("games of nobody: %v", games)
	}
	g, err := s.Game(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	if g.RoomID != "R00003" || len(g.Moves) != 1 || g.Moves[0].MoveID != `"a"` || g.Moves[0].N != 1 ||
		!game.Verify(g.Commitment, g.Salt, g.Layout) || g.Seed != 42 {
		t.Fatalf("Game() = %+v", g)
	}
	if _, err := s.Game(ctx, 99999); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("Game(99999) = %v", err)
	}
}

func TestLiveRoomsRoundTrip(t *testing.T) { eachBackend(t, testLiveRoomsRoundTrip) }

func testLiveRoomsRoundTrip(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	rules, _ := game.Preset("party")
	rec := room.Record{ID: "K7M2QX", Name: "Party", Private: true, CreatedBy: "ann", CreatedAt: fixedNow,
		Rules: rules, Status: room.Waiting, Seq: 1, Seats: []room.SeatRecord{{PlayerID: "ann", Name: "Ann"}}, UpdatedAt: fixedNow}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err == nil {
		t.Fatal("creating a room twice succeeded")
	}
	rec.Status, rec.Seq, rec.GameNo, rec.Seed, rec.Salt, rec.First = room.Playing, 3, 1, 1<<63+5, "salt", 1
	rec.Seats = append(rec.Seats, room.SeatRecord{PlayerID: "bob", Name: "Bob", Rematch: true})
	if err := s.Save(ctx, &room.Write{Room: rec, NewGame: true}); err != nil {
		t.Fatal(err)
	}
	// Move-only writes leave the room's row alone; their seq comes back
	// from the journal.
	for n := 1; n <= 3; n++ {
		rec.Seq++
		if err := s.Save(ctx, &room.Write{Room: rec, MoveOnly: true, Move: &room.MoveRecord{GameNo: 1, N: n, Kind: game.Skip, Seat: n % 2, MoveID: `"m"`, At: fixedNow}}); err != nil {
			t.Fatal(err)
		}
	}
	closed := rec
	closed.ID, closed.Status = "ZZZZZZ", room.Closed
	s.Save(ctx, &room.Write{Create: true, Room: closed})
	live, err := s.LiveRooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 1 {
		t.Fatalf("%d live rooms, want 1 (closed rooms stay out)", len(live))
	}
	got := live[0]
	rec.LastGameID = 0
	if fmt.Sprint(got.Room) != fmt.Sprint(rec) {
		t.Fatalf("room:\n got %+v\nwant %+v", got.Room, rec)
	}
	if len(got.Moves) != 3 || got.Moves[2].N != 3 || got.Moves[1].MoveID != `"m"` || got.Moves[0].Kind != game.Skip {
		t.Fatalf("moves: %+v", got.Moves)
	}
}

// TestJournal plays one game to its end, then another that stays in play:
// the prune drops the finished game's journal rows, the finished game keeps
// its moves in its own row, and both rooms come back intact. Rows of a
// finished game interleaved with a game in play stay until that one ends.
func TestJournal(t *testing.T) { eachBackend(t, testJournal) }

func testJournal(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	store.InsertPlayer(t, s, "ann")
	rules, _ := game.Preset("classic")
	start := func(id string) *room.Record {
		rec := &room.Record{ID: id, Name: id, CreatedBy: "ann", Rules: rules, Status: room.Waiting}
		if err := s.Save(ctx, &room.Write{Create: true, Room: *rec}); err != nil {
			t.Fatal(err)
		}
		rec.Status, rec.GameNo, rec.Seq = room.Playing, 1, 1
		if err := s.Save(ctx, &room.Write{Room: *rec, NewGame: true}); err != nil {
			t.Fatal(err)
		}
		return rec
	}
	play := func(rec *room.Record, n int) []room.MoveRecord {
		var out []room.MoveRecord
		for i := 1; i <= n; i++ {
			rec.Seq++
			m := room.MoveRecord{GameNo: 1, N: i, Kind: game.Skip, Seat: i % 2, At: fixedNow}
			if err := s.Save(ctx, &room.Write{Room: *rec, MoveOnly: true, Move: &m}); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
		return out
	}
	finish := func(rec *room.Record, moves []room.MoveRecord) int64 {
		rec.Status, rec.Seq = room.Finished, rec.Seq+1
		g := &room.GameRecord{RoomID: rec.ID, GameNo: 1, Rules: rules, Layout: strings.Repeat("0", 81), Reason: game.EndClosed,
			Players: []room.GamePlayer{gp(0, "ann", 0, 1, true)}, Moves: moves, EndedAt: fixedNow}
		if err := s.Save(ctx, &room.Write{Room: *rec, Game: g}); err != nil {
			t.Fatal(err)
		}
		return g.ID
	}

	done := start("DONE22")
	doneMoves := play(done, 5)
	doneID := finish(done, doneMoves)
	live := start("LIVE22")
	play(live, 5)
	if n := store.JournalRows(t, s); n != 10 {
		t.Fatalf("%d journal rows before the prune, want 10", n)
	}
	store.Prune(t, s)
	if n := store.JournalRows(t, s); n != 5 {
		t.Fatalf("%d journal rows after the prune, want the live game's 5", n)
	}
	// Interleaved: a game finished inside the span of one still in play
	// keeps its rows until that one ends too.
	other := start("OTHR22")
	otherMoves := play(other, 3)
	finish(other, otherMoves)
	store.Prune(t, s)
	if n := store.JournalRows(t, s); n != 8 {
		t.Fatalf("%d journal rows, want 8: nothing at or after the live game's start may go", n)
	}

	// A game in play with no recorded start keeps every row.
	old := &room.Record{ID: "OLDE22", Name: "o", CreatedBy: "ann", Rules: rules, Status: room.Playing, GameNo: 1}
	if err := s.Save(ctx, &room.Write{Create: true, Room: *old}); err != nil {
		t.Fatal(err)
	}
	before := store.JournalRows(t, s)
	finish(live, nil)
	store.Prune(t, s)
	if n := store.JournalRows(t, s); n != before {
		t.Fatalf("%d journal rows after pruning with a game of unknown start in play, want all %d", n, before)
	}

	rooms, err := s.LiveRooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*room.Record{"DONE22": done, "LIVE22": live, "OTHR22": other, "OLDE22": old}
	for _, sv := range rooms {
		moves := map[string]int{"DONE22": 5, "LIVE22": 0, "OTHR22": 3, "OLDE22": 0}[sv.Room.ID]
		if len(sv.Moves) != moves || sv.Room.Seq != want[sv.Room.ID].Seq {
			t.Fatalf("room %s: %d moves, seq %d; want %d moves, seq %d", sv.Room.ID, len(sv.Moves), sv.Room.Seq, moves, want[sv.Room.ID].Seq)
		}
	}
	stored, err := s.Game(ctx, doneID)
	if err != nil || fmt.Sprint(stored.Moves) != fmt.Sprint(doneMoves) {
		t.Fatalf("stored moves %v, %v; want %v", stored.Moves, err, doneMoves)
	}
}

// TestMigration2 builds a database with the first schema, as a v1 binary
// left it, and checks that migration 2 carries its moves over.
func TestMigration2(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	store.OpenAtVersion(t, path, 1, `
		INSERT INTO players (id, name, created_at) VALUES ('ann', 'Ann', 0);
		INSERT INTO rooms (id, name, private, created_by, created_at, rules, status, seq, seats, game_no, seed, salt, first_seat, started_at, updated_at)
		VALUES ('PLAY22', 'p', 0, 'ann', 0, '{}', 'playing', 7, '[]', 2, 1, 's', 0, 0, 0),
		       ('FINI22', 'f', 0, 'ann', 0, '{}', 'finished', 9, '[]', 1, 1, 's', 0, 0, 0);
		INSERT INTO moves (room_id, game_no, n, seat, kind, row, col, move_id, at) VALUES
		    ('PLAY22', 1, 1, 0, 'dig', 1, 1, '', 1), ('PLAY22', 2, 1, 0, 'dig', 2, 2, '"x"', 2), ('PLAY22', 2, 2, 1, 'skip', 0, 0, '', 3),
		    ('FINI22', 1, 1, 0, 'dig', 3, 3, '', 4), ('FINI22', 1, 2, 1, 'forfeit', 0, 0, '', 5);
		INSERT INTO games (id, room_id, game_no, rules, seed, first_seat, layout, salt, commitment, ended_reason, started_at, ended_at)
		VALUES (1, 'FINI22', 1, '{}', 1, 0, '0', 's', 'c', 'forfeit', 0, 5);
		UPDATE rooms SET last_game_id = 1 WHERE id = 'FINI22';`)
	s, err := store.Open(ctx, store.Options{Path: path, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.Game(ctx, 1)
	if err != nil || len(g.Moves) != 2 || g.Moves[1].Kind != game.Forfeit || g.Moves[0].Row != 3 {
		t.Fatalf("finished game after migration: %+v, %v", g.Moves, err)
	}
	live, err := s.LiveRooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sv := range live {
		switch sv.Room.ID {
		case "PLAY22":
			if len(sv.Moves) != 2 || sv.Moves[0].MoveID != `"x"` || sv.Moves[1].Kind != game.Skip || sv.Room.Seq != 7 {
				t.Fatalf("game in play after migration: %+v seq %d", sv.Moves, sv.Room.Seq)
			}
		case "FINI22":
			if len(sv.Moves) != 2 {
				t.Fatalf("finished room after migration: %+v", sv.Moves)
			}
		}
	}
}

// TestConcurrentWriters has many rooms saving moves at once while readers
// read; with one writer connection and WAL, none may see SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) { eachBackend(t, testConcurrentWriters) }

func testConcurrentWriters(t *testing.T, b backend) {
	ctx := context.Background()
	var mu sync.Mutex
	var batches, writes int
	s := b.open(t, func(o *store.Options) {
		o.OnCommit = func(n int, d time.Duration, err error) { mu.Lock(); batches++; writes += n; mu.Unlock() }
	})
	rules, _ := game.Preset("classic")
	const rooms, moves = 40, 50
	var wg sync.WaitGroup
	errs := make(chan error, rooms*moves+100)
	for r := 0; r < rooms; r++ {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			rec := room.Record{ID: fmt.Sprintf("W%05d", r), Name: "w", CreatedBy: "x", Rules: rules, Status: room.Playing, GameNo: 1}
			if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
				errs <- err
				return
			}
			for n := 1; n <= moves; n++ {
				rec.Seq = int64(n)
				if err := s.Save(ctx, &room.Write{Room: rec, Move: &room.MoveRecord{GameNo: 1, N: n, Kind: game.Skip}}); err != nil {
					errs <- err
				}
			}
		}(r)
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for i := 0; i < 4; i++ {
		rg.Add(1)
		go func() {
			defer rg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.LiveRooms(ctx); err != nil {
					errs <- err
				}
				if _, err := s.Leaderboard(ctx, domain.PeriodWeek, 10); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent access failed: %v", err)
	}
	live, _ := s.LiveRooms(ctx)
	total := 0
	for _, r := range live {
		total += len(r.Moves)
	}
	if total != rooms*moves {
		t.Fatalf("%d moves stored, want %d", total, rooms*moves)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d writes in %d group commits", writes, batches)
	if batches >= writes {
		t.Fatalf("%d writes took %d commits: nothing was grouped", writes, batches)
	}
}

func TestBackupOfLiveDatabase(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	store.InsertPlayer(t, s, "ann")
	store.InsertPlayer(t, s, "bob")
	stop := make(chan struct{})
	done := make(chan int)
	go func() { // keep writing games while the backup runs
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			saveGame(t, s, fmt.Sprintf("L%05d", n), fixedNow, []room.GamePlayer{gp(0, "ann", 6, 1, true), gp(1, "bob", 4, 2, false)}, game.EndAllGold)
			n++
		}
	}()
	for i := 0; i < 5; i++ { // let some games land first
		saveGame(t, s, fmt.Sprintf("P%05d", i), fixedNow, []room.GamePlayer{gp(0, "ann", 6, 1, true), gp(1, "bob", 4, 2, false)}, game.EndAllGold)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	err := s.Backup(ctx, dest)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	b, err := store.Open(ctx, store.Options{Path: dest})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	ann, err := b.Player(ctx, "ann")
	if err != nil || ann.Games < 5 {
		t.Fatalf("backup has ann = %+v, %v; want at least 5 games", ann, err)
	}
	games, _ := b.Games(ctx, domain.GamesFilter{Limit: 100})
	if len(games) != ann.Games {
		t.Fatalf("backup has %d games but ann's total says %d: not one consistent point in time", len(games), ann.Games)
	}
}

// TestFullDisk caps the file at its current size: writes that need a new
// page fail with a clear error, nothing stored is damaged, and writing
// works again once the cap is lifted.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	store.InsertPlayer(t, s, "ann")
	size, err := s.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetMaxBytes(ctx, size); err != nil {
		t.Fatal(err)
	}
	var failed error
	for i := 0; i < 1000 && failed == nil; i++ {
		_, failed = s.CreatePlayer(ctx, strings.Repeat("x", 24), false)
	}
	if failed == nil || !strings.Contains(failed.Error(), "full") {
		t.Fatalf("writes past the cap: %v, want a 'database or disk is full' error", failed)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Player(ctx, "ann"); err != nil {
		t.Fatalf("stored data damaged: %v", err)
	}
	if err := s.SetMaxBytes(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePlayer(ctx, "after", false); err != nil {
		t.Fatalf("write after lifting the cap: %v", err)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) { eachBackend(t, testClosedStoreRefusesWrites) }

func testClosedStoreRefusesWrites(t *testing.T, b backend) {
	s := b.open(t)
	s.Close()
	if _, err := s.CreatePlayer(context.Background(), "late", false); !errors.Is(err, domain.ErrClosed) {
		t.Fatalf("write after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}

func TestEnsurePlayer(t *testing.T) { eachBackend(t, testEnsurePlayer) }

func testEnsurePlayer(t *testing.T, b backend) {
	ctx := context.Background()
	s := b.open(t)
	p, err := s.EnsurePlayer(ctx, "host:42", "Ada")
	if err != nil || p.ID != "host:42" || p.Name != "Ada" || p.Banned() {
		t.Fatalf("EnsurePlayer = %+v, %v", p, err)
	}
	if again, err := s.EnsurePlayer(ctx, "host:42", "Ada"); err != nil || again != p {
		t.Fatalf("the second time: %+v, %v; want %+v", again, err, p)
	}
	renamed, err := s.EnsurePlayer(ctx, "host:42", "Ada L.")
	if err != nil || renamed.Name != "Ada L." || !renamed.CreatedAt.Equal(p.CreatedAt) {
		t.Fatalf("renamed: %+v, %v", renamed, err)
	}
	if err := s.SetBanned(ctx, "host:42", true); err != nil {
		t.Fatal(err)
	}
	if b, err := s.EnsurePlayer(ctx, "host:42", "Ada"); err != nil || !b.Banned() {
		t.Fatalf("a ban must survive: %+v, %v", b, err)
	}
}

// TestAFailingWriteFailsAlone mixes, in the same group commits, writes
// that fail (a change to a room that does not exist) with good ones: each
// bad one gets its error, and every good one is stored.
func TestAFailingWriteFailsAlone(t *testing.T) { eachBackend(t, testAFailingWriteFailsAlone) }

func testAFailingWriteFailsAlone(t *testing.T, b backend) {
	ctx := context.Background()
	var mu sync.Mutex
	maxBatch := 0
	s := b.open(t, func(o *store.Options) {
		o.CommitDelay = 20 * time.Millisecond // let writes pile up into shared commits
		o.OnCommit = func(n int, d time.Duration, err error) { mu.Lock(); maxBatch = max(maxBatch, n); mu.Unlock() }
	})
	rules, _ := game.Preset("classic")
	const rooms = 30
	for r := range rooms {
		rec := room.Record{ID: fmt.Sprintf("F%05d", r), Name: "f", CreatedBy: "x", Rules: rules, Status: room.Waiting}
		if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2*rooms)
	for i := range 2 * rooms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("F%05d", i/2)
			if i%2 == 1 {
				id = fmt.Sprintf("NOPE%02d", i) // no such room: the update fails
			}
			rec := room.Record{ID: id, Name: "f", CreatedBy: "x", Rules: rules, Status: room.Waiting, Seq: 7}
			errs[i] = s.Save(ctx, &room.Write{Room: rec})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 1 && !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("write %d to a missing room: %v, want ErrNotFound", i, err)
		}
		if i%2 == 0 && err != nil {
			t.Fatalf("good write %d failed with the bad ones: %v", i, err)
		}
	}
	live, err := s.LiveRooms(ctx)
	if err != nil || len(live) != rooms {
		t.Fatalf("LiveRooms: %d rooms, %v", len(live), err)
	}
	for _, l := range live {
		if l.Room.Seq != 7 {
			t.Fatalf("room %s at seq %d: a good write was lost", l.Room.ID, l.Room.Seq)
		}
	}
	// One more write: its answer comes after the writer reported every
	// commit before it.
	if err := s.SetMeta(ctx, "after", []byte("x")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	largest := maxBatch
	mu.Unlock()
	if largest < 2 {
		t.Fatalf("the writes never shared a commit (largest %d): the test proves nothing", largest)
	}
}
