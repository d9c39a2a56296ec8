package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// BenchmarkStart measures how long the binary takes, from exec to
// /healthz answering 200, on a database holding 100,000 finished games, and
// its resident memory right after. Start-up reads only live rooms, so the
// size of the history must not matter.
//
//	go test ./e2e -run '^$' -bench Start -benchtime 10x -count 3
func BenchmarkStart(b *testing.B) {
	db := seedGames(b, 100000)
	var total time.Duration
	var rss float64
	for i := 0; i < b.N; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		start := time.Now()
		cmd := exec.Command(bin, "--addr", addr, "--db", db, "--log-level", "warn")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Since(start) > 10*time.Second {
				cmd.Process.Kill()
				b.Fatal("not ready after 10 s")
			}
			time.Sleep(time.Millisecond)
		}
		total += time.Since(start)
		rss += readRSSMB(b, cmd.Process.Pid)
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-ready")
	b.ReportMetric(rss/float64(b.N), "MB-rss")
	b.ReportMetric(0, "ns/op")
}

// seedGames builds, once per run, a database with n finished games in
// rooms of 100 games each, and returns its path.
var seedOnce sync.Once
var seedPath string

func seedGames(b *testing.B, n int) string {
	seedOnce.Do(func() {
		dir, _ := os.MkdirTemp("", "goldmine-seed")
		seedPath = filepath.Join(dir, "goldmine.db")
		ctx := context.Background()
		st, err := store.Open(ctx, store.Options{Path: seedPath, Sync: store.SyncNormal,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		rules, _ := game.Preset("classic")
		board, _ := game.Generate(9, 9, 10, 1)
		var wg sync.WaitGroup
		for w := 0; w < n/100; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				id := fmt.Sprintf("S%05d", w)
				rec := room.Record{ID: id, Name: id, CreatedBy: "p" + strconv.Itoa(w), Rules: rules, Status: room.Waiting}
				if err := st.Save(ctx, &room.Write{Create: true, Room: rec}); err != nil {
					b.Error(err)
					return
				}
				for g := 1; g <= 100; g++ {
					// The rooms end closed, as the idle timeout leaves them
					// on a server that has run a while.
					rec.Status, rec.GameNo = room.Finished, g
					if g == 100 {
						rec.Status = room.Closed
					}
					moves := make([]room.MoveRecord, 30)
					for k := range moves {
						moves[k] = room.MoveRecord{GameNo: g, N: k + 1, Kind: game.Dig, Row: k / 9, Col: k % 9}
					}
					gr := &room.GameRecord{RoomID: id, GameNo: g, Rules: rules, Layout: board.Layout(), Salt: "s",
						Commitment: game.Commitment("s", board.Layout()), Reason: game.EndAllGold, Moves: moves,
						Players: []room.GamePlayer{{Seat: 0, PlayerID: "p" + strconv.Itoa(w), Name: "A", Score: 6, Rank: 1, Winner: true},
							{Seat: 1, PlayerID: "q" + strconv.Itoa(w), Name: "B", Score: 4, Rank: 2}},
						StartedAt: time.Now(), EndedAt: time.Now()}
					if err := st.Save(ctx, &room.Write{Room: rec, Game: gr}); err != nil {
						b.Error(err)
						return
					}
				}
			}(w)
		}
		wg.Wait()
	})
	return seedPath
}

func readRSSMB(b *testing.B, pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}
