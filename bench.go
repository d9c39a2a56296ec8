package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/goldmine-game/goldmine/loadgen"
)

// runBench is `goldmine bench`: the load generator.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("goldmine bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg loadgen.Config
	var asJSON, quiet bool
	fs.StringVar(&cfg.URL, "url", "http://127.0.0.1:8080", "server to load (this machine only, unless --allow-remote); comma-separated URLs are the nodes of a cluster, which the rooms are spread over")
	fs.IntVar(&cfg.Rooms, "rooms", 100, "rooms to play in at once (0 with --idle: quiet sockets only)")
	fs.IntVar(&cfg.Players, "players", 2, "players per room")
	fs.StringVar(&cfg.Preset, "preset", "classic", "preset of the rooms: classic, flags or party")
	fs.DurationVar(&cfg.Think, "think", 50*time.Millisecond, "pause after a player's turn starts, before it digs")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to play; the bots rematch after each game")
	fs.IntVar(&cfg.Idle, "idle", 0, "extra spectator sockets that only listen, each its own player")
	fs.DurationVar(&cfg.Ramp, "ramp", 0, "spread the connects over this long")
	fs.IntVar(&cfg.PID, "pid", 0, "read the server's RSS, peak RSS and CPU time from /proc/PID")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a target that is not this machine")
	fs.BoolVar(&cfg.Verify, "verify", true, "check at the end that every finished game is stored")
	fs.BoolVar(&asJSON, "json", false, "print the report as one JSON object")
	fs.BoolVar(&quiet, "quiet", false, "no live progress line")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the bots' choices")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: goldmine bench [flags]\n\nPlays real games against a server through protocol v1 and reports throughput, latency and errors.\n\n")
		fs.PrintDefaults()
	}
	var mcfg loadgen.MatchConfig
	matchMode := fs.Bool("match", false, "quick-match mode: --match-players enter the queue over --match-arrive, play and queue again (see benchMatch)")
	fs.IntVar(&mcfg.Players, "match-players", 2000, "with --match: players in all")
	fs.DurationVar(&mcfg.Arrive, "match-arrive", 60*time.Second, "with --match: the first arrivals spread over this long")
	fs.StringVar(&mcfg.DB, "match-db", "", "with --match: the server's SQLite file, to give each player a random rating first")
	fs.Float64Var(&mcfg.RatingMin, "match-rating-min", 800, "with --match and --match-db: lowest random rating")
	fs.Float64Var(&mcfg.RatingMax, "match-rating-max", 2200, "with --match and --match-db: highest random rating")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if !quiet && !asJSON {
		cfg.Progress = stderr
	}
	if *matchMode {
		mcfg.URL, mcfg.Duration, mcfg.Preset, mcfg.Think, mcfg.PID, mcfg.Seed, mcfg.Progress =
			cfg.URL, cfg.Duration, cfg.Preset, cfg.Think, cfg.PID, cfg.Seed, cfg.Progress
		return benchMatch(ctx, mcfg, asJSON, stdout, stderr)
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine bench:", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
		return 0
	}
	printReport(stdout, rep)
	return 0
}

func printReport(w io.Writer, r loadgen.Report) {
	fmt.Fprintf(w, "target        %s\n", r.URL)
	fmt.Fprintf(w, "connections   %d (%d rooms x %d players, %d idle)\n", r.Connections, r.Rooms, r.Players, r.Idle)
	fmt.Fprintf(w, "duration      %.1f s\n", r.Seconds)
	stored := "not checked"
	if r.GamesStored != nil {
		stored = fmt.Sprintf("%d stored", *r.GamesStored)
	}
	fmt.Fprintf(w, "games         %d finished, %s\n", r.GamesFinished, stored)
	fmt.Fprintf(w, "moves         %d (%.0f/s)\n", r.Moves, r.MovesPerSec)
	lat := func(name string, l loadgen.Latency) {
		fmt.Fprintf(w, "%-13s p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (%d samples)\n",
			name, l.P50, l.P90, l.P99, l.P999, l.Max, l.Count)
	}
	lat("move→ack", r.Ack)
	lat("move→others", r.Broadcast)
	var errs []string
	for code, n := range r.Errors {
		errs = append(errs, fmt.Sprintf("%s=%d", code, n))
	}
	sort.Strings(errs)
	if len(errs) == 0 {
		errs = []string{"none"}
	}
	fmt.Fprintf(w, "errors        %s\n", strings.Join(errs, " "))
	fmt.Fprintf(w, "seq           %d gaps, %d reorders\n", r.Gaps, r.Reorders)
	fmt.Fprintf(w, "reconnects    %d\n", r.Reconnects)
	if r.ServerRSSMB != nil {
		fmt.Fprintf(w, "server RSS    %.1f MB (peak %.1f MB)\n", *r.ServerRSSMB, *r.ServerPeakMB)
	}
	if r.ServerRSSPerIdleKB != nil {
		fmt.Fprintf(w, "idle sockets  %.1f KB each (RSS %.1f MB before the run)\n", *r.ServerRSSPerIdleKB, *r.ServerRSSBeforeMB)
	}
	if r.ServerCores != nil {
		fmt.Fprintf(w, "server CPU    %.2f cores", *r.ServerCores)
		if r.ServerCPUPerMove != nil {
			fmt.Fprintf(w, ", %.0f µs per move", *r.ServerCPUPerMove)
		}
		fmt.Fprintln(w)
	}
	if r.GeneratorCPUPerMove != nil {
		fmt.Fprintf(w, "bench's CPU   %.0f µs per move (this process)\n", *r.GeneratorCPUPerMove)
	}
}

// benchMatch is `goldmine bench --match`: the quick-match benchmark.
func benchMatch(ctx context.Context, cfg loadgen.MatchConfig, asJSON bool, stdout, stderr io.Writer) int {
	rep, err := loadgen.RunMatch(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "goldmine bench:", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
		return 0
	}
	fmt.Fprintf(stdout, "\ntarget          %s\n", rep.URL)
	fmt.Fprintf(stdout, "players         %d over %.1f s\n", rep.Players, rep.Seconds)
	fmt.Fprintf(stdout, "matches         %d, %d with a bot (%.1f%%), %d games finished\n", rep.Matches, rep.BotMatches,
		100*rep.BotShare, rep.GamesFinished)
	l := rep.CloseArrivals
	fmt.Fprintf(stdout, "time to match   p50 %.0f  p99 %.0f  max %.0f ms  (later player of pairs arriving within 1 s; %d pairs)\n",
		l.P50, l.P99, l.Max, l.Count)
	l = rep.CloseInWindow
	fmt.Fprintf(stdout, "  in window     p50 %.0f  p99 %.0f  max %.0f ms  (of those, pairs within ±100 of each other; %d pairs)\n",
		l.P50, l.P99, l.Max, l.Count)
	l = rep.AllWaits
	fmt.Fprintf(stdout, "all waits       p50 %.0f  p99 %.0f  max %.0f ms  (%d)\n", l.P50, l.P99, l.Max, l.Count)
	fmt.Fprintf(stdout, "rating gap      %.1f mean, human pairs\n", rep.MeanGap)
	if rep.CPUSeconds > 0 {
		fmt.Fprintf(stdout, "server CPU      %.1f s, %.1f ms per match (playing the games included)\n", rep.CPUSeconds, rep.CPUPerMatchMS)
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(stdout, "errors          %v\n", rep.Errors)
	}
	return 0
}
