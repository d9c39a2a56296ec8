// Package store keeps Goldmine's data in one SQLite file, or in a
// PostgreSQL database (postgres.go): players, the server secret, live
// rooms and their moves, finished games and the admin audit log.
//
// The game's writes (players, rooms, moves, games, the audit log) go
// through one writer goroutine on one connection, which group-commits: it
// takes every pending write (up to a cap) into a single transaction, so
// that the cost of an fsync is shared by all the rooms whose moves are in
// it. Reads use a separate pool of connections, read-only on SQLite, which
// WAL lets run beside the writer.
//
// On PostgreSQL, a cluster node's own bookkeeping writes through that pool
// instead (cluster.go): the lease heartbeat, the claims of a dead node's
// rooms and leaving the cluster. They must not wait behind the rooms'
// moves (a lease that is renewed late is lost), and a claim is a
// transaction of its own that reads what it claimed. The migrations run on
// the writer connection before the writer starts.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// Errors.
var (
	// ErrSchemaTooNew reports a database written by a newer Goldmine.
	ErrSchemaTooNew = errors.New("database schema is newer than this binary")
)

// Sync modes, for Options.Sync.
const (
	// SyncFull fsyncs at every commit: a committed move survives a power
	// loss. The default.
	SyncFull = "full"
	// SyncNormal fsyncs at WAL checkpoints only: a committed move survives
	// a crash of the process, but the last commits can be lost on a power
	// loss or an OS crash.
	SyncNormal = "normal"
)

// Options configure Open. Zero values take the defaults.
type Options struct {
	// Path is the database file; it is created if missing. A
	// postgres:// or postgresql:// URL opens that PostgreSQL database
	// instead (see IsPostgres).
	Path string
	// Sync is SyncFull (default) or SyncNormal.
	Sync string
	// Readers is the size of the read pool (default 4).
	Readers int
	// MaxBatch caps the writes in one group commit (default 256).
	MaxBatch int
	// CommitDelay is how long the writer waits for more writes to join a
	// commit when the previous one carried several (default none: the
	// writes that queued during the last commit make the next one). A
	// lone room never waits.
	CommitDelay time.Duration
	// MaxBytes caps the size of the database file; 0 means no cap. Writes
	// that would grow it further fail, and rooms refuse the moves.
	MaxBytes int64
	// Now is the clock for timestamps the store sets itself.
	Now func() time.Time
	Log *slog.Logger
	// OnCommit, if set, is called after each group commit with the number
	// of writes in it, how long the commit took and its error.
	OnCommit func(writes int, d time.Duration, err error)

	// Node names this node of a PostgreSQL cluster (docs/scaling.md):
	// unique among the nodes sharing the database, and kept across its
	// restarts, which then take its rooms back at once. Default "node".
	// Ignored for SQLite.
	Node string
	// URL is the node's public base URL (its --advertise-url), which
	// other nodes send clients to; "" when it has none.
	URL string
	// Lease is how long the node's lease lasts without a renewal
	// (DefaultLease).
	Lease time.Duration
}

// Store is an open database.
type Store struct {
	path        string
	d           dialect
	w           *sql.DB // exactly one connection: the writer
	r           *sql.DB // the read pool
	now         func() time.Time
	log         *slog.Logger
	maxBatch    int
	onCommit    func(int, time.Duration, error)
	ps          stmts
	commitDelay time.Duration
	// pruneBound is the first journal id still needed, read by pruner;
	// prunedTo is the bound up to which the journal is already empty, the
	// writer's (prune.go).
	pruneBound atomic.Int64
	prunedTo   int64
	pruneStop  chan struct{}
	pruneDone  chan struct{}
	// maxBytes is the size cap (0: none) and walBudget the part of it the
	// WAL may take (wal.go); both are the writer goroutine's.
	maxBytes, walBudget int64

	// node, url and lease are this node's in a cluster (cluster.go).
	node, url string
	lease     time.Duration

	ckpt *sql.DB // the checkpointer's connection
	// ckptMu runs one checkpoint at a time: SQLite refuses a checkpoint
	// at once, without its busy handler, while another is running, so the
	// writer's truncating one (wal.go) waits for the checkpointer's.
	ckptMu sync.Mutex
	// walLimit is the WAL's size, in pages, past which the checkpointer
	// starts it over (checkpoint.go), and lastRestart the mode it last did
	// that with; both under ckptMu, as walBudget's writes are.
	walLimit    int
	lastRestart string
	// nodeLock holds PostgreSQL's advisory lock that makes this process the
	// database's only node (see openPostgres).
	nodeLock *sql.Conn
	nodeDB   *sql.DB // nodeLock's pool, closed with it to end the session
	ckptStop chan struct{}
	ckptDone chan struct{}

	mu     sync.RWMutex // guards closed and sends on reqs
	closed bool
	reqs   chan *request
	done   chan struct{}
}

