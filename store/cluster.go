package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goldmine-game/goldmine/domain"
	"github.com/goldmine-game/goldmine/room"
)

// The cluster (docs/scaling.md). On PostgreSQL, every node names itself
// (Options.Node) and each live room has one owner node, in rooms.owner.
// A node holds a lease in its nodes row, renewed by Heartbeat; the rooms
// of a node whose lease ran out are free, and ClaimRooms takes them with a
// conditional update under FOR UPDATE SKIP LOCKED, so that two nodes never
// take the same room. Every write of a room is fenced by its owner: the
// room's row is updated only WHERE owner is this node, and a move's insert
// is conditional on a FOR SHARE read of the room's row finding this node
// its owner (sqlInsertMoveFenced). That lock holds until the move commits,
// so a claim passes over a room with a move in flight (SKIP LOCKED), takes
// it at a later round, and then reads the move: what a node acknowledged
// before losing a room is in the log its adopter replays.
//
// A SQLite file has one node: rooms.owner stays '', and none of this runs.

// DefaultLease is how long a node's lease lasts without a renewal.
const DefaultLease = 10 * time.Second

// dbNow is the database server's clock in unix milliseconds: leases are
// compared on one clock, whatever the nodes' own say.
const dbNow = `(extract(epoch from clock_timestamp()) * 1000)::bigint`

// ErrNotClustered reports a cluster operation on a SQLite store.
var ErrNotClustered = errors.New("clustering needs a PostgreSQL database")

// Clustered reports whether this store is a node of a possible cluster:
// on PostgreSQL, several nodes may share the database.
func (s *Store) Clustered() bool { return s.d.postgres }

// Node returns this node's id: Options.Node on PostgreSQL, "" on SQLite.
func (s *Store) Node() string { return s.node }

// Lease returns how long this node's lease lasts without a renewal.
func (s *Store) Lease() time.Duration { return s.lease }

