// Package loadgen is Goldmine's load generator: bots that play real games
// through protocol v1 only, so that it can load any server that speaks it,
// and report throughput, latency percentiles and ordering errors.
package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config is a load test.
type Config struct {
	URL         string
	Rooms       int
	Players     int
	Preset      string
	Think       time.Duration
	Duration    time.Duration
	Idle        int
	Ramp        time.Duration
	PID         int
	AllowRemote bool
	// Verify checks at the end that every finished game is stored, with
	// GET /api/games/{id}.
	Verify bool
	// Progress, if set, gets a live progress line every second.
	Progress io.Writer
	// Seed makes the bots' choices repeatable.
	Seed uint64
}

// Report is what a load test measured.
type Report struct {
	URL           string         `json:"url"`
	Rooms         int            `json:"rooms"`
	Players       int            `json:"players_per_room"`
	Idle          int            `json:"idle"`
	Connections   int            `json:"connections"`
	Seconds       float64        `json:"seconds"`
	GamesFinished int            `json:"games_finished"`
	GamesStored   *int           `json:"games_stored"`
	Moves         int64          `json:"moves"`
	MovesPerSec   float64        `json:"moves_per_sec"`
	Ack           Latency        `json:"move_to_ack"`
	Broadcast     Latency        `json:"move_to_broadcast"`
	Errors        map[string]int `json:"errors"`
	Gaps          int64          `json:"seq_gaps"`
	Reorders      int64          `json:"seq_reorders"`
	Reconnects    int64          `json:"reconnects"`
	ServerRSSMB   *float64       `json:"server_rss_mb"`
	ServerPeakMB  *float64       `json:"server_peak_rss_mb"`
	// ServerCores is the server's CPU time (user and system) during the
	// measured duration, over that duration; ServerCPUPerMove, that time
	// in µs per move. Both need --pid.
	ServerCores      *float64 `json:"server_cpu_cores"`
	ServerCPUPerMove *float64 `json:"server_cpu_us_per_move"`
	// ServerRSSPerIdleKB is the server's RSS once every socket is open,
	// less its RSS before any was, per idle socket, in KB (--pid,
	// --idle).
	ServerRSSPerIdleKB *float64 `json:"server_rss_kb_per_idle_socket"`
	// ServerRSSBeforeMB is the server's RSS before the run connected.
	ServerRSSBeforeMB *float64 `json:"server_rss_before_mb"`
}

// runner is one load test in progress.
type runner struct {
	cfg        Config
	api        *api   // the first node's: players, and the check of stored games
	apis       []*api // every node's, by URL
	wsURLs     []string
	stopping   atomic.Bool
	joined     atomic.Int64
	moves      atomic.Int64
	gaps       atomic.Int64
	reorders   atomic.Int64
	reconnects atomic.Int64
	ack        samples
	broadcast  samples
	mu         sync.Mutex
	errors     map[string]int
	gameIDs    []string
	progress   io.Writer
}

func (r *runner) countError(code string) {
	r.mu.Lock()
	r.errors[code]++
	r.mu.Unlock()
}

func (r *runner) finished(gameID string) {
	r.mu.Lock()
	r.gameIDs = append(r.gameIDs, gameID)
	r.mu.Unlock()
}

func (r *runner) logf(format string, args ...any) {
	if r.progress != nil {
		fmt.Fprintf(r.progress, "\n"+format+"\n", args...)
	}
}

