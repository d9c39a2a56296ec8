package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/goldmine-game/goldmine/internal/nodetest"
	"github.com/goldmine-game/goldmine/internal/pgtest"
	"github.com/goldmine-game/goldmine/loadgen"
)

// node is one node of a test cluster.
type node struct {
	*proc
	id, url string
}

// startNode runs a node of a cluster on db, at a port chosen up front so
// that it can advertise its URL.
func startNode(t *testing.T, bin, db, id string, lease time.Duration) *node {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	url := "http://" + addr
	p := startProc(t, bin, "--addr", addr, "--db", db, "--node-id", id, "--advertise-url", url,
		"--lease", lease.String(), "--max-rooms-per-player", "0", "--metrics-token", "metrics")
	return &node{proc: p, id: id, url: url}
}

// metric returns the value of an unlabelled metric of the node.
func (n *node) metric(name string) float64 {
	n.t.Helper()
	req, _ := http.NewRequest("GET", n.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer metrics")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				n.t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	n.t.Fatalf("no %s in the metrics of %s", name, n.id)
	return 0
}

// startCluster runs n nodes, n1 to nN, on a fresh PostgreSQL database,
// and returns the database's URL and the nodes. It skips in -short mode.
func startCluster(t *testing.T, n int, lease time.Duration) (db string, nodes []*node) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs several nodes")
	}
	db = pgtest.NewDB(t)
	for i := 1; i <= n; i++ {
		nodes = append(nodes, startNode(t, bin, db, fmt.Sprintf("n%d", i), lease))
	}
	return db, nodes
}

// dialWS opens a WebSocket at a ws:// URL the server gave.
func dialWS(t *testing.T, url string) (*wsClient, error) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { ws.Close() })
	return &wsClient{t: t, ws: ws}, nil
}

