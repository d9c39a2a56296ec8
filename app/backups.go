package app

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/goldmine-game/goldmine/backups"
)

// BackupConfig schedules backups of a SQLite database (package backups).
// An empty Dir takes none.
type BackupConfig struct {
	Dir   string
	Every time.Duration
	Keep  int
}

// scheduledBackups runs the backup scheduler, from start until close.
type scheduledBackups struct {
	*backups.Scheduler
	ctx  context.Context
	stop context.CancelFunc
	done chan struct{} // nil until start
}

// backupStore is what the scheduler needs of the store: a consistent copy
// of the database file.
type backupStore interface {
	Backup(ctx context.Context, dest string) error
	// CheckFile verifies a copy and returns its schema version.
	CheckFile(ctx context.Context, path string) (int, error)
}

// newBackups builds the scheduler of cfg for the store, with its metrics
// in reg; nil when cfg.Dir is empty.
func newBackups(cfg BackupConfig, st backupStore, postgres bool, reg *prometheus.Registry, s *Server) (*scheduledBackups, error) {
	if cfg.Dir == "" {
		return nil, nil
	}
	if postgres {
		return nil, errors.New("app: scheduled backups are for SQLite; back PostgreSQL up with pg_dump")
	}
	failures := prometheus.NewCounter(prometheus.CounterOpts{Name: "goldmine_backup_failures_total",
		Help: "Scheduled or console backups that failed or whose copy failed its integrity check."})
	last := prometheus.NewGauge(prometheus.GaugeOpts{Name: "goldmine_backup_last_success_timestamp_seconds",
		Help: "Unix time of the last backup that passed its integrity check."})
	reg.MustRegister(failures, last)
	sched, err := backups.New(backups.Config{Dir: cfg.Dir, Every: cfg.Every, Keep: cfg.Keep, Log: s.log,
		Copy: st.Backup, Check: st.CheckFile,
		OnDone: func(b backups.Backup, err error) {
			if err != nil {
				failures.Inc()
				return
			}
			last.Set(float64(b.At.Unix()))
		}})
	if err != nil {
		return nil, err
	}
	if list, err := sched.List(); err == nil && len(list) > 0 {
		last.Set(float64(list[0].At.Unix()))
	}
	b := &scheduledBackups{Scheduler: sched}
	b.ctx, b.stop = context.WithCancel(context.Background())
	return b, nil
}

// start runs the schedule until close. The Server calls it once, before
// any close.
func (b *scheduledBackups) start() {
	if b == nil {
		return
	}
	b.done = make(chan struct{})
	go func() { defer close(b.done); b.Run(b.ctx) }()
}

// close stops the schedule and waits for a backup under way.
func (b *scheduledBackups) close() {
	if b == nil {
		return
	}
	b.stop()
	if b.done != nil {
		<-b.done
	}
}
