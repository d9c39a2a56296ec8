package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"goldmine/game"
	"goldmine/room"
	"goldmine/store"
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
