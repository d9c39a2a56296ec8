package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/goldmine-game/goldmine/store"
)

// runRatings is `goldmine ratings rebuild`: it recomputes every player's
// rating by replaying the rated games in order, in one transaction.
func runRatings(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := command("ratings", "Usage: goldmine ratings rebuild [--db FILE]\n\nRecomputes every rating from the rated games, replayed in order. Games that\nend while it runs are rated on top of the rebuilt ratings.\n", stderr)
	db := dbFlag(fs, getenv, "database (a SQLite file or a postgres:// URL)")
	if len(args) == 0 || args[0] != "rebuild" {
		fs.Usage()
		return 2
	}
	if code, ok := parseCommand(fs, args[1:], -1); !ok {
		return code
	}
	// A node id of its own: on PostgreSQL, a running node holds the lock
	// of its id, and this command owns no rooms.
	s, err := store.Open(ctx, store.Options{Path: *db, Node: "ratings-rebuild",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 1
	}
	defer s.Close()
	n, err := s.RebuildRatings(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 1
	}
	fmt.Fprintf(stdout, "rebuilt the ratings from %d rated games\n", n)
	return 0
}
