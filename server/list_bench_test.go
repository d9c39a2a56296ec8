package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
)

// BenchmarkListRooms measures GET /api/rooms, the lobby's poll, on a node
// holding 10,000 live rooms: the first page (the default limit of 100),
// all of it and of one status.
//
//	go test ./server -run '^$' -bench ListRooms -benchmem
func BenchmarkListRooms(b *testing.B) {
	h := newHarness(b, fast, func(o *harnessOpts) {
		o.sync = "normal"
		o.limits.APIRate, o.limits.APIBurst = 1e9, 1<<30 // the limiter is not what this measures
	})
	defer h.close()
	rules, _ := game.Preset("classic")
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p := room.Player{ID: fmt.Sprintf("p%d-%d", w, i), Name: "P"}
				if _, err := h.rooms.Create(ctx, p, room.Options{Rules: rules}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := len(h.rooms.List(room.Filter{})); n != 10000 {
		b.Fatalf("%d rooms listed, want 10000", n)
	}
	handler := h.srv.Handler()
	for _, q := range []string{"", "?status=waiting&limit=1000", "?status=playing"} {
		b.Run("query="+q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/rooms"+q, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET /api/rooms%s: %d", q, rec.Code)
				}
			}
		})
	}
}
