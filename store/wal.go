package store

import (
	"errors"
	"fmt"
	"github.com/goldmine-game/goldmine/domain"
	"os"
)

// The size cap and the WAL. max_page_count caps the pages of the database,
// but its WAL is a second file that grows with every commit until a
// checkpoint lets SQLite start it over, and that the checkpointer only
// starts over past walLimit pages: under a 1 MiB cap, 9 MB of WAL. So under
// a cap the WAL has a budget, a part of the cap that the database's pages
// may not use: once the WAL file reaches it, the writer runs a TRUNCATE
// checkpoint before it answers the commit, and refuses the next commit as
// a full disk while a reader keeps the checkpoint from emptying the file
// past the busy timeout. (The checkpointer's own checkpoints are no such
// reader: the two take turns, see Store.ckptMu.)
// The database file and its WAL then stay under the cap together (a commit
// in flight may pass it by its own pages until it is answered).

// walBudgetOf is the part of a cap of limit bytes the WAL may take: a
// quarter, and at least 16 pages, so that a small cap does not checkpoint
// at every commit.
func walBudgetOf(limit, pageSize int64) int64 {
	return max(limit/4, 16*pageSize)
}

// errWALFull is the refusal of a commit while the WAL is at its budget.
var errWALFull = errors.New("database or disk is full: the WAL is at its share of the size cap (--db-max-mb)")

// walSize is the size of the WAL file, or 0.
func (s *Store) walSize() int64 {
	fi, err := os.Stat(s.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// boundWAL empties the WAL once it reached its budget, on the writer
// connection between two transactions. It reports whether the WAL is
// within its budget now.
func (s *Store) boundWAL() bool {
	if s.walBudget == 0 || s.d.postgres || s.walSize() < s.walBudget {
		return true
	}
	// The checkpointer's passive checkpoint would make this one fail at
	// once (SQLITE_BUSY, reported as busy = 1): wait for it. Readers are
	// waited for by the busy timeout.
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	var busy, frames, done int
	if err := s.w.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil {
		s.log.Error("store: checkpoint", "mode", "truncate", "reason", "size cap", "err", err)
	}
	return s.walSize() < s.walBudget
}

// walRoom refuses a batch while the WAL is over its budget and a
// checkpoint cannot bring it back.
func (s *Store) walRoom() error {
	if s.boundWAL() {
		return nil
	}
	return fmt.Errorf("store: commit: %w: %w", domain.ErrUnavailable, errWALFull)
}
