package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// BenchmarkSaveMove measures durable moves per second and commit latency:
// many rooms each save a move and wait for its commit, as a room does before
// announcing it. Group commit lets one fsync serve many rooms.
//
//	go test ./store -run '^$' -bench SaveMove -benchtime 3s -count 3
func BenchmarkSaveMove(b *testing.B) {
	for _, sync := range []string{store.SyncFull, store.SyncNormal} {
		for _, rooms := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("sync=%s/rooms=%d", sync, rooms), func(b *testing.B) {
				benchSave(b, sync, rooms)
			})
		}
	}
}

func benchSave(b *testing.B, syncMode string, rooms int) {
	var mu sync.Mutex
	var lat []time.Duration
	var commits atomic.Int64
	s := mustOpen(b, func(o *store.Options) {
		o.Sync = syncMode
		o.OnCommit = func(n int, d time.Duration, err error) { commits.Add(1) }
	})
	ctx := context.Background()
	rules, _ := game.Preset("classic")
	recs := make([]room.Record, rooms)
	for i := range recs {
		recs[i] = room.Record{ID: fmt.Sprintf("B%05d", i), Name: "b", CreatedBy: "x", Rules: rules, Status: room.Playing, GameNo: 1}
		if err := s.Save(ctx, &room.Write{Create: true, Room: recs[i]}); err != nil {
			b.Fatal(err)
		}
		if err := s.Save(ctx, &room.Write{Room: recs[i], NewGame: true}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + rooms - 1) / rooms
	start := time.Now()
	for i := range recs {
		wg.Add(1)
		go func(rec room.Record) {
			defer wg.Done()
			mine := make([]time.Duration, 0, per)
			for n := 1; n <= per && next.Add(1) <= int64(b.N); n++ {
				rec.Seq = int64(n)
				t0 := time.Now()
				// A dig that does not end its game: a move-only write, as
				// rooms send for almost every move.
				if err := s.Save(ctx, &room.Write{Room: rec, MoveOnly: true, Move: &room.MoveRecord{GameNo: 1, N: n, Kind: game.Dig, At: t0}}); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(recs[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "moves/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(lat))/float64(commits.Load()), "moves/commit")
}

// BenchmarkPlay is the store's share of a load run: rooms that each make
// a move every think time (50 ms, as goldmine bench's players do), end
// their game after 40 moves with its record, and start the next, so that
// the journal grows and is pruned as in play. It reports the commit
// latency a move waits for, and the process's CPU time per move, which
// is the writer's (the rooms only sleep). b.N is the number of moves.
//
//	go test ./store -run '^$' -bench Play -benchtime 40000x -count 5
func BenchmarkPlay(b *testing.B) {
	for _, rooms := range []int{200, 1000} {
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) { benchPlay(b, rooms) })
	}
}

func benchPlay(b *testing.B, rooms int) {
	const think, perGame = 50 * time.Millisecond, 40
	var commits atomic.Int64
	s := mustOpen(b, func(o *store.Options) {
		o.OnCommit = func(n int, d time.Duration, err error) { commits.Add(1) }
	})
	ctx := context.Background()
	for _, id := range []string{"ann", "bob"} {
		store.InsertPlayer(b, s, id)
	}
	rules, _ := game.Preset("classic")
	recs := make([]room.Record, rooms)
	for i := range recs {
		recs[i] = room.Record{ID: fmt.Sprintf("P%05d", i), Name: "p", CreatedBy: "ann", Rules: rules, Status: room.Waiting}
		if err := s.Save(ctx, &room.Write{Create: true, Room: recs[i]}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	save := func(w *room.Write) bool {
		t0 := time.Now()
		if err := s.Save(ctx, w); err != nil {
			b.Error(err)
			return false
		}
		mu.Lock()
		lat = append(lat, time.Since(t0))
		mu.Unlock()
		return true
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range recs {
		wg.Add(1)
		go func(rec room.Record) {
			defer wg.Done()
			// Rooms start out of step, as a ramp makes them.
			time.Sleep(time.Duration(i) * think / time.Duration(rooms))
			for g := 1; next.Load() < int64(b.N); g++ {
				rec.Status, rec.GameNo = room.Playing, g
				rec.Seq++
				if !save(&room.Write{Room: rec, NewGame: true}) {
					return
				}
				var moves []room.MoveRecord
				for n := 1; n <= perGame; n++ {
					if next.Add(1) > int64(b.N) {
						return
					}
					time.Sleep(think)
					rec.Seq++
					m := room.MoveRecord{GameNo: g, N: n, Kind: game.Dig, Seat: n % 2, Row: n % 9, Col: n / 9, MoveID: "m", At: time.Now()}
					moves = append(moves, m)
					w := &room.Write{Room: rec, MoveOnly: true, Move: &moves[len(moves)-1]}
					if n == perGame {
						rec.Status = room.Finished
						w = &room.Write{Room: rec, Move: &moves[len(moves)-1], Game: &room.GameRecord{RoomID: rec.ID, GameNo: g,
							Rules: rules, Layout: strings.Repeat("0", 81), Reason: game.EndDecided, Moves: moves, EndedAt: time.Now(),
							Players: []room.GamePlayer{gp(0, "ann", 5, 1, true), gp(1, "bob", 3, 2, false)}}}
					}
					if !save(w) {
						return
					}
				}
			}
		}(recs[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "moves/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)*999/1000].Microseconds())/1000, "p99.9-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/move")
	b.ReportMetric(float64(len(lat))/float64(commits.Load()), "writes/commit")
}

// cpuTime is the process's CPU time, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFsync is why the WAL starts over in place (checkpoint.go): the
// fsync after 16 KiB (a commit's few pages) written over a file in place,
// against after 16 KiB appended to a file that grows, on the disk that
// holds the test's temporary folder.
//
//	go test ./store -run '^$' -bench Fsync -benchtime 2000x -count 2
func BenchmarkFsync(b *testing.B) {
	for _, inPlace := range []bool{true, false} {
		b.Run(map[bool]string{true: "in-place", false: "append"}[inPlace], func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "wal"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			buf := make([]byte, 16<<10)
			if inPlace { // a file already as long as the run writes
				if _, err := f.WriteAt(make([]byte, b.N*len(buf)), 0); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				if _, err := f.WriteAt(buf, int64(i*len(buf))); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
