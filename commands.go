package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// command is the flag set of one of the binary's commands, `goldmine
// NAME`: its errors go to stderr, and its usage is the text given followed
// by its flags.
func command(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("goldmine "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseCommand parses a command's arguments, of which nargs must be
// positional (-1: any number). When ok is false the command is over and
// exits with code: 0 after --help, 2 after a usage error.
func parseCommand(fs *flag.FlagSet, args []string, nargs int) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if nargs >= 0 && fs.NArg() != nargs {
		fs.Usage()
		return 2, false
	}
	return 0, true
}

// dbFlag is a command's --db, which takes GOLDMINE_DB as the server's does.
func dbFlag(fs *flag.FlagSet, getenv func(string) string, usage string) *string {
	db := fs.String("db", "./goldmine.db", usage)
	if v := getenv("GOLDMINE_DB"); v != "" {
		*db = v
	}
	return db
}
