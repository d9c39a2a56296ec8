package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/goldmine-game/goldmine/store"
)

// preflight checks, before anything is opened or written, what would
// otherwise fail halfway through a start: flags that disagree, a database
// folder that is missing or read-only, a port another program holds. Each
// error names the flag and says how to fix it. (The links the server
// logs are built from --advertise-url or the listen address by
// publicURL, in admincmd.go.)
func preflight(cfg *config) error {
	if err := checkBackupFlags(cfg); err != nil {
		return err
	}
	if !store.IsPostgres(cfg.DB) {
		if err := checkDBPath(cfg.DB); err != nil {
			return err
		}
	}
	if cfg.BackupDir != "" {
		if err := checkBackupDir(cfg.BackupDir); err != nil {
			return err
		}
	}
	addrs := []struct{ flag, addr string }{{"--addr", cfg.Addr}}
	if cfg.ACMEDomain != "" {
		addrs = append(addrs, struct{ flag, addr string }{"--http-addr", cfg.HTTPAddr})
	}
	if cfg.MetricsAddr != "" {
		addrs = append(addrs, struct{ flag, addr string }{"--metrics-addr", cfg.MetricsAddr})
	}
	if cfg.DebugAddr != "" {
		addrs = append(addrs, struct{ flag, addr string }{"--debug-addr", cfg.DebugAddr})
	}
	for _, a := range addrs {
		if err := checkPort(a.flag, a.addr); err != nil {
			return err
		}
	}
	return nil
}

func checkBackupFlags(cfg *config) error {
	if cfg.BackupDir == "" {
		return nil
	}
	switch {
	case store.IsPostgres(cfg.DB):
		return errors.New("--backup-dir is for SQLite: back a PostgreSQL --db up with pg_dump (docs/deploy.md#backups), and drop --backup-dir")
	case cfg.BackupEvery < time.Minute:
		return fmt.Errorf("--backup-every %s: back up at most once a minute (e.g. --backup-every 6h)", cfg.BackupEvery)
	case cfg.BackupKeep < 1:
		return fmt.Errorf("--backup-keep %d: keep at least 1 backup (e.g. --backup-keep 14)", cfg.BackupKeep)
	}
	if abs, err := filepath.Abs(cfg.BackupDir); err == nil {
		if db, err := filepath.Abs(cfg.DB); err == nil && abs == filepath.Dir(db) {
			return fmt.Errorf("--backup-dir %s is the database's own folder: give backups a folder of their own (e.g. --backup-dir %s)", cfg.BackupDir, filepath.Join(cfg.BackupDir, "backups"))
		}
	}
	return nil
}

// checkDBPath wants the database's folder to exist and take new files (the
// database, its -wal and -shm, acme-cache/), and an existing database to
// be a writable file.
func checkDBPath(db string) error {
	dir := filepath.Dir(db)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--db %s: the folder %s does not exist: create it (mkdir -p %s) or point --db at a file in an existing folder", db, dir, dir)
	case err != nil:
		return fmt.Errorf("--db %s: %w", db, err)
	case !info.IsDir():
		return fmt.Errorf("--db %s: %s is not a folder: point --db at a file in a folder", db, dir)
	}
	if err := checkWritable(dir); err != nil {
		return fmt.Errorf("--db %s: the folder %s does not take new files (%v): make it writable for this user (chown or chmod) or point --db elsewhere", db, dir, err)
	}
	if info, err := os.Stat(db); err == nil {
		if info.IsDir() {
			return fmt.Errorf("--db %s is a folder: point --db at a file, e.g. --db %s", db, filepath.Join(db, "goldmine.db"))
		}
		f, err := os.OpenFile(db, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("--db %s: cannot open it for writing (%v): make it writable for this user", db, err)
		}
		f.Close()
	}
	return nil
}

// checkBackupDir wants the folder, or the folder it will be made in, to
// take new files.
func checkBackupDir(dir string) error {
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		parent := filepath.Dir(dir)
		if p, err := os.Stat(parent); err != nil || !p.IsDir() {
			return fmt.Errorf("--backup-dir %s: neither it nor its parent %s exists: create it (mkdir -p %s)", dir, parent, dir)
		}
		if err := checkWritable(parent); err != nil {
			return fmt.Errorf("--backup-dir %s: cannot be made in %s (%v): create it yourself, writable for this user", dir, parent, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("--backup-dir %s: %w", dir, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("--backup-dir %s is not a folder: point it at a folder", dir)
	}
	if err := checkWritable(dir); err != nil {
		return fmt.Errorf("--backup-dir %s does not take new files (%v): make it writable for this user", dir, err)
	}
	return nil
}

// checkWritable creates and removes a file in dir: permissions alone do
// not tell (root ignores them, a read-only mount does not show in them).
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".goldmine-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// checkPort listens on addr and lets go at once, so that a port in use
// stops the start before the database is touched. (The real listeners
// open later; a program that takes the port in between is still caught
// there.)
func checkPort(flag, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln.Close()
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%s %s: the port is in use by another program: stop it (ss -ltnp shows which) or choose another port with %s", flag, addr, flag)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%s %s: no permission to listen there: ports below 1024 need root or CAP_NET_BIND_SERVICE (see docs/deploy.md), or choose a port above 1024 with %s", flag, addr, flag)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return fmt.Errorf("%s %s: this machine has no such address: use one of its own, or :PORT for all", flag, addr)
	}
	return fmt.Errorf("%s %s: cannot listen (%v): give HOST:PORT or :PORT", flag, addr, err)
}