// dsn builds the modernc DSN. busy_timeout comes first so that nothing
// after it can fail with SQLITE_BUSY while another connection holds a lock
// (the driver also runs it first); then WAL, so that readers never block the
// writer; then synchronous and foreign_keys. _txlock=immediate makes every
// transaction take the write lock at BEGIN, so a write transaction can never
// fail half-way with SQLITE_BUSY on lock upgrade.
func dsn(path, sync string, extra ...string) string {
	q := []string{
		"_pragma=busy_timeout(10000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(" + strings.ToUpper(sync) + ")",
		"_pragma=foreign_keys(1)",
		"_txlock=immediate",
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(append(q, extra...), "&")
}

// Open opens (creating if needed) and migrates the database at opts.Path,
// and starts the writer.
func Open(ctx context.Context, opts Options) (*Store, error) {
	opts.Sync = cmp.Or(strings.ToLower(opts.Sync), SyncFull)
	if opts.Sync != SyncFull && opts.Sync != SyncNormal {
		return nil, fmt.Errorf("store: sync must be %q or %q, got %q", SyncFull, SyncNormal, opts.Sync)
	}
	if opts.Path == "" {
		return nil, errors.New("store: no database path")
	}
	s := &Store{
		path:        opts.Path,
		now:         opts.Now,
		log:         cmp.Or(opts.Log, slog.Default()),
		maxBatch:    cmp.Or(opts.MaxBatch, 256),
		commitDelay: opts.CommitDelay,
		walLimit:    defaultWALLimit,
		onCommit:    opts.OnCommit,
		reqs:        make(chan *request, 1024),
		done:        make(chan struct{}),
		pruneStop:   make(chan struct{}),
		pruneDone:   make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.onCommit == nil {
		s.onCommit = func(int, time.Duration, error) {}
	}
	if IsPostgres(opts.Path) {
		return s.openPostgres(ctx, opts)
	}
	s.d = sqliteDialect
	var err error
	// The writer leaves checkpoints to the checkpointer (checkpoint.go).
	if s.w, err = sql.Open("sqlite", dsn(opts.Path, opts.Sync, "_pragma=wal_autocheckpoint(0)")); err != nil {
		return nil, fmt.Errorf("store: open %s: %w", opts.Path, err)
	}
	// One writer connection, kept open for good: SQLite allows one writer
	// at a time anyway, and per-connection pragmas (max_page_count) must
	// stay on it.
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if opts.MaxBytes > 0 {
		if err := s.limitSize(ctx, opts.MaxBytes); err != nil {
			s.w.Close()
			return nil, err
		}
	} else if err := s.limitWAL(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.w.Close()
		return nil, err
	}
	if s.r, err = sql.Open("sqlite", dsn(opts.Path, opts.Sync, "_pragma=query_only(1)")); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: open readers: %w", err)
	}
	n := cmp.Or(opts.Readers, 4)
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	if err := s.startCheckpointer(opts.Path, opts.Sync); err != nil {
		s.r.Close()
		s.w.Close()
		return nil, err
	}
	go s.writer()
	go s.pruner()
	return s, nil
}

// openPostgres is Open for a PostgreSQL URL: the same writer and readers,
// on pooled connections to the server.
func (s *Store) openPostgres(ctx context.Context, opts Options) (*Store, error) {
	if opts.MaxBytes > 0 {
		return nil, errors.New("store: a size cap (--db-max-mb) is for SQLite files; cap a PostgreSQL database on its server")
	}
	s.d = postgresDialect
	s.path = redact(opts.Path)
	s.node, s.url, s.lease = cmp.Or(opts.Node, "node"), opts.URL, cmp.Or(opts.Lease, DefaultLease)
	if s.lease < time.Second {
		return nil, fmt.Errorf("store: a lease of %s is too short: at least 1s", s.lease)
	}
	var err error
	if s.w, err = openPostgres(opts.Path, opts.Sync); err != nil {
		return nil, err
	}
	// One writer connection, as with SQLite: the group commit needs one
	// transaction at a time, and it keeps the prepared statements.
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := s.w.PingContext(ctx); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.path, err)
	}
	// A node recovers the rooms it owns: two processes with one node id
	// would both play them. A session-level advisory lock on the id, held
	// on a connection of its own for as long as the store is open, keeps
	// a second one out; it goes with the session when a node dies.
	if s.nodeDB, s.nodeLock, err = s.lockNode(ctx, opts.Path, opts.Sync); err != nil {
		s.w.Close()
		return nil, err
	}
	fail := func(err error) (*Store, error) {
		s.nodeLock.Close()
		s.nodeDB.Close()
		s.w.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return fail(err)
	}
	if err := s.prepare(ctx); err != nil {
		return fail(err)
	}
	if err := s.joinCluster(ctx); err != nil {
		return fail(err)
	}
	if s.r, err = openPostgres(opts.Path, opts.Sync); err != nil {
		return fail(err)
	}
	n := cmp.Or(opts.Readers, 4)
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	go s.writer()
	go s.pruner()
	return s, nil
}

