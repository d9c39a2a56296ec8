package loadgen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	_ "modernc.org/sqlite" // to seed the ratings of a SQLite server
)

// MatchConfig configures RunMatch: players who arrive at quick match over
// a span of time, play the game they are matched into, and queue again.
type MatchConfig struct {
	URL     string
	Players int           // players in all
	Arrive  time.Duration // they first enter the queue spread over this long
	// Duration is how long the run lasts from the first arrival; players
	// queue again after each game until it ends.
	Duration time.Duration
	Preset   string
	Think    time.Duration // pause before each dig
	// DB, if set, is the server's SQLite file: each player is given a
	// random rating in [RatingMin, RatingMax] there before the run, as if
	// they had played (a new player is 1500).
	DB                   string
	RatingMin, RatingMax float64
	PID                  int // the server's process, for its CPU time
	Seed                 uint64
	Progress             io.Writer
}

// MatchReport is what RunMatch measured.
type MatchReport struct {
	URL     string  `json:"url"`
	Players int     `json:"players"`
	Seconds float64 `json:"seconds"`
	// Matches counts the matches made; BotMatches those with a bot.
	Matches    int     `json:"matches"`
	BotMatches int     `json:"bot_matches"`
	BotShare   float64 `json:"bot_share"`
	// CloseArrivals is the time to a match of the later player of each
	// human pair whose two players entered within 1 s of each other: how
	// fast quick match pairs a player whose partner is already waiting.
	CloseArrivals Latency `json:"close_arrivals"`
	// CloseInWindow is CloseArrivals of the pairs whose rating gap was
	// inside the first window (±100): a partner of one's level was waiting.
	CloseInWindow Latency `json:"close_in_window"`
	// AllWaits is every player's time from entering to a match.
	AllWaits Latency `json:"all_waits"`
	// MeanGap is the mean rating gap of the human pairs.
	MeanGap float64 `json:"mean_rating_gap"`
	// GamesFinished counts the games played to game_over.
	GamesFinished int `json:"games_finished"`
	// CPUPerMatchMS is the server's CPU time (user + system) over the run,
	// divided by the matches made; it includes playing the games.
	CPUPerMatchMS float64        `json:"cpu_per_match_ms,omitempty"`
	CPUSeconds    float64        `json:"cpu_seconds,omitempty"`
	Errors        map[string]int `json:"errors"`
}

type seatedPlayer struct {
	arrived, matched time.Time
	rating           float64
}

type matchRun struct {
	cfg    MatchConfig
	api    *api
	mu     sync.Mutex
	rooms  map[string][]seatedPlayer
	bots   map[string]bool
	gaps   map[string]float64
	waits  samples
	errs   map[string]int
	games  atomic.Int64
	over   map[string]bool // rooms whose game_over a player saw
	stopAt time.Time
}

func (m *matchRun) countError(code string) {
	m.mu.Lock()
	m.errs[code]++
	m.mu.Unlock()
}

