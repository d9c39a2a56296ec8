package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/rating"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// saveRated stores a room and one finished game in it, rated or not, with
// a dig by each seat listed in movers.
func saveRated(t testing.TB, s *store.Store, roomID string, rated bool, ended time.Time, players []room.GamePlayer,
	reason game.EndReason, movers ...int) int64 {
	t.Helper()
	ctx := context.Background()
	rules, _ := game.Preset("classic")
	rec := room.Record{ID: roomID, Name: "r", CreatedBy: players[0].PlayerID, CreatedAt: ended, Rules: rules,
		Status: room.Playing, Seq: 3, GameNo: 1, Seed: 42, Salt: "ab", StartedAt: ended.Add(-time.Minute),
		UpdatedAt: ended, Rated: rated}
	if err := s.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
		t.Fatal(err)
	}
	b, _ := game.Generate(9, 9, 10, 42)
	rec.Status = room.Finished
	var moves []room.MoveRecord
	for i, seat := range movers {
		moves = append(moves, room.MoveRecord{GameNo: 1, N: i + 1, Kind: game.Dig, Seat: seat, Row: i / 9, Col: i % 9, At: ended})
	}
	g := &room.GameRecord{RoomID: roomID, GameNo: 1, Rules: rules, Seed: 42, Layout: b.Layout(), Salt: "ab",
		Commitment: game.Commitment("ab", b.Layout()), Reason: reason, Players: players,
		Moves: moves, StartedAt: ended.Add(-time.Minute), EndedAt: ended, Rated: rated}
	if err := s.Save(ctx, &room.Write{Room: rec, Game: g}); err != nil {
		t.Fatal(err)
	}
	return g.ID
}

func TestRatings(t *testing.T) { eachBackend(t, testRatings) }

func testRatings(t *testing.T, b backend) {
	s := b.open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	two := []room.GamePlayer{gp(0, "ann", 6, 1, true), gp(1, "bob", 4, 2, false)}

	t.Run("OK", func(t *testing.T) {
		id := saveRated(t, s, "RATE01", true, at, two, game.EndAllGold, 0, 1)
		ann, _ := s.Rating(ctx, "ann")
		bob, _ := s.Rating(ctx, "bob")
		want := rating.System{}.Game([]rating.Seat{{Rating: rating.Start, Rank: 1}, {Rating: rating.Start, Rank: 2}})
		if ann.Rating != want[0] || bob.Rating != want[1] || ann.Games != 1 || bob.Games != 1 {
			t.Fatalf("ann %+v, bob %+v, want %+v", ann, bob, want)
		}
		hist, err := s.PlayerGames(ctx, "ann", 0, 10)
		if err != nil || len(hist) != 1 || hist[0].ID != id || hist[0].Change == nil ||
			hist[0].Change.Before != 1500 || hist[0].Change.After != want[0].Rating {
			t.Fatalf("history %+v, %v", hist, err)
		}
	})
	t.Run("NotRated", func(t *testing.T) {
		for i, c := range []struct {
			rated  bool
			reason game.EndReason
			movers []int
		}{
			{false, game.EndAllGold, []int{0, 1}}, // an unrated room
			{true, game.EndClosed, []int{0, 1}},   // ended by an admin
			{true, game.EndForfeit, []int{0, 0}},  // only one seat moved
			{true, game.EndAllGold, nil},          // nobody moved
		} {
			saveRated(t, s, fmt.Sprintf("NORT%02d", i), c.rated, at, two, c.reason, c.movers...)
		}
		if ann, _ := s.Rating(ctx, "ann"); ann.Games != 1 {
			t.Fatalf("ann has %d rated games, want 1", ann.Games)
		}
	})
	t.Run("BotFixed", func(t *testing.T) {
		bot := room.GamePlayer{Seat: 1, PlayerID: "botx", Name: "Bot", Bot: true, BotLevel: "hard", Rank: 1, Winner: true}
		before, _ := s.Rating(ctx, "bob")
		saveRated(t, s, "RATEB1", true, at, []room.GamePlayer{gp(0, "bob", 2, 2, false), bot}, game.EndAllGold, 0, 1)
		after, _ := s.Rating(ctx, "bob")
		hard, _ := rating.Bot("hard")
		want := rating.System{}.Update(before.Rating, []rating.Result{{Opponent: hard, Score: 0}})
		if after.Rating != want {
			t.Fatalf("bob %+v, want %+v", after.Rating, want)
		}
		if m, _ := s.Ratings(ctx, []string{"botx"}); len(m) != 0 {
			t.Fatalf("the bot got a rating: %+v", m)
		}
	})
	t.Run("Rebuild", func(t *testing.T) {
		// Many random rated games among a few players, then a rebuild
		// from nothing gives every rating back to the last bit.
		rng := rand.New(rand.NewPCG(7, 7))
		names := []string{"ann", "bob", "cat", "dan", "eve"}
		for i := 0; i < 40; i++ {
			a, c := rng.IntN(len(names)), rng.IntN(len(names)-1)
			if c >= a {
				c++
			}
			ra, rc := 1, 1+rng.IntN(2)
			saveRated(t, s, fmt.Sprintf("RB%04d", i), true, at.Add(time.Duration(i)*time.Second),
				[]room.GamePlayer{gp(0, names[a], 5, ra, ra == 1), gp(1, names[c], 5, rc, rc == 1)}, game.EndAllGold, 0, 1)
		}
		before, err := s.Ratings(ctx, names)
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.RebuildRatings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := n, 42; got != want {
			t.Fatalf("replayed %d games, want %d", got, want)
		}
		after, _ := s.Ratings(ctx, names)
		for _, name := range names {
			if before[name] != after[name] {
				t.Fatalf("%s: %+v after the rebuild, %+v before", name, after[name], before[name])
			}
		}
		board, err := s.RatingBoard(ctx, 10)
		if err != nil || len(board) == 0 {
			t.Fatalf("board %v, %v", board, err)
		}
		for i, r := range board {
			if r.Games < domain.MinRatedGames || (i > 0 && board[i-1].Rating.Rating < r.Rating.Rating) {
				t.Fatalf("board %+v", board)
			}
		}
	})
}
