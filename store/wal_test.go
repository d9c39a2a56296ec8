package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// TestSizeCapCountsTheWAL: under --db-max-mb, the database file and its
// WAL together stay under the cap, however many commits rewrite the same
// pages, and writes past it fail as a full disk does (issue 15.7).
func TestSizeCapCountsTheWAL(t *testing.T) {
	ctx := context.Background()
	const cap = 1 << 20
	path := filepath.Join(t.TempDir(), "goldmine.db")
	s := openAt(t, path, func(o *store.Options) { o.MaxBytes = cap })
	store.InsertPlayer(t, s, "ann")
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: "WALL22", Name: "w", CreatedBy: "ann", Rules: rules, Status: room.Waiting}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	onDisk := func() int64 {
		var n int64
		for _, f := range []string{path, path + "-wal"} {
			if fi, err := os.Stat(f); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	// Rewrites of one room row: the file does not grow, the WAL does.
	var peak int64
	for i := range 3000 {
		rec.Seq++
		if err := s.Save(ctx, &room.Write{Room: rec}); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if n := onDisk(); n > peak {
			peak = n
		}
	}
	if peak > cap {
		t.Fatalf("database and WAL reached %d bytes under a cap of %d", peak, cap)
	}
	// New rows fill the database up to the cap, WAL included, and then
	// fail as unavailable.
	var err error
	for i := 0; i < 100000 && err == nil; i++ {
		_, err = s.CreatePlayer(ctx, "a player with a long name", false)
		if n := onDisk(); n > peak {
			peak = n
		}
	}
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("writes past the cap: %v, want ErrUnavailable", err)
	}
	if peak > cap {
		t.Fatalf("database and WAL reached %d bytes under a cap of %d", peak, cap)
	}
	t.Logf("peak on disk %d bytes under a cap of %d", peak, cap)
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestWALKeepsItsSize: once the checkpointer starts the WAL over, commits
// write over the file from its start instead of growing it again, since an
// fsync after an append also writes the file's new size: on this machine
// 1.5–2.5 times the time and 1.3–1.7 times the CPU of one after a write in
// place (docs/benchmarks.md, issue 20). Under a size cap the WAL is still cut back (TestSizeCapCountsTheWAL).
func TestWALKeepsItsSize(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "goldmine.db")
	s := openAt(t, path)
	const limit = 100 // pages
	store.SetWALLimit(s, limit)
	store.InsertPlayer(t, s, "ann")
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: "WALK22", Name: "w", CreatedBy: "ann", Rules: rules, Status: room.Waiting}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	save := func(n int) {
		for range n {
			rec.Seq++
			if err := s.Save(ctx, &room.Write{Room: rec}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Past the limit, and within the twice the limit that a WAL which
	// starts over is cut back to.
	for walSize() <= (limit+4)*4096 {
		save(1)
	}
	full := walSize()
	if full > 2*limit*4096 {
		t.Fatalf("the WAL went past %d pages to %d bytes in one commit", limit+4, full)
	}
	store.Checkpoint(t, s) // past the limit: the WAL starts over
	if mode := store.LastRestart(s); mode != "RESTART" {
		t.Fatalf("the checkpointer started the WAL over with %q, want RESTART", mode)
	}
	if got := walSize(); got != full {
		t.Fatalf("the checkpoint took the WAL from %d to %d bytes; want it kept", full, got)
	}
	save(2) // fewer pages than the file holds: written in place
	if got := walSize(); got != full {
		t.Fatalf("2 commits after the checkpoint took the WAL from %d to %d bytes; want them written in place", full, got)
	}
	var frames int
	if err := store.Conns(s)[1].QueryRow("SELECT count(*) FROM rooms WHERE id = ? AND seq = ?", rec.ID, rec.Seq).Scan(&frames); err != nil || frames != 1 {
		t.Fatalf("the room's last save is not read back after the WAL started over: %d rows, %v", frames, err)
	}
}

// TestWALIsCutBackAfterALongRead: without a size cap the WAL keeps its
// size, but not whatever size it reached: while a long read (a backup, a
// slow query) keeps the checkpointer from starting it over, the WAL grows
// past its limit, and once the read ends and the WAL starts over, the next
// commit cuts it back to twice the limit.
func TestWALIsCutBackAfterALongRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "goldmine.db")
	s := openAt(t, path)
	store.SetWALLimit(s, 20)
	store.InsertPlayer(t, s, "ann")
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: "WALR22", Name: "w", CreatedBy: "ann", Rules: rules, Status: room.Waiting}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	save := func(n int) {
		for range n {
			rec.Seq++
			if err := s.Save(ctx, &room.Write{Room: rec}); err != nil {
				t.Fatal(err)
			}
		}
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// A read transaction that stays open, as a backup's does (BEGIN, not
	// the pool's BEGIN IMMEDIATE: the readers are read-only).
	conn, err := store.Conns(s)[1].Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM rooms").Scan(&n); err != nil {
		t.Fatal(err)
	}
	save(300)
	grown := walSize()
	limit := int64(2 * 20 * 4096)
	if grown <= limit {
		t.Fatalf("the WAL is %d bytes after 300 commits under a read: the test needs more than %d", grown, limit)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	store.Checkpoint(t, s) // the WAL starts over
	save(1)
	if got := walSize(); got > limit {
		t.Fatalf("the WAL is %d bytes after it started over, from %d: want it cut back to at most %d", got, grown, limit)
	}
}
