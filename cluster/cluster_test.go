package cluster_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/goldmine-game/goldmine/cluster"
	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/internal/pgtest"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// count reads a counter.
func count(t *testing.T, c prometheus.Collector) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.(prometheus.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// member is a connection that notes how it was closed.
type member struct {
	mu   sync.Mutex
	code int
}

func (m *member) Send([]byte) {}
func (m *member) Close(code int, _ string) {
	m.mu.Lock()
	m.code = code
	m.mu.Unlock()
}
func (m *member) closedWith() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.code
}

// testNode is a node's store, rooms and place in the cluster, in process.
type testNode struct {
	st    *store.Store
	rooms *room.Manager
	node  *cluster.Node
}

func newNode(t *testing.T, dsn, id string) *testNode {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: dsn, Node: id, Lease: time.Second, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	rooms := room.NewManager(room.Config{Store: st, Log: quiet})
	t.Cleanup(func() {
		rooms.Close()
		st.Close()
	})
	return &testNode{st: st, rooms: rooms, node: cluster.New(cluster.Config{Store: st, Rooms: rooms, Log: quiet})}
}

// expire ends a node's lease, as if it had stopped renewing it long ago.
func expire(t *testing.T, dsn, id string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE nodes SET lease_until = 0 WHERE id = $1", id); err != nil {
		t.Fatal(err)
	}
}

// deadNodeWithRooms makes n rooms on a node "dead" whose lease then ran
// out, and returns their ids.
func deadNodeWithRooms(t *testing.T, dsn string, n int) []string {
	t.Helper()
	dead := newNode(t, dsn, "dead")
	rules, _ := game.Preset("classic")
	var ids []string
	for i := 0; i < n; i++ {
		snap, err := dead.rooms.Create(context.Background(), room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, snap.ID)
	}
	expire(t, dsn, "dead")
	return ids
}

// TestTick: a round adopts nothing of a live node; adopts the rooms of a
// node whose lease ran out; and on that node, once its round gets through,
// lets them go, closing their members with 1001.
func TestTick(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	a, b := newNode(t, dsn, "a"), newNode(t, dsn, "b")
	rules, _ := game.Preset("classic")
	snap, err := a.rooms.Create(ctx, room.Player{ID: "ann", Name: "Ann"}, room.Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	ann := &member{}
	if _, err := a.rooms.Join(ctx, snap.ID, room.Player{ID: "ann", Name: "Ann"}, room.RolePlayer, ann); err != nil {
		t.Fatal(err)
	}
	a.node.Tick(ctx)
	b.node.Tick(ctx)
	if _, err := b.rooms.Room(snap.ID); err == nil {
		t.Fatal("b adopted a room of a live node")
	}

	expire(t, dsn, "a")
	b.node.Tick(ctx)
	if _, err := b.rooms.Room(snap.ID); err != nil {
		t.Fatalf("b did not adopt the room of a dead node: %v", err)
	}
	if got := count(t, b.node.Collectors()[0]); got != 1 {
		t.Fatalf("b's adopted rooms metric: %v", got)
	}
	if _, err := a.rooms.Room(snap.ID); err != nil {
		t.Fatal("a let go of the room before it learnt it lost it")
	}
	a.node.Tick(ctx)
	if _, err := a.rooms.Room(snap.ID); err == nil {
		t.Fatal("a still holds the room b adopted")
	}
	if code := ann.closedWith(); code != room.CloseMoved {
		t.Fatalf("a's member was closed with %d, want %d", code, room.CloseMoved)
	}
	if got := count(t, a.node.Collectors()[1]); got != 1 {
		t.Fatalf("a's released rooms metric: %v", got)
	}
}

// TestOneAdopterAtOnce: two nodes and a round of each race to adopt the
// room of a dead node: exactly one holds it, and the winner answers Adopt
// with true however many ask.
func TestOneAdopterAtOnce(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	id := deadNodeWithRooms(t, dsn, 1)[0]
	nodes := []*testNode{newNode(t, dsn, "x"), newNode(t, dsn, "y")}
	var wg sync.WaitGroup
	answers := make([][]bool, len(nodes))
	for i, n := range nodes {
		answers[i] = make([]bool, 8)
		for j := range answers[i] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := n.node.Adopt(ctx, id)
				if err != nil {
					t.Error(err)
				}
				answers[i][j] = ok
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.node.Tick(ctx)
		}()
	}
	wg.Wait()
	holders := 0
	for i, n := range nodes {
		_, err := n.rooms.Room(id)
		held := err == nil
		if held {
			holders++
		}
		for _, ok := range answers[i] {
			if ok != held {
				t.Fatalf("node %d answered Adopt %v but holds the room: %v", i, ok, held)
			}
		}
	}
	if holders != 1 {
		t.Fatalf("%d nodes hold the room, want 1", holders)
	}
}

// TestRoundsShareTheRooms: two live nodes adopt the rooms of a dead one
// evenly, one round each, rather than the first round taking them all.
func TestRoundsShareTheRooms(t *testing.T) {
	dsn := pgtest.NewDB(t)
	ctx := context.Background()
	ids := deadNodeWithRooms(t, dsn, 5)
	x, y := newNode(t, dsn, "x"), newNode(t, dsn, "y")
	held := func(n *testNode) int {
		k := 0
		for _, id := range ids {
			if _, err := n.rooms.Room(id); err == nil {
				k++
			}
		}
		return k
	}
	x.node.Tick(ctx)
	if got := held(x); got != 3 {
		t.Fatalf("x's round took %d of 5 rooms, want its share, 3", got)
	}
	y.node.Tick(ctx)
	if got := held(y); got != 2 {
		t.Fatalf("y's round took %d rooms, want the 2 left", got)
	}
	// A node alone takes every room left.
	expire(t, dsn, "y")
	x.node.Tick(ctx)
	if got := held(x); got != 5 {
		t.Fatalf("x alone holds %d of 5 rooms, want 5", got)
	}
}
