package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Pruning the move journal. The journal keeps the moves of the games in
// play; every row below the first move of the oldest of them belongs to a
// finished game, which holds its own moves, and can go. They are a
// contiguous range of the rising id.
//
// The prune once ran as one delete of up to 20,000 rows a second on the
// writer, between two commits: every room waited for it, and it made the
// tail of a move's latency (p99.9 108 ms against 42 ms without it at 200
// rooms, docs/benchmarks.md). Now the two halves are apart:
//   - the bound (the first journal id still needed) is read once a second
//     on the read pool, beside the writer (WAL), by pruner;
//   - each commit deletes a small slice below it in its own transaction,
//     at most pruneSlice rows or twice the moves it carries, so that the
//     journal shrinks as fast as it grows with no pause anyone waits on.
//
// A bound read earlier stays safe later: a game that starts after it is
// read starts its moves above every id that existed then (sqlStartLog),
// and a game in play keeps its start until it ends.
const (
	pruneEvery = time.Second
	pruneSlice = 256
)

// sqlPruneBound is the first journal id still needed: the first of the
// oldest game in play, or, with none in play, the next id. A game in play
// whose start is unknown (log_from 0: carried over by migration 0002
// before its first move) keeps the whole journal until it ends.
const sqlPruneBound = `SELECT coalesce((SELECT min(log_from) FROM rooms WHERE status = 'playing'),
	(SELECT coalesce(max(id), 0) + 1 FROM moves))`

// sqlPrune deletes journal rows below a bound (the first ?), at most a
// slice (the second ?) above the lowest row.
const sqlPrune = `DELETE FROM moves WHERE id < ? AND id < (SELECT coalesce(min(id), 0) FROM moves) + ?`

// pruner refreshes the prune bound every pruneEvery until the store closes.
func (s *Store) pruner() {
	defer close(s.pruneDone)
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		select {
		case <-s.pruneStop:
			return
		case <-t.C:
		}
		if err := s.readPruneBound(context.Background()); err != nil {
			s.log.Error("store: read the journal's prune bound", "err", err)
		}
	}
}

// readPruneBound reads the bound on the read pool and hands it to the
// writer.
func (s *Store) readPruneBound(ctx context.Context) error {
	var bound int64
	if err := s.r.QueryRowContext(ctx, sqlPruneBound).Scan(&bound); err != nil {
		return fmt.Errorf("store: prune bound: %w", err)
	}
	s.pruneBound.Store(bound)
	return nil
}

// prune deletes, in the transaction of a commit of n writes, the next
// slice of journal rows below the bound. It returns the bound up to which
// the journal will be empty once tx commits (prunedTo), or prunedTo as it
// was when a slice did not reach the bound.
func (s *Store) prune(tx *sql.Tx, n int) (int64, error) {
	bound := s.pruneBound.Load()
	if bound <= s.prunedTo {
		return s.prunedTo, nil
	}
	slice := max(pruneSlice, 2*n)
	res, err := tx.Stmt(s.ps.prune).Exec(bound, slice)
	if err != nil {
		return s.prunedTo, fmt.Errorf("store: prune: %w", err)
	}
	// Only an empty slice proves that nothing is left below the bound:
	// ids may have gaps (PostgreSQL's sequence skips the ids of rolled
	// back transactions).
	if gone, _ := res.RowsAffected(); gone == 0 {
		return bound, nil
	}
	return s.prunedTo, nil
}