// TestCluster runs three nodes on one PostgreSQL database. Rooms are made
// on each node and listed from any; a hello at the wrong node is sent to
// the owner; one node is killed with SIGKILL in the middle of its games,
// the others adopt its rooms once its lease runs out, and its players,
// asking the room API of a live node where their room went, resume with
// the same seq, lose no acknowledged move, and finish; every game is
// stored once.
func TestCluster(t *testing.T) {
	const lease = 2 * time.Second
	db, nodes := startCluster(t, 3, lease)
	rng := rand.New(rand.NewPCG(3, 4))

	// Two games on each node, created through that node's API.
	const perNode = 3
	var games []*game2
	owner := map[string]*node{}
	for _, n := range nodes {
		for i := 0; i < perNode; i++ {
			g := &game2{}
			// Tokens are good on every node: they share the database's secret.
			g.players = [2]account{nodes[0].account(fmt.Sprintf("A-%s-%d", n.id, i)), nodes[2].account(fmt.Sprintf("B-%s-%d", n.id, i))}
			var snap map[string]any
			if code := n.json("POST", "/api/rooms", g.players[0].Token, map[string]any{"preset": "classic", "turn_seconds": 0}, &snap); code != 201 {
				t.Fatalf("create a room on %s: %d", n.id, code)
			}
			g.id = snap["id"].(string)
			if snap["node"] != n.id || snap["ws_url"] != "ws"+strings.TrimPrefix(n.url, "http")+"/ws" {
				t.Fatalf("room created on %s says node %v, ws_url %v", n.id, snap["node"], snap["ws_url"])
			}
			owner[g.id] = n
			games = append(games, g)
		}
	}

	// Any node lists every room, with its owner.
	for _, n := range nodes {
		var list struct {
			Rooms []map[string]any `json:"rooms"`
		}
		if code := n.json("GET", "/api/rooms", "", nil, &list); code != 200 {
			t.Fatalf("list at %s: %d", n.id, code)
		}
		seen := map[string]bool{}
		for _, r := range list.Rooms {
			id, _ := r["id"].(string)
			if o := owner[id]; o != nil {
				seen[id] = true
				if r["node"] != o.id || r["ws_url"] != "ws"+strings.TrimPrefix(o.url, "http")+"/ws" {
					t.Fatalf("%s lists room %s at %v (%v), want %s", n.id, id, r["node"], r["ws_url"], o.id)
				}
			}
		}
		if len(seen) != len(games) {
			t.Fatalf("%s lists %d of the %d rooms", n.id, len(seen), len(games))
		}
	}
	// Any node answers for a room of another: n1 for a room of n2.
	var snap map[string]any
	if code := nodes[0].json("GET", "/api/rooms/"+games[perNode].id, "", nil, &snap); code != 200 || snap["node"] != "n2" {
		t.Fatalf("n1's snapshot of a room of n2: %d %v", code, snap["node"])
	}

	// A hello at the wrong node gets wrong_node with the owner's URL.
	c := nodes[0].dial(t)
	g := games[perNode]
	c.send(map[string]any{"type": "hello", "token": g.players[0].Token, "room": g.id, "as": "player"})
	m, ok := c.read()
	if !ok || m["type"] != "error" || m["code"] != "wrong_node" || m["node"] != "n2" || m["ws_url"] != "ws"+strings.TrimPrefix(nodes[1].url, "http")+"/ws" {
		t.Fatalf("hello at the wrong node: %v", m)
	}

	// Every game starts at its owner and plays a while.
	for _, g := range games {
		wsURL := "ws" + strings.TrimPrefix(owner[g.id].url, "http") + "/ws"
		for i := range g.conns {
			conn, err := dialWS(t, wsURL)
			if err != nil {
				t.Fatal(err)
			}
			g.conns[i] = conn
			conn.send(map[string]any{"type": "hello", "token": g.players[i].Token, "room": g.id, "as": "player"})
			conn.until("welcome")
		}
		g.started()
		for n := 3 + rng.IntN(10); n > 0 && g.over == nil; n-- {
			g.dig(t)
		}
	}
	// A dig in flight on the node about to die.
	victim := nodes[1]
	for _, g := range games {
		if owner[g.id] == victim && g.over == nil {
			r, c := g.firstUndug()
			g.conns[g.turn].send(map[string]any{"type": "dig", "row": r, "col": c, "id": "inflight"})
			g.pending = true
			break
		}
	}
	killed := time.Now()
	victim.kill9()

	// The clients of the dead node's rooms ask a live node's API where
	// their room is, as the SDK does, and reconnect there.
	live := []*node{nodes[0], nodes[2]}
	var adoptedBy []string
	for _, g := range games {
		if owner[g.id] != victim || g.over != nil {
			continue
		}
		var where map[string]any
		deadline := time.Now().Add(4 * lease)
		for {
			code := live[len(adoptedBy)%2].json("GET", "/api/rooms/"+g.id, "", nil, &where)
			if code == 200 && where["node"] != victim.id {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("room %s not adopted %s after the kill: %d %v", g.id, time.Since(killed), code, where)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if took := time.Since(killed); took > lease+2*time.Second {
			t.Fatalf("room %s adopted %s after the kill; the lease is %s", g.id, took, lease)
		}
		adoptedBy = append(adoptedBy, where["node"].(string))
		var welcome [2]map[string]any
		for i := range g.conns {
			conn, err := dialWS(t, where["ws_url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			g.conns[i] = conn
			conn.send(map[string]any{"type": "hello", "token": g.players[i].Token, "room": g.id, "as": "player"})
			welcome[i] = conn.until("welcome")
		}
		room := welcome[0]["room"].(map[string]any)
		if room["status"] == "finished" {
			if !g.pending || room["seq"].(float64) != g.seq+2 {
				t.Fatalf("room %s finished unexpectedly: %v", g.id, room)
			}
			g.over = room
			continue
		}
		if got, want := stateOf(room), g.state(); got != want {
			// Only the in-flight dig may have been committed before the
			// kill: then the room is exactly one dig ahead.
			if !g.pending || room["seq"].(float64) != g.seq+1 {
				t.Fatalf("room %s after the kill of its node:\n got %s\nwant %s", g.id, got, want)
			}
		}
		g.seq = room["seq"].(float64)
		g.turn = int(room["turn"].(float64))
		for r, row := range room["board"].([]any) {
			g.board[r] = row.([]any)
		}
	}
	t.Logf("the rooms of %s were adopted by %v within %s of its kill", victim.id, adoptedBy, time.Since(killed).Round(time.Millisecond))
	// Every room of the dead node is adopted once (a finished one too, by
	// the next round of a live node), as the metrics count.
	var victimRooms int
	for _, o := range owner {
		if o == victim {
			victimRooms++
		}
	}
	for deadline := time.Now().Add(2 * lease); ; time.Sleep(100 * time.Millisecond) {
		adopted := 0
		for _, n := range live {
			adopted += int(n.metric("goldmine_cluster_rooms_adopted_total"))
		}
		if adopted == victimRooms {
			break
		}
		if adopted > victimRooms || time.Now().After(deadline) {
			t.Fatalf("goldmine_cluster_rooms_adopted_total adds up to %d on the live nodes, want %d", adopted, victimRooms)
		}
	}

	// Every game plays to its end, wherever it now is.
	for _, g := range games {
		for g.over == nil {
			g.dig(t)
		}
	}
	pg, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	for _, g := range games {
		var n int
		var reason string
		if err := pg.QueryRowContext(context.Background(), "SELECT count(*), min(ended_reason) FROM games WHERE room_id = $1", g.id).Scan(&n, &reason); err != nil {
			t.Fatal(err)
		}
		if n != 1 || reason != "all_gold" {
			t.Fatalf("room %s: %d stored games (ended %q), want 1 (all_gold)", g.id, n, reason)
		}
	}
	for _, n := range live {
		if code := n.stop(sigterm); code != 0 {
			t.Fatalf("%s exited %d:\n%s", n.id, code, n.log())
		}
	}
}

// TestClusterSDK runs the SDK against two nodes (static/sdk/test/
// cluster.test.mjs): it follows wrong_node to the room's node, and when
// that node is killed, finds the room's new node through the room API and
// plays on there. It skips where Node is missing, and fails then when
// CI=true.
func TestClusterSDK(t *testing.T) {
	nodeBin, args := nodetest.Find(t)
	_, nodes := startCluster(t, 2, 2*time.Second)
	base, other := nodes[0], nodes[1]
	ctl := http.NewServeMux()
	var once sync.Once
	ctl.HandleFunc("POST /kill", func(w http.ResponseWriter, r *http.Request) { once.Do(other.kill9) })
	control := httptest.NewServer(ctl)
	defer control.Close()
	script := filepath.Join(root, "static", "sdk", "test", "cluster.test.mjs")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, append(args, script)...)
	cmd.Env = append(os.Environ(), "GOLDMINE_NODES="+base.url+","+other.url, "GOLDMINE_CONTROL="+control.URL, "NODE_NO_WARNINGS=1")
	out, err := cmd.CombinedOutput()
	t.Logf("node %v:\n%s", cmd.Args, out)
	if err != nil {
		t.Fatalf("the SDK's cluster test failed: %v\n--- n1:\n%s", err, base.log())
	}
}

// TestBenchAcrossNodes runs the load generator over two nodes: the rooms
// are spread over both, every move is answered, and every finished game is
// stored.
func TestBenchAcrossNodes(t *testing.T) {
	_, nodes := startCluster(t, 2, 2*time.Second)
	n1, n2 := nodes[0], nodes[1]
	rep, err := loadgen.Run(context.Background(), loadgen.Config{URL: n1.url + "," + n2.url, Rooms: 10, Players: 2,
		Preset: "classic", Think: 20 * time.Millisecond, Duration: 3 * time.Second, Verify: true, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Gaps != 0 || rep.Reorders != 0 || len(rep.Errors) != 0 || rep.Reconnects != 0 {
		t.Fatalf("gaps %d, reorders %d, errors %v, reconnects %d: want none", rep.Gaps, rep.Reorders, rep.Errors, rep.Reconnects)
	}
	if rep.GamesFinished == 0 || rep.GamesStored == nil || *rep.GamesStored != rep.GamesFinished {
		t.Fatalf("games finished %d, stored %v: want some, all stored", rep.GamesFinished, rep.GamesStored)
	}
	for _, n := range []*node{n1, n2} {
		if moves := n.metric("goldmine_moves_total"); moves == 0 {
			t.Fatalf("node %s served no move", n.id)
		}
	}
}

// TestClusterGracefulStop: a node stopped with SIGTERM ends its lease as it
// goes, so its rooms move at once, long before the lease would have run
// out, and their games go on from the same seq.
func TestClusterGracefulStop(t *testing.T) {
	const lease = 30 * time.Second
	_, nodes := startCluster(t, 2, lease)
	n1, n2 := nodes[0], nodes[1]
	g := &game2{players: [2]account{n1.account("Ann"), n1.account("Ben")}}
	var snap map[string]any
	if code := n2.json("POST", "/api/rooms", g.players[0].Token, map[string]any{"preset": "classic", "turn_seconds": 0}, &snap); code != 201 {
		t.Fatalf("create a room on n2: %d", code)
	}
	g.id = snap["id"].(string)
	g.connect(t, n2.proc)
	g.started()
	for i := 0; i < 3 && g.over == nil; i++ {
		g.dig(t)
	}
	stopped := time.Now()
	if code := n2.stop(sigterm); code != 0 {
		t.Fatalf("n2 exited %d:\n%s", code, n2.log())
	}
	var where map[string]any
	if code := n1.json("GET", "/api/rooms/"+g.id, "", nil, &where); code != 200 || where["node"] != "n1" {
		t.Fatalf("n1 on n2's room after n2 stopped: %d %v", code, where)
	}
	if took := time.Since(stopped); took > lease/3 {
		t.Fatalf("the room moved %s after the stop; the lease is %s", took, lease)
	}
	for i := range g.conns {
		conn, err := dialWS(t, where["ws_url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		g.conns[i] = conn
		conn.send(map[string]any{"type": "hello", "token": g.players[i].Token, "room": g.id, "as": "player"})
		w := conn.until("welcome")["room"].(map[string]any)
		// The seq goes on: the stop announced each player's going
		// (presence), and the first to come back, to the second.
		seq := w["seq"].(float64)
		w["seq"] = g.seq
		if got, want := stateOf(w), g.state(); got != want || seq < g.seq+2 || seq > g.seq+3 {
			t.Fatalf("the room at n1 (seq %v after %v):\n got %s\nwant %s", seq, g.seq, got, want)
		}
	}
	for g.over == nil {
		g.dig(t)
	}
}
