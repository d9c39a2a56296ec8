// Package cluster keeps one node's place among Goldmine nodes that share a
// PostgreSQL database (docs/scaling.md): it renews the node's lease, lets
// go of the rooms another node adopted, and adopts the rooms of nodes
// whose lease ran out, replaying them from the shared move log.
//
// Ownership itself lives in the database (package store): PostgreSQL's
// row locks and conditional updates decide who owns a room, and every write
// of a room is fenced by its owner. This package only acts on what the
// database says.
package cluster

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
)

// Store is what a node needs from the shared database.
type Store interface {
	// Heartbeat renews the lease and returns the rooms the node owns.
	Heartbeat(ctx context.Context, counts map[string]room.Count) ([]string, error)
	// ClaimRooms takes up to limit rooms of dead nodes (only room id, if
	// set).
	ClaimRooms(ctx context.Context, id string, limit int) ([]room.Saved, error)
	// Orphaned counts the rooms of dead nodes.
	Orphaned(ctx context.Context) (int, error)
	// Locate says which node owns a room.
	Locate(ctx context.Context, id string) (domain.Location, error)
	// RemoteRooms lists the live rooms other nodes own.
	RemoteRooms(ctx context.Context) ([]domain.RemoteRoom, error)
	// Nodes lists the nodes.
	Nodes(ctx context.Context) ([]domain.NodeInfo, error)
	// Node is this node's id, and Lease how long its lease lasts.
	Node() string
	Lease() time.Duration
}

// Config configures a Node.
type Config struct {
	Store Store
	Rooms *room.Manager
	// Every is how often the lease is renewed and dead nodes' rooms are
	// looked for: a third of the lease by default, so that two renewals
	// may fail before the lease runs out.
	Every time.Duration
	// Batch is how many rooms one claim takes at most (default 50). A
	// round claims batch after batch, up to this node's share: as many as
	// bring it to an even split of the live nodes' rooms and the dead
	// nodes' (and at least one, so that the rooms always move). The rooms
	// a node leaves go to the other nodes' rounds, or to its own next one.
	Batch int
	// OnAdopt, if set, is called after rooms were adopted (to seat their
	// bots again, say).
	OnAdopt func(n int)
	Log     *slog.Logger
}

// Node is this process's place in the cluster.
type Node struct {
	cfg Config
	log *slog.Logger
	// origins are the nodes' browser origins (scheme://host), as of the
	// last round.
	origins atomic.Pointer[map[string]bool]
	// adopting serializes claims and their adoption: once a claim is in
	// the database, the room is in the manager before anyone else asks.
	adopting sync.Mutex

	adopted, released, leaseErrors prometheus.Counter

	transport http.RoundTripper

	remoteMu sync.Mutex // guards remote and remoteAt
	remote   []domain.RemoteRoom
	remoteAt time.Time
}

// New returns a Node; Run starts its work.
func New(cfg Config) *Node {
	cfg.Every = cmp.Or(cfg.Every, cfg.Store.Lease()/3)
	cfg.Batch = cmp.Or(cfg.Batch, 50)
	if cfg.OnAdopt == nil {
		cfg.OnAdopt = func(int) {}
	}
	return &Node{cfg: cfg, log: cmp.Or(cfg.Log, slog.Default()),
		// A node that does not connect within 3 s, or start answering
		// within 5 s, is as good as down for the client waiting on it. (A
		// live stream of the console then flows as long as it lasts.)
		transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			ResponseHeaderTimeout: 5 * time.Second,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
		},
		adopted: prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_cluster_rooms_adopted_total",
			Help: "Rooms this node adopted from nodes whose lease ran out."}),
		released: prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_cluster_rooms_released_total",
			Help: "Rooms this node let go of because another node adopted them."}),
		leaseErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_cluster_lease_errors_total",
			Help: "Lease renewals that failed; past the lease, this node's rooms go to others."}),
	}
}

// Collectors are the node's metrics, to register with the server's.
func (n *Node) Collectors() []prometheus.Collector {
	return []prometheus.Collector{n.adopted, n.released, n.leaseErrors}
}

// Transport carries the requests this node passes to others: a room's
// snapshot, the console's pages of a room.
func (n *Node) Transport() http.RoundTripper { return n.transport }

// ID is the node's id.
func (n *Node) ID() string { return n.cfg.Store.Node() }

