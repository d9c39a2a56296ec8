package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/solver"
)

// runDuel is `goldmine duel`: bot levels play each other offline, and the
// win rates of docs/bots.md come out.
func runDuel(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := command("duel", "Usage: goldmine duel [flags]\n\nPlays bot levels against each other, two players a game, and prints the win rates.\n\n", stderr)
	games := fs.Int("games", 1000, "games per preset and opponent")
	seed := fs.Uint64("seed", 1, "seed of the boards and of the bots' choices")
	presets := fs.String("presets", "classic,flags,party", "comma list of presets")
	a := fs.String("a", "hard", "the level measured")
	b := fs.String("b", "easy,normal", "comma list of opponents")
	if code, ok := parseCommand(fs, args, -1); !ok {
		return code
	}
	la, err := solver.ParseLevel(*a)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine duel:", err)
		return 2
	}
	type job struct {
		rules game.Rules
		b     solver.Level
		res   solver.DuelResult
		err   error
		took  time.Duration
	}
	var jobs []*job
	for _, p := range strings.Split(*presets, ",") {
		rules, ok := game.Preset(strings.TrimSpace(p))
		if !ok {
			fmt.Fprintf(stderr, "goldmine duel: no preset %q\n", p)
			return 2
		}
		for _, o := range strings.Split(*b, ",") {
			lb, err := solver.ParseLevel(strings.TrimSpace(o))
			if err != nil {
				fmt.Fprintln(stderr, "goldmine duel:", err)
				return 2
			}
			jobs = append(jobs, &job{rules: rules, b: lb})
		}
	}
	// One duel per core at a time: each is single-threaded.
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				j.err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			start := time.Now()
			j.res, j.err = solver.Duel(j.rules, la, j.b, *games, *seed)
			j.took = time.Since(start)
		}()
	}
	wg.Wait()
	fmt.Fprintf(stdout, "| preset | %s against | games | won | drawn | lost | win rate | gold a game (%s : other) | time |\n", la, la)
	fmt.Fprintln(stdout, "|---|---|---|---|---|---|---|---|---|")
	for _, j := range jobs {
		if j.err != nil {
			fmt.Fprintln(stderr, "goldmine duel:", j.err)
			return 1
		}
		r := j.res
		fmt.Fprintf(stdout, "| %s | %s | %d | %d | %d | %d | %.1f%% | %.2f : %.2f | %s |\n", r.Preset, r.B, r.Games,
			r.Wins, r.Draws, r.Losses, 100*r.WinRate(), float64(r.GoldA)/float64(r.Games), float64(r.GoldB)/float64(r.Games),
			j.took.Round(100*time.Millisecond))
	}
	return 0
}