// RunMatch runs the quick-match benchmark.
func RunMatch(ctx context.Context, cfg MatchConfig) (MatchReport, error) {
	if cfg.Players < 2 {
		return MatchReport{}, fmt.Errorf("loadgen: --players must be at least 2")
	}
	if cfg.Preset == "" {
		cfg.Preset = "classic"
	}
	m := &matchRun{cfg: cfg, api: &api{base: strings.TrimSuffix(cfg.URL, "/"), client: &http.Client{Timeout: 60 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Players}}},
		rooms: map[string][]seatedPlayer{}, over: map[string]bool{}, bots: map[string]bool{}, gaps: map[string]float64{}, errs: map[string]int{}}
	players := make([]player, cfg.Players)
	for i := range players {
		p, err := m.api.player(ctx, fmt.Sprintf("m%d", i))
		if err != nil {
			return MatchReport{}, err
		}
		players[i] = p
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
	if cfg.DB != "" {
		if err := seedRatings(ctx, cfg, players, rng); err != nil {
			return MatchReport{}, err
		}
	}
	cpu0, _ := readCPU(cfg.PID)
	start := time.Now()
	m.stopAt = start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for i, p := range players {
		at := time.Duration(rng.Int64N(int64(cfg.Arrive)))
		seed := rng.Uint64()
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.player(ctx, i, p, start.Add(at), rand.New(rand.NewPCG(seed, 1)))
		}()
	}
	if cfg.Progress != nil {
		go func() {
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			for time.Now().Before(m.stopAt) {
				<-t.C
				m.mu.Lock()
				fmt.Fprintf(cfg.Progress, "\r%3.0f s: %d matches, %d with a bot, %d games finished   ",
					time.Since(start).Seconds(), len(m.rooms), len(m.bots), m.games.Load())
				m.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	cpu1, _ := readCPU(cfg.PID)
	rep := MatchReport{URL: cfg.URL, Players: cfg.Players, Seconds: time.Since(start).Seconds(),
		GamesFinished: int(m.games.Load()), Errors: m.errs}
	var close, inWindow []time.Duration
	var gapSum float64
	var gapN int
	for id, seats := range m.rooms {
		rep.Matches++
		if m.bots[id] {
			rep.BotMatches++
			continue
		}
		if g, ok := m.gaps[id]; ok {
			gapSum += g
			gapN++
		}
		if len(seats) == 2 {
			a, b := seats[0], seats[1]
			if b.arrived.Before(a.arrived) {
				a, b = b, a
			}
			if b.arrived.Sub(a.arrived) <= time.Second {
				close = append(close, b.matched.Sub(b.arrived))
				if math.Abs(a.rating-b.rating) <= 100 {
					inWindow = append(inWindow, b.matched.Sub(b.arrived))
				}
			}
		}
	}
	if rep.Matches > 0 {
		rep.BotShare = float64(rep.BotMatches) / float64(rep.Matches)
	}
	if gapN > 0 {
		rep.MeanGap = gapSum / float64(gapN)
	}
	rep.CloseArrivals = summarize(close)
	rep.CloseInWindow = summarize(inWindow)
	rep.AllWaits = m.waits.latency()
	if cfg.PID > 0 && cpu1 > cpu0 && rep.Matches > 0 {
		rep.CPUSeconds = cpu1 - cpu0
		rep.CPUPerMatchMS = rep.CPUSeconds * 1000 / float64(rep.Matches)
	}
	return rep, nil
}

func seedRatings(ctx context.Context, cfg MatchConfig, players []player, rng *rand.Rand) error {
	db, err := sql.Open("sqlite", cfg.DB+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("loadgen: seed ratings: %w", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("loadgen: seed ratings: %w", err)
	}
	defer tx.Rollback()
	lo, hi := cfg.RatingMin, cfg.RatingMax
	for _, p := range players {
		r := lo + rng.Float64()*(hi-lo)
		if _, err := tx.ExecContext(ctx, `INSERT INTO ratings (player_id, rating, rd, volatility, games, updated_at)
			VALUES (?, ?, 80, 0.06, 10, 0) ON CONFLICT (player_id) DO UPDATE SET rating = excluded.rating`, p.ID, r); err != nil {
			return fmt.Errorf("loadgen: seed ratings: %w", err)
		}
	}
	return tx.Commit()
}

// readCPU returns a process's user + system CPU time in seconds, from
// /proc/PID/stat (in clock ticks of 1/100 s, Linux's USER_HZ).
func readCPU(pid int) (float64, error) {
	if pid <= 0 {
		return 0, nil
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields count from after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("loadgen: /proc/%d/stat: too short", pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil
}

type matchAnswer struct {
	Status string `json:"status"`
	Bot    bool   `json:"bot"`
	Room   struct {
		ID    string `json:"id"`
		WSURL string `json:"ws_url"`
	} `json:"room"`
	Players []struct {
		PlayerID string  `json:"player_id"`
		Rating   float64 `json:"rating"`
		Bot      bool    `json:"bot"`
	} `json:"players"`
}

// player queues, plays, and queues again until the run ends.
func (m *matchRun) player(ctx context.Context, i int, p player, at time.Time, rng *rand.Rand) {
	select {
	case <-time.After(time.Until(at)):
	case <-ctx.Done():
		return
	}
	for time.Now().Before(m.stopAt) && ctx.Err() == nil {
		arrived := time.Now()
		var ans matchAnswer
		for {
			ans = matchAnswer{}
			if err := m.api.do(ctx, "POST", "/api/match", p.Token, map[string]any{"preset": m.cfg.Preset}, &ans); err != nil {
				m.countError("match_request")
				time.Sleep(time.Second)
				break
			}
			if ans.Status != "waiting" {
				break
			}
		}
		if ans.Status != "matched" {
			continue
		}
		matched := time.Now()
		m.waits.add(matched.Sub(arrived))
		var mine float64
		for _, pl := range ans.Players {
			if pl.PlayerID == p.ID {
				mine = pl.Rating
			}
		}
		m.mu.Lock()
		m.rooms[ans.Room.ID] = append(m.rooms[ans.Room.ID], seatedPlayer{arrived: arrived, matched: matched, rating: mine})
		if ans.Bot {
			m.bots[ans.Room.ID] = true
		} else if len(ans.Players) == 2 {
			m.gaps[ans.Room.ID] = math.Abs(ans.Players[0].Rating - ans.Players[1].Rating)
		}
		m.mu.Unlock()
		if err := m.play(ctx, p, ans.Room.ID, ans.Room.WSURL, rng); err != nil {
			m.countError(err.Error())
		}
		// A person looks at the result for a moment before playing again;
		// without it, every pair would queue again at the same instant and
		// meet again.
		time.Sleep(time.Second + time.Duration(rng.Int64N(int64(4*time.Second))))
	}
}

// play joins the matched room and digs at random on each turn until the
// game is over.
func (m *matchRun) play(ctx context.Context, p player, roomID, wsURL string, rng *rand.Rand) error {
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, wsURL, nil)
	if err != nil {
		return fmt.Errorf("dial")
	}
	defer conn.Close()
	if err := conn.WriteJSON(map[string]any{"type": "hello", "token": p.Token, "room": roomID, "as": "player"}); err != nil {
		return fmt.Errorf("hello")
	}
	seat := -1
	var t table
	deadline := time.Now().Add(5 * time.Minute)
	for {
		conn.SetReadDeadline(deadline)
		var f frame
		if err := conn.ReadJSON(&f); err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				return fmt.Errorf("closed_%d", ce.Code)
			}
			if strings.Contains(err.Error(), "timeout") {
				return fmt.Errorf("game_timeout")
			}
			return fmt.Errorf("read")
		}
		turn := f.Turn
		switch f.Type {
		case "welcome":
			if f.You != nil && f.You.Seat != nil {
				seat = *f.You.Seat
			}
			if f.Room != nil {
				t.rows, t.cols = f.Room.Rules.Rows, f.Room.Rules.Cols
				t.dug = make([]bool, t.rows*t.cols)
				turn = f.Room.Turn
				for r, row := range f.Room.Board {
					for c, v := range row {
						if v != nil {
							t.dug[r*t.cols+c] = true
						}
					}
				}
			}
		case "dug":
			for _, c := range f.Cells {
				t.dug[c.Row*t.cols+c.Col] = true
			}
		case "game_over":
			m.mu.Lock()
			if !m.over[roomID] {
				m.over[roomID] = true
				m.games.Add(1)
			}
			m.mu.Unlock()
			conn.WriteJSON(map[string]any{"type": "leave"})
			return nil
		case "error":
			if f.Code == "not_your_turn" || f.Code == "already_dug" {
				continue
			}
			return fmt.Errorf("error_%s", f.Code)
		}
		if turn != nil && *turn == seat && seat >= 0 && (f.Type == "dug" || f.Type == "game_started" || f.Type == "welcome" ||
			f.Type == "turn_skipped") {
			time.Sleep(m.cfg.Think)
			if r, c, ok := t.undug(rng); ok {
				if err := conn.WriteJSON(map[string]any{"type": "dig", "row": r, "col": c}); err != nil {
					return fmt.Errorf("write")
				}
			}
		}
	}
}