// Run renews the lease and adopts orphaned rooms, at once and then every
// Config.Every, until ctx is done.
func (n *Node) Run(ctx context.Context) {
	t := time.NewTicker(n.cfg.Every)
	defer t.Stop()
	for {
		n.Tick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick is one round of Run: renew the lease, release the rooms this node
// lost, adopt the rooms of dead nodes.
func (n *Node) Tick(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, n.cfg.Every)
	defer cancel()
	// The rooms held here before the heartbeat's read: a room created
	// after it is not in its answer, and must not be let go for that.
	counts := n.cfg.Rooms.Counts()
	owned, err := n.cfg.Store.Heartbeat(ctx, counts)
	if err != nil {
		// The lease may run out; then the writes of this node's rooms are
		// refused, and the next heartbeat that gets through lets them go.
		n.leaseErrors.Inc()
		n.log.Error("cluster: cannot renew the lease", "node", n.ID(), "err", err)
		return
	}
	live, liveRooms := n.learnNodes(ctx)
	mine := make(map[string]bool, len(owned))
	for _, id := range owned {
		mine[id] = true
	}
	for id := range counts {
		if !mine[id] && n.cfg.Rooms.Release(id) {
			n.released.Inc()
			n.log.Warn("cluster: released a room another node owns now", "node", n.ID(), "room", id)
		}
	}
	orphaned, err := n.cfg.Store.Orphaned(ctx)
	if err != nil {
		n.log.Error("cluster: cannot count the rooms of dead nodes", "node", n.ID(), "err", err)
		return
	}
	if orphaned == 0 {
		return
	}
	// This node's share: up to an even split, rounded up (a node alone
	// takes them all), and at least one.
	live = max(live, 1)
	even := (orphaned + liveRooms + live - 1) / live
	share := max(even-len(owned), 1)
	for share > 0 && ctx.Err() == nil {
		k, more := n.claimBatch(ctx, min(share, n.cfg.Batch))
		share -= k
		if !more {
			return
		}
	}
}

// claimBatch claims and adopts up to limit rooms, and reports how many it
// claimed and whether there may be more.
func (n *Node) claimBatch(ctx context.Context, limit int) (int, bool) {
	n.adopting.Lock()
	defer n.adopting.Unlock()
	saved, err := n.cfg.Store.ClaimRooms(ctx, "", limit)
	if err != nil {
		n.log.Error("cluster: cannot claim rooms", "node", n.ID(), "err", err)
		return 0, false
	}
	n.adopt(saved)
	return len(saved), len(saved) == limit
}

func (n *Node) adopt(saved []room.Saved) int {
	if len(saved) == 0 {
		return 0
	}
	k := n.cfg.Rooms.Adopt(saved)
	n.adopted.Add(float64(k))
	n.log.Info("cluster: adopted rooms", "node", n.ID(), "rooms", k)
	n.cfg.OnAdopt(k)
	return k
}

// Adopt takes room id now if its owner's lease ran out (a client asking
// for it need not wait for the next round), and reports whether the room
// is live on this node, be it adopted now, or by a round that was under
// way.
func (n *Node) Adopt(ctx context.Context, id string) (bool, error) {
	n.adopting.Lock()
	defer n.adopting.Unlock()
	if _, err := n.cfg.Rooms.Room(id); err == nil {
		return true, nil
	}
	saved, err := n.cfg.Store.ClaimRooms(ctx, id, 1)
	if err != nil {
		return false, fmt.Errorf("cluster: adopt %s: %w", id, err)
	}
	return n.adopt(saved) > 0, nil
}

// Locate says which node owns room id.
func (n *Node) Locate(ctx context.Context, id string) (domain.Location, error) {
	return n.cfg.Store.Locate(ctx, id)
}

// remoteTTL is how long a list of the other nodes' rooms is reused: a
// lobby polled by every client must not read every room's row each time.
const remoteTTL = time.Second

// RemoteRooms lists the live rooms other nodes own, as of at most a
// second ago.
func (n *Node) RemoteRooms(ctx context.Context) ([]domain.RemoteRoom, error) {
	n.remoteMu.Lock()
	defer n.remoteMu.Unlock()
	if n.remote != nil && time.Since(n.remoteAt) < remoteTTL {
		return n.remote, nil
	}
	list, err := n.cfg.Store.RemoteRooms(ctx)
	if err != nil {
		return nil, err
	}
	n.remote, n.remoteAt = list, time.Now()
	return list, nil
}

// Nodes lists the nodes of the cluster.
func (n *Node) Nodes(ctx context.Context) ([]domain.NodeInfo, error) {
	return n.cfg.Store.Nodes(ctx)
}

// learnNodes notes the nodes' origins, for IsNodeOrigin, and returns how
// many nodes hold a lease (this one among them) and how many rooms they
// own. If the list fails, this node counts as alone.
func (n *Node) learnNodes(ctx context.Context) (live, rooms int) {
	nodes, err := n.cfg.Store.Nodes(ctx)
	if err != nil {
		n.log.Warn("cluster: cannot list the nodes", "err", err)
		return 1, 0
	}
	origins := map[string]bool{}
	for _, node := range nodes {
		if u, err := url.Parse(node.URL); err == nil && u.Host != "" {
			origins[strings.ToLower(u.Scheme+"://"+u.Host)] = true
		}
		if node.Live {
			live++
			rooms += node.Rooms
		}
	}
	n.origins.Store(&origins)
	return live, rooms
}

// IsNodeOrigin reports whether a browser origin (scheme://host[:port]) is
// that of a node's --advertise-url.
func (n *Node) IsNodeOrigin(origin string) bool {
	m := n.origins.Load()
	return m != nil && (*m)[strings.ToLower(strings.TrimSuffix(origin, "/"))]
}
