package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/goldmine-game/goldmine/store"
)

// game2 is one two-player game over WebSocket, as its clients see it.
type game2 struct {
	id      string
	players [2]account
	conns   [2]*wsClient
	seq     float64
	turn    int
	board   [][]any
	scores  []any
	over    map[string]any
	pending bool // a dig was sent and not acknowledged
}

func (g *game2) connect(t *testing.T, p *proc) (welcome [2]map[string]any) {
	t.Helper()
	for i := range g.conns {
		g.conns[i] = p.dial(t)
		g.conns[i].send(map[string]any{"type": "hello", "token": g.players[i].Token, "room": g.id, "as": "player"})
		welcome[i] = g.conns[i].until("welcome")
	}
	return welcome
}

// started waits for the game to start and takes its seq, with an undug
// classic board.
func (g *game2) started() {
	g.seq = g.conns[0].until("game_started")["seq"].(float64)
	g.board = make([][]any, 9)
	for r := range g.board {
		g.board[r] = make([]any, 9)
	}
}

// dig has the player to move dig the first undug cell and waits for the
// acknowledgement: their own dug event.
func (g *game2) dig(t *testing.T) {
	t.Helper()
	for r, row := range g.board {
		for c, v := range row {
			if v != nil {
				continue
			}
			id := fmt.Sprintf("%d-%d", r, c)
			conn := g.conns[g.turn]
			conn.send(map[string]any{"type": "dig", "row": r, "col": c, "id": id})
			// Events queued before it may come first (the other
			// player's digs); the acknowledgement is the dug with our id.
			d := conn.until("dug")
			for d["id"] != id {
				g.apply(d)
				d = conn.until("dug")
			}
			g.apply(d)
			if d["turn"] == nil {
				g.over = g.conns[0].until("game_over")
			}
			return
		}
	}
	t.Fatal("no undug cell")
}

func (g *game2) firstUndug() (int, int) {
	for r, row := range g.board {
		for c, v := range row {
			if v == nil {
				return r, c
			}
		}
	}
	return -1, -1
}

func (g *game2) apply(d map[string]any) {
	g.seq = d["seq"].(float64)
	for _, x := range d["cells"].([]any) {
		c := x.(map[string]any)
		g.board[int(c["row"].(float64))][int(c["col"].(float64))] = c["value"]
	}
	g.scores = d["scores"].([]any)
	if d["turn"] != nil {
		g.turn = int(d["turn"].(float64))
	}
}

func (g *game2) state() string {
	b, _ := json.Marshal(map[string]any{"seq": g.seq, "turn": g.turn, "board": g.board, "scores": g.scores})
	return string(b)
}

func stateOf(snap map[string]any) string {
	var scores []any
	for _, p := range snap["players"].([]any) {
		scores = append(scores, p.(map[string]any)["score"])
	}
	b, _ := json.Marshal(map[string]any{"seq": snap["seq"], "turn": int(snap["turn"].(float64)), "board": snap["board"], "scores": scores})
	return string(b)
}

// TestKill9 crashes the real binary in the middle of several games, over
// and over, and checks that every room comes back exactly as its clients
// last saw it acknowledged, and plays on to a stored end.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and crashes the binary")
	}
	db := filepath.Join(t.TempDir(), "goldmine.db")
	rng := rand.New(rand.NewPCG(1, 2))
	const cycles, rooms = 3, 6
	for cycle := 0; cycle < cycles; cycle++ {
		p := startProc(t, bin, "--db", db)
		games := make([]*game2, rooms)
		for i := range games {
			g := &game2{}
			g.players = [2]account{p.account(fmt.Sprintf("A%d-%d", cycle, i)), p.account(fmt.Sprintf("B%d-%d", cycle, i))}
			var snap map[string]any
			if code := p.json("POST", "/api/rooms", g.players[0].Token, map[string]any{"preset": "classic"}, &snap); code != 201 {
				t.Fatalf("create room: %d", code)
			}
			g.id = snap["id"].(string)
			g.connect(t, p)
			g.started()
			for n := 5 + rng.IntN(15); n > 0 && g.over == nil; n-- {
				g.dig(t)
			}
			games[i] = g
		}
		// Two moves in flight at the moment of the crash: one sent just
		// before it (committed or not), and one committed and seen by the
		// opponent, whose digger never read its acknowledgement.
		for i, g := range games[:2] {
			if g.over != nil {
				continue
			}
			r, c := g.firstUndug()
			g.conns[g.turn].send(map[string]any{"type": "dig", "row": r, "col": c, "id": "inflight"})
			g.pending = true
			if i == 1 {
				g.conns[1-g.turn].until("dug")
			}
		}
		p.kill9()

		p = startProc(t, bin, "--db", db)
		for _, g := range games {
			if g.over != nil {
				continue
			}
			welcome := g.connect(t, p)
			if room := welcome[0]["room"].(map[string]any); room["status"] == "finished" {
				// Only the in-flight dig can have ended the game.
				if !g.pending || room["seq"].(float64) != g.seq+2 || room["result"] == nil {
					t.Fatalf("cycle %d room %s finished unexpectedly: %v", cycle, g.id, room)
				}
				continue
			}
			got := stateOf(welcome[0]["room"].(map[string]any))
			if want := g.state(); got != want {
				if !g.pending {
					t.Fatalf("cycle %d room %s after kill -9:\n got %s\nwant %s", cycle, g.id, got, want)
				}
				// The in-flight dig may have been committed before the
				// crash: then the room is exactly one dig ahead.
				if welcome[0]["room"].(map[string]any)["seq"].(float64) != g.seq+1 {
					t.Fatalf("cycle %d room %s: neither the acknowledged state nor one dig past it:\n got %s\nwant %s", cycle, g.id, got, want)
				}
				t.Logf("cycle %d: the in-flight dig was committed before the crash", cycle)
			} else if g.pending {
				t.Logf("cycle %d: the in-flight dig was not committed before the crash", cycle)
			}
			// Continue from what the server says, then play to the end.
			snap := welcome[1]["room"].(map[string]any)
			g.seq = snap["seq"].(float64)
			g.turn = int(snap["turn"].(float64))
			for r, row := range snap["board"].([]any) {
				g.board[r] = row.([]any)
			}
			for g.over == nil {
				g.dig(t)
			}
			var stored map[string]any
			if code := p.json("GET", fmt.Sprintf("/api/games/%.0f", g.over["game_id"].(float64)), "", nil, &stored); code != 200 {
				t.Fatalf("finished game not stored: %d", code)
			}
			if stored["layout"] != g.over["layout"] || stored["ended_reason"] != "all_gold" {
				t.Fatalf("stored game %v does not match game_over %v", stored, g.over)
			}
		}
		if code := p.stop(sigterm); code != 0 {
			t.Fatalf("exit code %d after SIGTERM:\n%s", code, p.log())
		}
		st, err := store.Open(context.Background(), store.Options{Path: db})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.IntegrityCheck(context.Background()); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
}