// joinCluster writes this node's row with a fresh lease.
func (s *Store) joinCluster(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO nodes (id, url, started_at, lease_until)
		VALUES (?, ?, `+dbNow+`, `+dbNow+` + ?)
		ON CONFLICT (id) DO UPDATE SET url = excluded.url, started_at = excluded.started_at,
			lease_until = excluded.lease_until, counts = '{}'`, s.node, s.url, s.lease.Milliseconds())
	if err != nil {
		return fmt.Errorf("store: join the cluster as %s: %w", s.node, err)
	}
	return nil
}

// Heartbeat renews this node's lease and publishes how many members each
// of its rooms has connected (for the other nodes' listings). It returns
// the ids of the live rooms the database says this node owns: a room
// held here but not among them was adopted by another node meanwhile.
func (s *Store) Heartbeat(ctx context.Context, counts map[string]room.Count) ([]string, error) {
	if !s.d.postgres {
		return nil, ErrNotClustered
	}
	data, err := json.Marshal(counts)
	if err != nil {
		return nil, fmt.Errorf("store: heartbeat: %w", err)
	}
	res, err := s.r.ExecContext(ctx, `UPDATE nodes SET lease_until = `+dbNow+` + ?, counts = ? WHERE id = ?`,
		s.lease.Milliseconds(), string(data), s.node)
	if err != nil {
		return nil, fmt.Errorf("store: heartbeat: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Someone deleted the row (an operator clearing dead nodes).
		if err := s.joinCluster(ctx); err != nil {
			return nil, err
		}
	}
	rows, err := s.r.QueryContext(ctx, "SELECT id FROM rooms WHERE owner = ? AND status <> 'closed'", s.node)
	if err != nil {
		return nil, fmt.Errorf("store: owned rooms: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: owned rooms: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: owned rooms: %w", err)
	}
	return ids, nil
}

// orphaned selects live rooms whose owner holds no lease: a node that
// died or stopped, or none at all.
const orphaned = `status <> 'closed' AND owner <> ? AND NOT EXISTS (
	SELECT 1 FROM nodes WHERE nodes.id = rooms.owner AND nodes.lease_until >= ` + dbNow + `)`

// ClaimRooms makes this node the owner of up to limit rooms whose owner's
// lease ran out, or of room id only when id is set, and returns them as
// saved, to be adopted. Rows another node is claiming at the same moment
// are skipped, not waited for.
func (s *Store) ClaimRooms(ctx context.Context, id string, limit int) ([]room.Saved, error) {
	if !s.d.postgres {
		return nil, ErrNotClustered
	}
	q := `UPDATE rooms SET owner = ? WHERE id IN (SELECT id FROM rooms WHERE ` + orphaned
	args := []any{s.node, s.node}
	if id != "" {
		q += ` AND id = ?`
		args = append(args, id)
	}
	q += ` ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id`
	args = append(args, limit)
	// The claim and the read of the rooms are one transaction: a claim
	// whose rooms could not be read (the context ran out, say) is undone,
	// never left owned by a node that does not hold them. Once the update
	// holds the rows, no move of the old owner can commit (its fence
	// waits, then finds it lost the room), and every move it committed
	// before is in what the read sees.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: claim rooms: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: claim rooms: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim rooms: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim rooms: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	in := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	saved, err := s.liveRooms(ctx, tx, "id IN ("+in+")", ids...)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: claim rooms: %w", err)
	}
	s.log.Info("store: adopted rooms", "node", s.node, "rooms", len(saved))
	return saved, nil
}

// Orphaned counts the live rooms whose owner holds no lease.
func (s *Store) Orphaned(ctx context.Context) (int, error) {
	if !s.d.postgres {
		return 0, ErrNotClustered
	}
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM rooms WHERE "+orphaned, s.node).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: orphaned rooms: %w", err)
	}
	return n, nil
}

// Locate says which node owns room id. ErrNotFound means no such room.
func (s *Store) Locate(ctx context.Context, id string) (domain.Location, error) {
	l := domain.Location{Room: id}
	var status string
	var url sql.NullString
	var live sql.NullBool
	err := s.r.QueryRowContext(ctx, `SELECT rooms.status, rooms.owner, nodes.url, nodes.lease_until >= `+dbNow+`
		FROM rooms LEFT JOIN nodes ON nodes.id = rooms.owner WHERE rooms.id = ?`, id).Scan(&status, &l.Node, &url, &live)
	if errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("store: room %s: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		return l, fmt.Errorf("store: locate room %s: %w", id, err)
	}
	l.Status, l.URL, l.Live = room.Status(status), url.String, live.Bool
	return l, nil
}

// Nodes lists the nodes the database knows, live ones first.
func (s *Store) Nodes(ctx context.Context) ([]domain.NodeInfo, error) {
	if !s.d.postgres {
		return nil, ErrNotClustered
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, url, started_at, lease_until, lease_until >= `+dbNow+`,
		(SELECT count(*) FROM rooms WHERE rooms.owner = nodes.id AND rooms.status <> 'closed')
		FROM nodes ORDER BY 5 DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("store: nodes: %w", err)
	}
	defer rows.Close()
	var out []domain.NodeInfo
	for rows.Next() {
		var n domain.NodeInfo
		var started, until int64
		if err := rows.Scan(&n.ID, &n.URL, &started, &until, &n.Live, &n.Rooms); err != nil {
			return nil, fmt.Errorf("store: nodes: %w", err)
		}
		n.StartedAt, n.LeaseUntil = fromMS(started), fromMS(until)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: nodes: %w", err)
	}
	return out, nil
}

// RemoteRooms lists the live rooms other nodes own (or that no live node
// owns), with the member counts their owners last published.
func (s *Store) RemoteRooms(ctx context.Context) ([]domain.RemoteRoom, error) {
	if !s.d.postgres {
		return nil, ErrNotClustered
	}
	rows, err := s.r.QueryContext(ctx, `SELECT rooms.id, rooms.name, rooms.private, rooms.created_by, rooms.created_at,
		rooms.rules, rooms.status, rooms.seats, rooms.game_no, rooms.seq, rooms.owner,
		coalesce(nodes.url, ''), coalesce(nodes.lease_until >= `+dbNow+`, false), coalesce(nodes.counts, '{}')
		FROM rooms LEFT JOIN nodes ON nodes.id = rooms.owner
		WHERE rooms.status <> 'closed' AND rooms.owner <> ?`, s.node)
	if err != nil {
		return nil, fmt.Errorf("store: remote rooms: %w", err)
	}
	defer rows.Close()
	var out []domain.RemoteRoom
	counts := map[string]map[string]room.Count{} // by node, each decoded once
	for rows.Next() {
		var rec room.Record
		var rr domain.RemoteRoom
		var created int64
		var rules, status, seats, nodeCounts string
		if err := rows.Scan(&rec.ID, &rec.Name, &rec.Private, &rec.CreatedBy, &created, &rules, &status, &seats,
			&rec.GameNo, &rec.Seq, &rr.Node, &rr.URL, &rr.Live, &nodeCounts); err != nil {
			return nil, fmt.Errorf("store: remote rooms: %w", err)
		}
		rec.CreatedAt, rec.Status = fromMS(created), room.Status(status)
		if err := json.Unmarshal([]byte(rules), &rec.Rules); err != nil {
			return nil, fmt.Errorf("store: room %s rules: %w", rec.ID, err)
		}
		if err := json.Unmarshal([]byte(seats), &rec.Seats); err != nil {
			return nil, fmt.Errorf("store: room %s seats: %w", rec.ID, err)
		}
		c, ok := counts[rr.Node]
		if !ok {
			// A bad counts column only costs the counts.
			_ = json.Unmarshal([]byte(nodeCounts), &c)
			counts[rr.Node] = c
		}
		if !rr.Live {
			c = nil // nobody is connected to a dead node
		}
		rr.Summary = room.SummaryOf(rec, c[rec.ID])
		out = append(out, rr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: remote rooms: %w", err)
	}
	return out, nil
}

// leaveCluster ends this node's lease at once, on a graceful stop, so that
// the other nodes adopt its rooms without waiting for it to run out. It
// runs after the writer's last commit.
func (s *Store) leaveCluster(ctx context.Context) error {
	if _, err := s.r.ExecContext(ctx, "UPDATE nodes SET lease_until = 0, counts = '{}' WHERE id = ?", s.node); err != nil {
		return fmt.Errorf("store: leave the cluster: %w", err)
	}
	return nil
}