// Run runs a load test and reports on it.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Rooms < 0 || cfg.Players < 1 || cfg.Duration <= 0 || cfg.Rooms == 0 && cfg.Idle < 1 {
		return Report{}, fmt.Errorf("loadgen: need rooms (or --rooms 0 with --idle sockets), 1 player and a duration")
	}
	r := &runner{cfg: cfg, errors: map[string]int{}, progress: cfg.Progress}
	// Several URLs are the nodes of a cluster: room i is made at node
	// i mod n, which owns it, and its players connect there.
	for _, raw := range strings.Split(cfg.URL, ",") {
		u, err := checkTarget(ctx, strings.TrimSpace(raw), cfg.AllowRemote)
		if err != nil {
			return Report{}, err
		}
		ws := *u
		ws.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
		ws.Path = strings.TrimSuffix(u.Path, "/") + "/ws"
		r.apis = append(r.apis, &api{base: strings.TrimSuffix(u.String(), "/"),
			client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}})
		r.wsURLs = append(r.wsURLs, ws.String())
	}
	r.api = r.apis[0]
	var rssBefore float64 = -1
	if cfg.PID > 0 {
		if rss, _, err := readRSS(cfg.PID); err == nil {
			rssBefore = rss
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	tables, bots, err := r.setUp(runCtx)
	var wg sync.WaitGroup
	defer func() {
		r.stopping.Store(true)
		for _, b := range bots {
			if b.conn != nil {
				b.conn.Close()
			}
		}
		cancel()
		wg.Wait()
	}()
	for _, b := range bots {
		wg.Add(1)
		go func() { defer wg.Done(); b.loop(runCtx) }()
	}
	if err != nil {
		return Report{}, err
	}
	// The rooms that are full start by themselves; others need a start.
	for _, t := range tables {
		if t.players > 1 && t.players < t.max {
			bots[t.firstBot].send(map[string]string{"type": "start"})
		}
	}
	start := time.Now()
	cpu0, cpuErr := procCPU(cfg.PID)
	r.watch(runCtx, start)
	cpu1, _ := procCPU(cfg.PID)
	r.stopping.Store(true)
	elapsed := time.Since(start)
	// Let the moves in flight land before the sockets close.
	time.Sleep(500 * time.Millisecond)

	rep := Report{URL: cfg.URL, Rooms: cfg.Rooms, Players: cfg.Players, Idle: cfg.Idle, Connections: len(bots),
		Seconds: elapsed.Seconds(), Moves: r.moves.Load(), Ack: r.ack.latency(), Broadcast: r.broadcast.latency(),
		Gaps: r.gaps.Load(), Reorders: r.reorders.Load(), Reconnects: r.reconnects.Load()}
	rep.MovesPerSec = float64(rep.Moves) / elapsed.Seconds()
	if cfg.PID > 0 && cpuErr == nil {
		cores := (cpu1 - cpu0).Seconds() / elapsed.Seconds()
		rep.ServerCores = &cores
		if rep.Moves > 0 {
			us := float64((cpu1 - cpu0).Microseconds()) / float64(rep.Moves)
			rep.ServerCPUPerMove = &us
		}
	}
	r.mu.Lock()
	rep.Errors = maps(r.errors)
	ids := slices.Clone(r.gameIDs)
	r.mu.Unlock()
	rep.GamesFinished = len(ids)
	if cfg.PID > 0 {
		rss, peak, err := readRSS(cfg.PID)
		if err == nil {
			rep.ServerRSSMB, rep.ServerPeakMB = &rss, &peak
			if rssBefore >= 0 {
				rep.ServerRSSBeforeMB = &rssBefore
				if cfg.Idle > 0 {
					kb := (rss - rssBefore) * 1024 / float64(cfg.Idle)
					rep.ServerRSSPerIdleKB = &kb
				}
			}
		}
	}
	if cfg.Verify {
		n := r.verify(ctx, ids)
		rep.GamesStored = &n
	}
	return rep, nil
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// setUp creates the players and rooms, and connects every bot, spreading
// the connects over the ramp.
type tableSet struct {
	*table
	firstBot int
}

func (r *runner) setUp(ctx context.Context) ([]tableSet, []*bot, error) {
	cfg := r.cfg
	// The first failure stops the set-up at once: a server that refuses
	// one connection for a limit refuses the rest (ErrRefused says which
	// flag to raise), and the run would not measure the load asked for.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu     sync.Mutex
		tables = make([]tableSet, cfg.Rooms)
		bots   = make([]*bot, cfg.Rooms*cfg.Players+cfg.Idle)
		errc   = make(chan error, cfg.Rooms+cfg.Idle+1)
		sem    = make(chan struct{}, 32)
		wg     sync.WaitGroup
	)
	fail := func(err error) {
		errc <- err
		cancel()
	}
	var seed uint64 = cfg.Seed
	newRNG := func(i int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(i))) }
	step := time.Duration(0)
	if cfg.Ramp > 0 {
		step = cfg.Ramp / time.Duration(cfg.Rooms+cfg.Idle/3+1)
	}
	begin := time.Now()
	for i := 0; i < cfg.Rooms; i++ {
		wg.Add(1)
		go func(i int, at time.Duration) {
			defer wg.Done()
			if !sleepUntil(ctx, begin.Add(at)) {
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			node := i % len(r.apis)
			t := &table{run: r, sent: map[string]*sentMove{}, players: cfg.Players, wsURL: r.wsURLs[node]}
			for s := 0; s < cfg.Players; s++ {
				p, err := r.apis[node].player(ctx, fmt.Sprintf("bot-%d-%d", i, s))
				if err != nil {
					fail(err)
					return
				}
				if s == 0 {
					var snap struct {
						ID    string
						Rules struct {
							MaxPlayers int `json:"max_players"`
						}
					}
					if err := r.apis[node].do(ctx, "POST", "/api/rooms", p.Token, map[string]any{"preset": cfg.Preset, "name": fmt.Sprintf("load %d", i)}, &snap); err != nil {
						errc <- err
						return
					}
					t.id, t.max = snap.ID, snap.Rules.MaxPlayers
				}
				b := &bot{t: t, p: p, rng: newRNG(i*16 + s)}
				if err := b.dial(ctx); err != nil {
					fail(err)
					return
				}
				mu.Lock()
				bots[i*cfg.Players+s] = b
				mu.Unlock()
			}
			mu.Lock()
			tables[i] = tableSet{table: t, firstBot: i * cfg.Players}
			mu.Unlock()
		}(i, time.Duration(i)*step)
	}
	// Idle spectators join once every room exists: waiting for a room
	// while holding a slot of sem could starve the room of the slot it
	// needs to be made. Each is a player of its own, as quiet clients in
	// a lobby are. With no playing rooms, they watch waiting rooms made
	// for them, spectatorsPerRoom to a room (the default --max-spectators).
	wg.Wait()
	watched := make([]*table, 0, len(tables))
	for _, t := range tables {
		watched = append(watched, t.table)
	}
	if cfg.Rooms == 0 && cfg.Idle > 0 && len(errc) == 0 {
		for i := 0; i < cfg.Idle; i += spectatorsPerRoom {
			t := &table{run: r, sent: map[string]*sentMove{}, wsURL: r.wsURLs[0]}
			p, err := r.api.player(ctx, fmt.Sprintf("host-%d", i))
			if err != nil {
				fail(err)
				break
			}
			var snap struct{ ID string }
			if err := r.api.do(ctx, "POST", "/api/rooms", p.Token, map[string]any{"preset": cfg.Preset, "name": fmt.Sprintf("quiet %d", i)}, &snap); err != nil {
				fail(err)
				break
			}
			t.id = snap.ID
			watched = append(watched, t)
		}
	}
	for k := 0; k < cfg.Idle && len(errc) == 0; k++ {
		wg.Add(1)
		go func(k int, at time.Duration) {
			defer wg.Done()
			if !sleepUntil(ctx, begin.Add(at)) {
				return
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			p, err := r.api.player(ctx, fmt.Sprintf("idle-%d", k))
			if err != nil {
				fail(err)
				return
			}
			var t *table
			if cfg.Rooms > 0 {
				t = watched[k%cfg.Rooms]
			} else {
				t = watched[k/spectatorsPerRoom]
			}
			b := &bot{t: t, p: p, spect: true, rng: newRNG(1<<20 + k)}
			if err := b.dial(ctx); err != nil {
				fail(err)
				return
			}
			mu.Lock()
			bots[cfg.Rooms*cfg.Players+k] = b
			mu.Unlock()
		}(k, time.Duration(cfg.Rooms+k/3)*step)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		// The first error is the cause; those after it are the cancel's.
		live := bots[:0]
		for _, b := range bots {
			if b != nil && b.conn != nil {
				live = append(live, b)
			}
		}
		return nil, live, err
	}
	r.logf("set up %d rooms, %d connections in %v", cfg.Rooms, len(bots), time.Since(begin).Round(time.Millisecond))
	return tables, bots, nil
}

// watch prints progress every second until the duration is up.
func (r *runner) watch(ctx context.Context, start time.Time) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	deadline := time.NewTimer(r.cfg.Duration)
	defer deadline.Stop()
	var lastMoves int64
	for {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			if r.progress != nil {
				fmt.Fprintln(r.progress)
			}
			return
		case <-tick.C:
			if r.progress == nil {
				continue
			}
			m := r.moves.Load()
			r.mu.Lock()
			errs, games := 0, len(r.gameIDs)
			for _, v := range r.errors {
				errs += v
			}
			r.mu.Unlock()
			fmt.Fprintf(r.progress, "\r%5.0fs  joined %d  moves %d (%d/s)  games %d  errors %d  gaps %d  reconnects %d   ",
				time.Since(start).Seconds(), r.joined.Load(), m, m-lastMoves, games, errs, r.gaps.Load(), r.reconnects.Load())
			lastMoves = m
		}
	}
}

// verify counts the finished games the server has stored.
func (r *runner) verify(ctx context.Context, ids []string) int {
	var found atomic.Int64
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				var g struct{ ID json.Number }
				if r.api.do(ctx, "GET", "/api/games/"+id, "", nil, &g) == nil && g.ID.String() == id {
					found.Add(1)
				}
			}
		}()
	}
	for _, id := range ids {
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	return int(found.Load())
}

// readRSS reads a process's resident and peak resident memory, in MB.
func readRSS(pid int) (rss, peak float64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return rss, peak, nil
}

// spectatorsPerRoom is how many idle sockets watch one room when the run
// has no playing rooms: Goldmine's default --max-spectators.
const spectatorsPerRoom = 100

// sleepUntil sleeps until t, and reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// procCPU is readCPU (match.go) as a duration, and an error without a pid.
func procCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, errors.New("loadgen: no pid")
	}
	sec, err := readCPU(pid)
	return time.Duration(sec * float64(time.Second)), err
}
