package backups_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/backups"
	"github.com/goldmine-game/goldmine/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(t.TempDir(), "g.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// clock is a fixed clock that each call moves on by a minute.
func clock() func() time.Time {
	t := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Minute); return t }
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestRotation(t *testing.T) {
	st := openStore(t)
	dir := filepath.Join(t.TempDir(), "backups")
	s, err := backups.New(backups.Config{Dir: dir, Every: time.Hour, Keep: 3, Copy: st.Backup, Check: store.CheckFile, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	var taken []string
	for range 5 {
		b, err := s.BackupNow(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if v, err := store.CheckFile(context.Background(), b.Path); err != nil || v == 0 {
			t.Fatalf("backup %s: version %d, %v", b.Path, v, err)
		}
		taken = append(taken, b.Name)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(list), 3; got != want {
		t.Fatalf("%d backups kept, want %d: %v", got, want, names(t, dir))
	}
	for i, b := range list { // newest first: the last three taken
		if got, want := b.Name, taken[4-i]; got != want {
			t.Fatalf("backup %d is %s, want %s", i, got, want)
		}
	}
	if got := names(t, dir); len(got) != 3 {
		t.Fatalf("folder holds %v, want the three backups alone", got)
	}
}

// TestCorruptCopyRefused: a copy that fails integrity_check is deleted,
// and the older backups stay, even past Keep.
func TestCorruptCopyRefused(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	corrupt := false
	copyDB := func(ctx context.Context, dest string) error {
		if err := st.Backup(ctx, dest); err != nil {
			return err
		}
		if corrupt {
			return smash(dest)
		}
		return nil
	}
	s, err := backups.New(backups.Config{Dir: dir, Every: time.Hour, Keep: 1, Copy: copyDB, Check: store.CheckFile, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	good, err := s.BackupNow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	corrupt = true
	_, err = s.BackupNow(context.Background())
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("corrupt copy: err=%v, want store.ErrCorrupt", err)
	}
	if got := names(t, dir); len(got) != 1 || got[0] != good.Name {
		t.Fatalf("folder holds %v, want the good backup %s alone", got, good.Name)
	}
	if st := s.Status(); st.Err == nil || !strings.Contains(st.Err.Error(), "refused") {
		t.Fatalf("status err=%v, want the refusal", st.Err)
	}
	// A copy that fails (the database went away) leaves nothing either.
	failing, _ := backups.New(backups.Config{Dir: dir, Every: time.Hour, Keep: 1, Now: clock(), Check: store.CheckFile,
		Copy: func(ctx context.Context, dest string) error {
			os.WriteFile(dest, []byte("half"), 0o600)
			return errors.New("disk full")
		}})
	if _, err := failing.BackupNow(context.Background()); err == nil {
		t.Fatal("a failed copy reported success")
	}
	if got := names(t, dir); len(got) != 1 || got[0] != good.Name {
		t.Fatalf("folder holds %v, want the good backup %s alone", got, good.Name)
	}
}

// smash overwrites a page in the middle of a SQLite file, as a bad disk
// would.
func smash(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	for off := int64(4096); off < info.Size(); off += 4096 {
		if _, err := f.WriteAt(junk, off); err != nil {
			return err
		}
	}
	return nil
}

func TestRunOnSchedule(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	s, err := backups.New(backups.Config{Dir: dir, Every: 20 * time.Millisecond, Keep: 2, Copy: st.Backup, Check: store.CheckFile})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	for i := 0; ; i++ {
		if st := s.Status(); !st.Last.IsZero() && st.Err == nil {
			break
		}
		if i == 500 {
			t.Fatal("no scheduled backup")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if list, _ := s.List(); len(list) < 1 || len(list) > 2 {
		t.Fatalf("%d backups, want 1 or 2", len(list))
	}
}

func TestNewRefuses(t *testing.T) {
	noop := func(context.Context, string) error { return nil }
	check := func(context.Context, string) (int, error) { return 1, nil }
	for name, cfg := range map[string]backups.Config{
		"no dir":   {Every: time.Hour, Keep: 1, Copy: noop, Check: check},
		"no every": {Dir: "d", Keep: 1, Copy: noop, Check: check},
		"keep 0":   {Dir: "d", Every: time.Hour, Copy: noop, Check: check},
		"no copy":  {Dir: "d", Every: time.Hour, Keep: 1, Check: check},
		"no check": {Dir: "d", Every: time.Hour, Keep: 1, Copy: noop},
	} {
		if _, err := backups.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
