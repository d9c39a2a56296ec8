package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"time"
)

// request is one write: fn runs inside the group's transaction. before, if
// set, runs on the writer connection outside any transaction first.
type request struct {
	fn     func(tx *sql.Tx) error
	before func() error
	err    chan error
}

// write hands fn to the writer and waits for its commit. It never gives up
// on a request already taken, so the caller always learns whether its write
// was committed.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error, before ...func() error) error {
	req := &request{fn: fn, err: make(chan error, 1)}
	if len(before) > 0 {
		req.before = before[0]
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return fmt.Errorf("store: write: %w", domain.ErrClosed)
	}
	select {
	case s.reqs <- req:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return fmt.Errorf("store: write: %w", ctx.Err())
	}
	return unavailable(<-req.err)
}

// writer is the one goroutine that writes. It takes every pending request,
// up to maxBatch, and commits them in one transaction: whatever queued
// while the previous commit ran, which is natural group commit. Under
// load the commits grow by themselves, since every room whose move came
// during a commit joins the next one; a fixed wait on top (commitDelay,
// off by default) only added its length to every move.
func (s *Store) writer() {
	defer close(s.done)
	batch := make([]*request, 0, s.maxBatch)
	last := 0 // writes in the previous commit
	for first := range s.reqs {
		batch = append(batch[:0], first)
		// When the previous commit carried several writes, other rooms are
		// busy: wait a little for their writes to join this commit, so
		// that one commit (and its fsync) serves more moves. A lone room
		// never waits. This is PostgreSQL's commit_delay.
		var delay <-chan time.Time
		var timer *time.Timer
		if last > 1 && s.commitDelay > 0 {
			timer = time.NewTimer(s.commitDelay)
			delay = timer.C
		}
	fill:
		for len(batch) < s.maxBatch {
			select {
			case req, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, req)
				continue
			default:
			}
			if delay == nil {
				break
			}
			select {
			case req, ok := <-s.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, req)
			case <-delay:
				break fill
			}
		}
		if timer != nil {
			timer.Stop() // not deferred: this loop runs as long as the store
		}
		last = len(batch)
		if err := s.walRoom(); err != nil {
			s.finish(batch, make([]error, len(batch)), err, time.Now())
			continue
		}
		s.commit(batch)
	}
}

// commit runs a batch in one transaction. A request that fails must fail
// alone: the others still commit. Savepoints around each request give
// that, at two more statements per request (three round trips instead of
// one on PostgreSQL, on the one connection every room waits on; a fifth
// of the writer's time on SQLite). Requests fail rarely (a full disk, a
// bug), so the batch is first run without them; if a request fails, the
// transaction is rolled back and the batch runs again the careful way,
// each request in its own savepoint.
func (s *Store) commit(batch []*request) {
	if s.commitFast(batch) {
		return
	}
	s.commitCareful(batch)
}

// commitFast runs the batch in one transaction without savepoints and
// reports whether it answered the requests. When it did not (a request
// failed, or the transaction would not begin), nothing was committed.
func (s *Store) commitFast(batch []*request) bool {
	for _, req := range batch {
		if req.before != nil {
			return false // a step outside the transaction: the careful way
		}
	}
	start := time.Now()
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		return false
	}
	for _, req := range batch {
		if err := req.fn(tx); err != nil {
			tx.Rollback()
			return false
		}
	}
	pruned, err := s.prune(tx, len(batch))
	if err != nil {
		// The batch runs again the careful way, which does not prune.
		s.log.Error("store: prune the move journal", "err", err)
		tx.Rollback()
		return false
	}
	// A failed COMMIT is not run again: on PostgreSQL, when the connection
	// broke, the server may have committed it all the same, and a second
	// run would store every write twice. The requests get the error, as
	// the careful way gives them.
	var all error
	if err := tx.Commit(); err != nil {
		all = fmt.Errorf("store: commit: %w", err)
	} else {
		s.prunedTo = max(s.prunedTo, pruned)
	}
	s.finish(batch, make([]error, len(batch)), all, start)
	return true
}

func (s *Store) commitCareful(batch []*request) {
	start := time.Now()
	errs := make([]error, len(batch))
	ctx := context.Background()
	for i, req := range batch {
		if req.before != nil {
			errs[i] = req.before()
		}
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		s.finish(batch, errs, fmt.Errorf("store: begin: %w", err), start)
		return
	}
	ok := 0
	for i, req := range batch {
		if errs[i] != nil {
			continue
		}
		if _, err := tx.Stmt(s.ps.savepoint).Exec(); err != nil {
			errs[i] = fmt.Errorf("store: savepoint: %w", err)
			continue
		}
		if err := req.fn(tx); err != nil {
			errs[i] = err
			if _, rerr := tx.Stmt(s.ps.rollbackTo).Exec(); rerr != nil {
				// The transaction is broken: nothing in it can commit.
				tx.Rollback()
				s.finish(batch, errs, errors.Join(err, rerr), start)
				return
			}
		} else {
			ok++
		}
		if _, err := tx.Stmt(s.ps.release).Exec(); err != nil {
			tx.Rollback()
			s.finish(batch, errs, fmt.Errorf("store: release: %w", err), start)
			return
		}
	}
	if ok == 0 {
		tx.Rollback()
		s.finish(batch, errs, nil, start)
		return
	}
	if err := tx.Commit(); err != nil {
		s.finish(batch, errs, fmt.Errorf("store: commit: %w", err), start)
		return
	}
	s.finish(batch, errs, nil, start)
}

// finish answers every request of a batch. A batch-wide error overrides the
// per-request ones.
func (s *Store) finish(batch []*request, errs []error, all error, start time.Time) {
	// Under a size cap, the WAL goes back within its budget before anyone
	// learns of the commit (wal.go).
	s.boundWAL()
	if all != nil {
		s.log.Error("store: group commit failed", "writes", len(batch), "err", all)
	}
	for i, req := range batch {
		switch {
		case all != nil:
			req.err <- all
		default:
			req.err <- errs[i]
		}
	}
	s.onCommit(len(batch), time.Since(start), all)
}
