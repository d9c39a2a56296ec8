package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL. The store's SQL is written once, for both databases: it
// uses ? placeholders and keeps booleans in integer columns (0 or 1), as
// SQLite does. The connector below rewrites each statement's ? to
// PostgreSQL's $1, $2, ... and passes Go booleans as 0 or 1, so that the
// queries, the writer and the migrations' logic are the same code. The few
// things that differ (the schema's types, the size of the database, case-
// insensitive search, LEAST for SQLite's two-argument min) are in dialect.

// IsPostgres reports whether a --db value names a PostgreSQL database
// rather than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// dialect holds what differs between the two databases.
type dialect struct {
	postgres bool
	// search matches a name or id prefix, in any case.
	search string
	// insertMove, if set, replaces sqlInsertMove.
	insertMove string
	// moveHead, if set, runs before each move's insert and must change
	// one row, or the move's number is already stored (migration 0008 on
	// SQLite; PostgreSQL keeps its unique constraint instead).
	moveHead string
}

var sqliteDialect = dialect{
	// SQLite's LIKE ignores ASCII case, and the players_name index is
	// NOCASE, so the prefix search uses it.
	search:   `name LIKE ? ESCAPE '\' OR id LIKE ? ESCAPE '\'`,
	moveHead: sqlMoveHead,
}

var postgresDialect = dialect{
	postgres:   true,
	search:     `lower(name) LIKE lower(?) ESCAPE '\' OR lower(id) LIKE lower(?) ESCAPE '\'`,
	insertMove: sqlInsertMoveFenced,
}

// openPostgres returns a database handle on dsn whose connections take the
// store's SQL. sync "normal" turns off synchronous_commit: a commit is then
// acknowledged before PostgreSQL has flushed it, and a crash of the
// database server (never of Goldmine) can lose the last ones.
func openPostgres(dsn, sync string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres dsn: %w", err)
	}
	if sync == SyncNormal {
		cfg.RuntimeParams["synchronous_commit"] = "off"
	}
	return sql.OpenDB(connector{stdlib.GetConnector(*cfg)}), nil
}

// ErrNodeRunning reports a PostgreSQL database that a live Goldmine node
// with the same node id already serves.
var ErrNodeRunning = errors.New("a goldmine node with this node id is serving this database")

// Advisory lock keys: the node lock's first key (its second is a hash of
// the node id), and the lock that runs migrations one node at a time.
const (
	nodeLockKey    = 0x601d_0001
	migrateLockKey = 0x601d_0002
)

// lockNode takes the database's node lock on a connection of its own.
func (s *Store) lockNode(ctx context.Context, dsn, sync string) (*sql.DB, *sql.Conn, error) {
	db, err := openPostgres(dsn, sync)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("store: node lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?::int, hashtext(?))", nodeLockKey, s.node).Scan(&ok); err != nil {
		conn.Close()
		db.Close()
		return nil, nil, fmt.Errorf("store: node lock: %w", err)
	}
	if !ok {
		conn.Close()
		db.Close()
		return nil, nil, fmt.Errorf("store: %s: node %q: %w; give each node its own --node-id (docs/scaling.md)", s.path, s.node, ErrNodeRunning)
	}
	return db, conn, nil
}

// unlockNode releases the node lock before Close returns. Closing its
// connection alone is not enough: PostgreSQL ends the session, and drops
// its locks, some time after the client hung up, and a node restarted in
// that gap would be refused as a second one with its id.
func (s *Store) unlockNode(ctx context.Context) error {
	var ok bool
	if err := s.nodeLock.QueryRowContext(ctx, "SELECT pg_advisory_unlock(?::int, hashtext(?))", nodeLockKey, s.node).Scan(&ok); err != nil {
		return fmt.Errorf("store: release the node lock: %w", err)
	}
	if !ok {
		return fmt.Errorf("store: release the node lock: node %q did not hold it", s.node)
	}
	return nil
}

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection that rebinds ? placeholders.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), args)
}

// CheckNamedValue passes booleans as 0 or 1, for the integer columns that
// hold them; everything else goes to pgx as is.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
		return nil
	}
	return c.Conn.CheckNamedValue(nv)
}

// rebind turns ? placeholders into $1, $2, ..., leaving string literals
// and quoted identifiers alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		ch := q[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"':
			quote = ch
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}
