package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// frame is the part of a server frame the bots read.
type frame struct {
	Type   string           `json:"type"`
	Seq    int64            `json:"seq"`
	Seat   *int             `json:"seat"`
	Turn   *int             `json:"turn"`
	ID     *json.RawMessage `json:"id"`
	Code   string           `json:"code"`
	GameID json.Number      `json:"game_id"`
	Cells  []struct {
		Row int `json:"row"`
		Col int `json:"col"`
	} `json:"cells"`
	You *struct {
		Seat *int `json:"seat"`
	} `json:"you"`
	Room *struct {
		Seq    int64     `json:"seq"`
		Status string    `json:"status"`
		Turn   *int      `json:"turn"`
		Board  [][]*int8 `json:"board"`
		Rules  struct {
			Rows int `json:"rows"`
			Cols int `json:"cols"`
		} `json:"rules"`
	} `json:"room"`
}

// table is what the bots of one room share: the board as they know it and
// when each move was sent, so that every receiver can time its delivery.
type table struct {
	id      string
	run     *runner
	mu      sync.Mutex
	rows    int
	cols    int
	dug     []bool
	sent    map[string]*sentMove // move id -> when its digger sent it
	nextID  int
	players int
	max     int    // the room's max_players
	wsURL   string // of the node that owns the room
}

// sentMove is a move on its way to the room's players.
type sentMove struct {
	at   time.Time
	seen int // players who got its dug so far
}

// undug picks a random cell nobody has dug yet.
func (t *table) undug(rng *rand.Rand) (int, int, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(t.dug)
	if n == 0 {
		return 0, 0, false
	}
	start := rng.IntN(n)
	for i := 0; i < n; i++ {
		if c := (start + i) % n; !t.dug[c] {
			return c / t.cols, c % t.cols, true
		}
	}
	return 0, 0, false
}

// bot is one player's connection.
type bot struct {
	t       *table
	p       player
	spect   bool
	rng     *rand.Rand
	conn    *websocket.Conn
	wmu     sync.Mutex
	seat    int
	seq     seqCheck
	pending *time.Timer
	mu      sync.Mutex // guards pending
}

func (b *bot) dial(ctx context.Context) error {
	u := b.t.wsURL
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.DialContext(ctx, u, http.Header{})
	if err != nil {
		if resp != nil {
			return refusal(err, resp)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			// Goldmine's listener closes a connection past its TCP
			// limits before any HTTP is read.
			return fmt.Errorf("loadgen: %w (closed before the upgrade: %v): one address plays every player, so start the server with --max-tcp-conns-per-ip and --max-tcp-conns raised above the run's connections",
				ErrRefused, err)
		}
		return fmt.Errorf("loadgen: dial: %w", err)
	}
	b.conn = conn
	as := "player"
	if b.spect {
		as = "spectator"
	}
	return b.send(map[string]any{"type": "hello", "token": b.p.Token, "room": b.t.id, "as": as})
}

func (b *bot) send(v any) error {
	msg, _ := json.Marshal(v)
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return b.conn.WriteMessage(websocket.TextMessage, msg)
}

// loop reads frames until the connection ends. It reconnects after an
// unexpected drop, until the run stops.
func (b *bot) loop(ctx context.Context) {
	r := b.t.run
	for {
		err := b.read()
		if r.stopping.Load() || ctx.Err() != nil {
			return
		}
		r.reconnects.Add(1)
		r.logf("reconnecting after %v", err)
		b.conn.Close()
		for {
			if ctx.Err() != nil || r.stopping.Load() {
				return
			}
			if err := b.dial(ctx); err == nil {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func (b *bot) read() error {
	for {
		_, data, err := b.conn.ReadMessage()
		if err != nil {
			return err
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			b.t.run.countError("bad_frame")
			continue
		}
		b.handle(&f)
	}
}

func (b *bot) handle(f *frame) {
	t, r := b.t, b.t.run
	switch f.Type {
	case "welcome", "snapshot":
		b.seq.reset(f.Room.Seq)
		if f.You != nil && f.You.Seat != nil {
			b.seat = *f.You.Seat
		}
		t.mu.Lock()
		t.rows, t.cols = f.Room.Rules.Rows, f.Room.Rules.Cols
		t.dug = make([]bool, t.rows*t.cols)
		for i, row := range f.Room.Board {
			for j, v := range row {
				if v != nil {
					t.dug[i*t.cols+j] = true
				}
			}
		}
		t.mu.Unlock()
		if f.Type == "welcome" {
			r.joined.Add(1)
		}
		if f.Room.Status == "playing" && f.Room.Turn != nil && *f.Room.Turn == b.seat {
			b.schedule()
		}
		return
	case "pong":
		return
	case "error":
		r.countError(f.Code)
		if f.Code == "not_your_turn" || f.Code == "already_dug" {
			b.send(map[string]string{"type": "resync"})
		}
		return
	}
	if f.Seq > 0 {
		switch b.seq.event(f.Seq) {
		case gap:
			r.gaps.Add(1)
			b.send(map[string]string{"type": "resync"})
		case reorder:
			r.reorders.Add(1)
		}
	}
	switch f.Type {
	case "game_started":
		t.mu.Lock()
		t.dug = make([]bool, t.rows*t.cols)
		t.mu.Unlock()
		if f.Turn != nil && *f.Turn == b.seat {
			b.schedule()
		}
	case "dug":
		now := time.Now()
		t.mu.Lock()
		for _, c := range f.Cells {
			if i := c.Row*t.cols + c.Col; i >= 0 && i < len(t.dug) {
				t.dug[i] = true
			}
		}
		var sent time.Time
		if f.ID != nil && !b.spect {
			if m := t.sent[string(*f.ID)]; m != nil {
				sent = m.at
				// Forget a move once every player got it.
				if m.seen++; m.seen == t.players {
					delete(t.sent, string(*f.ID))
				}
			}
		}
		t.mu.Unlock()
		if !sent.IsZero() {
			if f.Seat != nil && *f.Seat == b.seat {
				r.ack.add(now.Sub(sent))
				r.moves.Add(1)
			} else {
				r.broadcast.add(now.Sub(sent))
			}
		}
		if f.Turn != nil && *f.Turn == b.seat {
			b.schedule()
		}
	case "turn_skipped":
		if f.Turn != nil && *f.Turn == b.seat {
			b.schedule()
		}
	case "game_over":
		if b.spect {
			return
		}
		if b.seat == 0 {
			r.finished(f.GameID.String())
		}
		if !r.stopping.Load() {
			b.send(map[string]string{"type": "rematch"})
		}
	}
}

// schedule digs after the think time, unless the run is stopping.
func (b *bot) schedule() {
	if b.spect || b.t.run.stopping.Load() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending != nil {
		b.pending.Stop()
	}
	b.pending = time.AfterFunc(b.t.run.cfg.Think, b.dig)
}

func (b *bot) dig() {
	t, r := b.t, b.t.run
	if r.stopping.Load() {
		return
	}
	row, col, ok := t.undug(b.rng)
	if !ok {
		return
	}
	t.mu.Lock()
	t.nextID++
	id := fmt.Sprintf(`"m%d"`, t.nextID)
	t.sent[id] = &sentMove{at: time.Now()}
	t.mu.Unlock()
	if err := b.send(map[string]any{"type": "dig", "row": row, "col": col, "id": json.RawMessage(id)}); err != nil {
		r.countError("send")
	}
}
