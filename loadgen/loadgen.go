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
	// GeneratorCPUPerMove is this process's own CPU time (user and
	// system) during the measured duration, in µs per move: on the
	// server's machine, it is what the load itself takes from the cores.
	GeneratorCPUPerMove *float64 `json:"generator_cpu_us_per_move"`
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
	gen0, genErr := procCPU(os.Getpid())
	r.watch(runCtx, start)
	cpu1, _ := procCPU(cfg.PID)
	gen1, _ := procCPU(os.Getpid())
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
	if genErr == nil && rep.Moves > 0 {
		us := float64((gen1 - gen0).Microseconds()) / float64(rep.Moves)
		rep.GeneratorCPUPerMove = &us
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
	u := &setup{
		r: r, ctx: ctx, cancel: cancel, begin: time.Now(),
		tables: make([]tableSet, cfg.Rooms),
		bots:   make([]*bot, cfg.Rooms*cfg.Players+cfg.Idle),
		errc:   make(chan error, cfg.Rooms+cfg.Idle+1),
		sem:    make(chan struct{}, 32),
	}
	if cfg.Ramp > 0 {
		u.step = cfg.Ramp / time.Duration(cfg.Rooms+cfg.Idle/3+1)
	}
	for i := range cfg.Rooms {
		u.spawn(time.Duration(i)*u.step, func() error { return u.room(i) })
	}
	// Idle spectators join once every room exists: waiting for a room
	// while holding a slot of sem could starve the room of the slot it
	// needs to be made.
	u.wg.Wait()
	watched := make([]*table, 0, len(u.tables))
	for _, t := range u.tables {
		watched = append(watched, t.table)
	}
	if cfg.Rooms == 0 && cfg.Idle > 0 && len(u.errc) == 0 {
		quiet, err := u.quietRooms()
		if err != nil {
			u.fail(err)
		}
		watched = append(watched, quiet...)
	}
	for k := 0; k < cfg.Idle && len(u.errc) == 0; k++ {
		i := k / spectatorsPerRoom // a quiet room's
		if cfg.Rooms > 0 {
			i = k % cfg.Rooms
		}
		t := watched[i]
		u.spawn(time.Duration(cfg.Rooms+k/3)*u.step, func() error { return u.spectator(k, t) })
	}
	u.wg.Wait()
	close(u.errc)
	if err := <-u.errc; err != nil {
		// The first error is the cause; those after it are the cancel's.
		live := u.bots[:0]
		for _, b := range u.bots {
			if b != nil && b.conn != nil {
				live = append(live, b)
			}
		}
		return nil, live, err
	}
	r.logf("set up %d rooms, %d connections in %v", cfg.Rooms, len(u.bots), time.Since(u.begin).Round(time.Millisecond))
	return u.tables, u.bots, nil
}

// setup is one run's set-up in progress: the connects run on goroutines,
// at most 32 at once (sem), each at its time on the ramp.
type setup struct {
	r      *runner
	ctx    context.Context
	cancel context.CancelFunc
	begin  time.Time
	step   time.Duration // between two connects on the ramp

	mu     sync.Mutex // guards tables and bots
	tables []tableSet
	bots   []*bot
	errc   chan error
	sem    chan struct{}
	wg     sync.WaitGroup
}

// fail records the set-up's first error and stops the rest.
func (u *setup) fail(err error) {
	u.errc <- err
	u.cancel()
}

// spawn runs fn at the offset at from the start, holding a slot of sem,
// unless the set-up has failed by then.
func (u *setup) spawn(at time.Duration, fn func() error) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		if !sleepUntil(u.ctx, u.begin.Add(at)) {
			return
		}
		u.sem <- struct{}{}
		defer func() { <-u.sem }()
		if u.ctx.Err() != nil {
			return
		}
		if err := fn(); err != nil {
			u.fail(err)
		}
	}()
}

// newRNG is the random source of the run's bot number i, from the seed.
func (u *setup) newRNG(i int) *rand.Rand { return rand.New(rand.NewPCG(u.r.cfg.Seed, uint64(i))) }

// room makes playing room i: its players sign up, the first creates it,
// and each connects.
func (u *setup) room(i int) error {
	cfg := u.r.cfg
	node := i % len(u.r.apis)
	api := u.r.apis[node]
	t := &table{run: u.r, sent: map[string]*sentMove{}, players: cfg.Players, wsURL: u.r.wsURLs[node]}
	for s := 0; s < cfg.Players; s++ {
		p, err := api.player(u.ctx, fmt.Sprintf("bot-%d-%d", i, s))
		if err != nil {
			return err
		}
		if s == 0 {
			var snap struct {
				ID    string
				Rules struct {
					MaxPlayers int `json:"max_players"`
				}
			}
			if err := api.do(u.ctx, "POST", "/api/rooms", p.Token, map[string]any{"preset": cfg.Preset, "name": fmt.Sprintf("load %d", i)}, &snap); err != nil {
				return err
			}
			t.id, t.max = snap.ID, snap.Rules.MaxPlayers
		}
		b := &bot{t: t, p: p, rng: u.newRNG(i*16 + s)}
		if err := b.dial(u.ctx); err != nil {
			return err
		}
		u.mu.Lock()
		u.bots[i*cfg.Players+s] = b
		u.mu.Unlock()
	}
	u.mu.Lock()
	u.tables[i] = tableSet{table: t, firstBot: i * cfg.Players}
	u.mu.Unlock()
	return nil
}

// quietRooms makes the waiting rooms that quiet sockets watch when no room
// plays, spectatorsPerRoom to a room (the default --max-spectators). Each
// quiet socket is a player of its own, as quiet clients in a lobby are.
func (u *setup) quietRooms() ([]*table, error) {
	var rooms []*table
	for i := 0; i < u.r.cfg.Idle; i += spectatorsPerRoom {
		p, err := u.r.api.player(u.ctx, fmt.Sprintf("host-%d", i))
		if err != nil {
			return rooms, err
		}
		var snap struct{ ID string }
		if err := u.r.api.do(u.ctx, "POST", "/api/rooms", p.Token, map[string]any{"preset": u.r.cfg.Preset, "name": fmt.Sprintf("quiet %d", i)}, &snap); err != nil {
			return rooms, err
		}
		rooms = append(rooms, &table{run: u.r, sent: map[string]*sentMove{}, wsURL: u.r.wsURLs[0], id: snap.ID})
	}
	return rooms, nil
}

// spectator connects quiet socket k, a player of its own, to watch t.
func (u *setup) spectator(k int, t *table) error {
	p, err := u.r.api.player(u.ctx, fmt.Sprintf("idle-%d", k))
	if err != nil {
		return err
	}
	b := &bot{t: t, p: p, spect: true, rng: u.newRNG(1<<20 + k)}
	if err := b.dial(u.ctx); err != nil {
		return err
	}
	u.mu.Lock()
	u.bots[u.r.cfg.Rooms*u.r.cfg.Players+k] = b
	u.mu.Unlock()
	return nil
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