// redact drops the password from a database URL, for logs and errors.
func redact(db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "(a database URL)"
	}
	return u.Redacted()
}

// Path returns the database file's path, or the PostgreSQL URL without
// its password.
func (s *Store) Path() string { return s.path }

// Close stops taking writes, commits every write already taken, and closes
// the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.reqs)
	s.mu.Unlock()
	<-s.done
	close(s.pruneStop)
	<-s.pruneDone
	var unlock error
	if s.nodeLock != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		unlock = errors.Join(s.leaveCluster(ctx), s.unlockNode(ctx))
		cancel()
		unlock = errors.Join(unlock, s.nodeLock.Close(), s.nodeDB.Close())
	}
	// The last connection to close checkpoints the WAL into the database.
	return errors.Join(s.stopCheckpointer(), s.r.Close(), s.w.Close(), unlock)
}

// limitSize caps the database and its WAL at max bytes together: the WAL
// gets walBudget of it (see wal.go), and the file the rest, with
// max_page_count on the writer connection (the pragma is per connection).
// SQLite will not set max_page_count below the current size, so the cap
// takes effect from there.
func (s *Store) limitSize(ctx context.Context, max int64) error {
	pageSize, err := s.pageSize(ctx)
	if err != nil {
		return err
	}
	budget := walBudgetOf(max, pageSize)
	pages := (max - budget) / pageSize
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		return fmt.Errorf("store: limit size: %w", err)
	}
	// A WAL that SQLite resets is cut back to the budget.
	if err := s.cutWALBackTo(ctx, budget); err != nil {
		return err
	}
	s.ckptMu.Lock() // the checkpointer reads walBudget
	s.maxBytes, s.walBudget = max, budget
	s.ckptMu.Unlock()
	return nil
}

// limitWAL bounds the WAL without a size cap: a WAL that SQLite starts over
// is cut back to twice walLimit pages. The checkpointer keeps the file
// (checkpoint.go), but not whatever size it reached while a long read (a
// backup, a slow query) kept it from starting over.
func (s *Store) limitWAL(ctx context.Context) error {
	pageSize, err := s.pageSize(ctx)
	if err != nil {
		return err
	}
	s.ckptMu.Lock()
	limit := 2 * int64(s.walLimit) * pageSize
	s.ckptMu.Unlock()
	return s.cutWALBackTo(ctx, limit)
}

// pageSize is the database's page size, in bytes.
func (s *Store) pageSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: page size: %w", err)
	}
	return n, nil
}

// cutWALBackTo makes SQLite cut a WAL that it starts over back to limit
// bytes (journal_size_limit, a pragma of the writer's connection).
func (s *Store) cutWALBackTo(ctx context.Context, limit int64) error {
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA journal_size_limit = %d", limit)); err != nil {
		return fmt.Errorf("store: limit the WAL: %w", err)
	}
	return nil
}

// SetMaxBytes changes the size cap at run time, between two commits. It is
// for SQLite files only.
func (s *Store) SetMaxBytes(ctx context.Context, max int64) error {
	if s.d.postgres {
		return errors.New("store: a size cap is for SQLite files")
	}
	return s.write(ctx, func(tx *sql.Tx) error { return nil }, func() error { return s.limitSize(ctx, max) })
}

// Size returns the size of the database in bytes, as pages in use
// (without its WAL, which the size cap counts apart), or of the PostgreSQL
// database.
func (s *Store) Size(ctx context.Context) (int64, error) {
	if s.d.postgres {
		var n int64
		if err := s.r.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&n); err != nil {
			return 0, fmt.Errorf("store: size: %w", err)
		}
		return n, nil
	}
	var pages, size int64
	if err := s.r.QueryRowContext(ctx, "SELECT page_count, page_size FROM pragma_page_count(), pragma_page_size()").Scan(&pages, &size); err != nil {
		return 0, fmt.Errorf("store: size: %w", err)
	}
	return pages * size, nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
