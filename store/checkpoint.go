package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Checkpointing. SQLite's automatic checkpoint runs inside the commit that
// takes the WAL past 1,000 pages: the writer then copies pages into the
// database file and fsyncs it while every room waits for its move. So the
// writer's connection has it off, and a goroutine of its own runs PASSIVE
// checkpoints, which never wait for the writer nor block it.
//
// Passive checkpoints copy the WAL into the database but cannot rewind it:
// SQLite starts the WAL over only when a write begins with every frame
// copied, which never happens while rooms write without pause. So once the
// WAL holds walLimit pages, a RESTART checkpoint takes the writer's lock,
// copies what the passive ones left (little), and makes the next commit
// write from the start of the file: a short pause for the writer, every
// walLimit pages instead of every 1,000.
//
// The file keeps its size and is not truncated: a commit that writes in
// place is then fsynced without the file's new size, which on this
// machine's disk takes 34–60% less time and 25–42% less CPU than the fsync
// after an append (docs/benchmarks.md, BenchmarkFsync). A WAL that grew
// past twice walLimit while a long read kept it from starting over is cut
// back to that when it does (journal_size_limit, Store.limitWAL). Under a size cap
// the WAL's bytes count, so there it is truncated (wal.go).
const (
	checkpointEvery = 500 * time.Millisecond
	defaultWALLimit = 4000 // pages: 16 MB of WAL at the default page size
)

func (s *Store) startCheckpointer(path, sync string) error {
	db, err := sql.Open("sqlite", dsn(path, sync))
	if err != nil {
		return fmt.Errorf("store: open checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	s.ckpt = db
	s.ckptDone = make(chan struct{})
	s.ckptStop = make(chan struct{})
	go s.checkpointer()
	return nil
}

func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ckptStop:
			return
		case <-t.C:
		}
		s.checkpoint()
	}
}

// checkpoint runs one round of the checkpointer, under ckptMu.
func (s *Store) checkpoint() {
	s.ckptMu.Lock()
	defer s.ckptMu.Unlock()
	var busy, frames, done int
	err := s.ckpt.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
	if err != nil {
		s.log.Error("store: checkpoint", "err", err)
		return
	}
	if frames > s.walLimit {
		mode := "RESTART"
		if s.walBudget > 0 {
			mode = "TRUNCATE"
		}
		if err := s.ckpt.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &frames, &done); err != nil {
			s.log.Error("store: checkpoint", "mode", mode, "err", err)
			return
		}
		s.lastRestart = mode
	}
}

func (s *Store) stopCheckpointer() error {
	if s.ckpt == nil { // PostgreSQL checkpoints by itself
		return nil
	}
	close(s.ckptStop)
	<-s.ckptDone
	return s.ckpt.Close()
}
