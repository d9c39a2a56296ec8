// Package backups takes scheduled backups of a SQLite database into a
// folder and keeps the newest few. Each is a VACUUM INTO copy that must
// pass integrity_check before it counts, and only then is the oldest
// removed, so that a bad copy never costs a good one.
package backups

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config configures a Scheduler.
type Config struct {
	// Dir holds the backups, and nothing else that is named like one. It
	// is made on the first backup if missing.
	Dir string
	// Every is the time between two scheduled backups; Keep is how many
	// are kept.
	Every time.Duration
	Keep  int
	// Copy writes a consistent copy of the live database to dest, which
	// does not exist (store.Store.Backup).
	Copy func(ctx context.Context, dest string) error
	// Check verifies a copy and returns its schema version
	// (store.CheckFile). It is passed in, like Copy, so that this package
	// needs nothing of the store.
	Check func(ctx context.Context, path string) (int, error)
	// OnDone, when set, hears of every backup: its file, or why it failed.
	OnDone func(Backup, error)
	Log    *slog.Logger
	Now    func() time.Time
}

// Backup is one backup file.
type Backup struct {
	Name string
	Path string
	Size int64
	At   time.Time
}

// Scheduler takes the backups, one at a time.
type Scheduler struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	run     sync.Mutex // one backup at a time
	mu      sync.Mutex // guards last and lastErr, so Status never waits for a backup
	last    time.Time
	lastErr error
}

const (
	prefix     = "goldmine-"
	suffix     = ".db"
	partial    = ".partial"
	timeLayout = "20060102T150405.000Z"
)

// New checks cfg and returns a Scheduler; Run starts it.
func New(cfg Config) (*Scheduler, error) {
	switch {
	case cfg.Dir == "":
		return nil, errors.New("backups: no folder")
	case cfg.Every <= 0:
		return nil, errors.New("backups: the interval must be positive")
	case cfg.Keep < 1:
		return nil, errors.New("backups: keep at least one")
	case cfg.Copy == nil:
		return nil, errors.New("backups: nothing to copy")
	case cfg.Check == nil:
		return nil, errors.New("backups: nothing to check a copy with")
	}
	s := &Scheduler{cfg: cfg, log: cmp.Or(cfg.Log, slog.Default()), now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Run takes a backup every cfg.Every until ctx is done. The first comes
// one interval after the start, not at it: a server that restarts in a
// loop must not fill the folder.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.BackupNow(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("backups: scheduled backup failed", "dir", s.cfg.Dir, "err", err)
			}
		}
	}
}

// BackupNow takes a backup, checks it, and then removes the oldest beyond
// Keep. A copy that fails its check is deleted, and no older backup is
// touched.
func (s *Scheduler) BackupNow(ctx context.Context) (Backup, error) {
	s.run.Lock()
	defer s.run.Unlock()
	b, err := s.backup(ctx)
	s.mu.Lock()
	s.last, s.lastErr = s.now(), err
	s.mu.Unlock()
	if s.cfg.OnDone != nil {
		s.cfg.OnDone(b, err)
	}
	if err != nil {
		return Backup{}, err
	}
	s.log.Info("backups: backed up", "file", b.Path, "bytes", b.Size)
	return b, nil
}

func (s *Scheduler) backup(ctx context.Context) (Backup, error) {
	if err := os.MkdirAll(s.cfg.Dir, 0o750); err != nil {
		return Backup{}, fmt.Errorf("backups: %w", err)
	}
	at := s.now().UTC()
	name := prefix + at.Format(timeLayout) + suffix
	final := filepath.Join(s.cfg.Dir, name)
	tmp := final + partial
	os.Remove(tmp) // left by a crash in the middle of a backup
	if err := s.cfg.Copy(ctx, tmp); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backups: copy: %w", err)
	}
	if _, err := s.cfg.Check(ctx, tmp); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backups: the new copy is refused, the older backups are kept: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backups: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backups: %w", err)
	}
	info, err := os.Stat(final)
	if err != nil {
		return Backup{}, fmt.Errorf("backups: %w", err)
	}
	if err := s.prune(); err != nil {
		s.log.Warn("backups: removing old backups", "dir", s.cfg.Dir, "err", err)
	}
	return Backup{Name: name, Path: final, Size: info.Size(), At: at}, nil
}

// syncFile makes the copy durable before it replaces anything: VACUUM INTO
// does not fsync what it writes.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// prune removes the oldest backups beyond Keep.
func (s *Scheduler) prune() error {
	list, err := s.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, b := range list[min(len(list), s.cfg.Keep):] {
		if err := os.Remove(b.Path); err != nil {
			errs = append(errs, err)
		} else {
			s.log.Info("backups: removed the oldest", "file", b.Path)
		}
	}
	return errors.Join(errs...)
}

// List returns the backups in the folder, newest first.
func (s *Scheduler) List() ([]Backup, error) { return List(s.cfg.Dir) }

// List returns the backups in dir, newest first; a missing dir has none.
func List(dir string) ([]Backup, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backups: %w", err)
	}
	var out []Backup
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		at, err := time.Parse(timeLayout, strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix))
		if err != nil {
			continue // not one of ours
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, Backup{Name: name, Path: filepath.Join(dir, name), Size: info.Size(), At: at})
	}
	slices.SortFunc(out, func(a, b Backup) int { return b.At.Compare(a.At) })
	return out, nil
}

// Status is the last backup's outcome, for the console.
type Status struct {
	Dir   string
	Every time.Duration
	Keep  int
	// Last is when the last backup was tried since the start (zero: none),
	// and Err why it failed (nil: it worked).
	Last time.Time
	Err  error
}

// Status returns the settings and the last backup's outcome.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Status{Dir: s.cfg.Dir, Every: s.cfg.Every, Keep: s.cfg.Keep, Last: s.last, Err: s.lastErr}
}
