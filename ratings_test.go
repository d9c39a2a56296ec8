package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// TestRatingsRebuild: `goldmine ratings rebuild` puts back, exactly, the
// ratings that the games set one by one, after they were spoiled.
func TestRatingsRebuild(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "goldmine.db")
	s, err := store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := game.Preset("classic")
	b, _ := game.Generate(9, 9, 10, 42)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < 6; i++ {
		id := fmt.Sprintf("RBLD%02d", i)
		rec := room.Record{ID: id, Name: "r", CreatedBy: "ann", CreatedAt: at, Rules: rules, Status: room.Finished,
			GameNo: 1, Seed: 42, Salt: "ab", Rated: true}
		if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
			t.Fatal(err)
		}
		win := i%3 != 0
		g := &room.GameRecord{RoomID: id, GameNo: 1, Rules: rules, Seed: 42, Layout: b.Layout(), Salt: "ab",
			Reason: game.EndAllGold, Rated: true, StartedAt: at, EndedAt: at,
			Moves: []room.MoveRecord{{GameNo: 1, N: 1, Kind: game.Dig, Seat: 0}, {GameNo: 1, N: 2, Kind: game.Dig, Seat: 1, Col: 1}},
			Players: []room.GamePlayer{
				{Seat: 0, PlayerID: "ann", Name: "Ann", Rank: map[bool]int{true: 1, false: 2}[win], Winner: win},
				{Seat: 1, PlayerID: "bob", Name: "Bob", Rank: map[bool]int{true: 2, false: 1}[win], Winner: !win},
			}}
		if err := s.Save(ctx, &room.Write{Room: rec, Game: g}); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := s.Ratings(ctx, []string{"ann", "bob"})
	s.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE ratings SET rating = 1, games = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"ratings", "rebuild", "--db", path}, func(string) string { return "" }, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "6 rated games") {
		t.Fatalf("stdout %q", stdout.String())
	}
	s, err = store.Open(ctx, store.Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.Ratings(ctx, []string{"ann", "bob"})
	for _, id := range []string{"ann", "bob"} {
		if got[id] != want[id] {
			t.Fatalf("%s: %+v after the rebuild, want %+v", id, got[id], want[id])
		}
	}
	if code := run(ctx, []string{"ratings"}, func(string) string { return "" }, &stdout, &stderr); code != 2 {
		t.Fatalf("`ratings` alone: exit code %d, want 2", code)
	}
}
