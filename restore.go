package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/goldmine-game/goldmine/store"
)

// runRestore replaces the database with a backup: `goldmine restore FILE`.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := command("restore", "Usage: goldmine restore [--db FILE] BACKUP\n\nReplaces the database with BACKUP, after checking its integrity and schema version.\nThe server must be stopped; the replaced database is kept beside it as FILE.replaced-TIME.\n", stderr)
	db := dbFlag(fs, getenv, "database to replace (the server's --db)")
	if code, ok := parseCommand(fs, args, 1); !ok {
		return code
	}
	res, err := store.Restore(ctx, fs.Arg(0), *db, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "goldmine:", err)
		return 1
	}
	fmt.Fprintf(stdout, "restored %s into %s (schema version %d)\n", fs.Arg(0), *db, res.Version)
	if res.Replaced != "" {
		fmt.Fprintf(stdout, "the replaced database is kept as %s\n", res.Replaced)
	}
	return 0
}
