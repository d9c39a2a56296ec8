package room_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/store"
)

// discard is a member connection that drops what it gets, as a WebSocket
// session's queue would take it.
type discard struct{}

func (discard) Send([]byte)       {}
func (discard) Close(int, string) {}

// BenchmarkDig measures one dig in a two-player room, store commit (sync
// normal) included, and the allocations it makes.
//
//	go test ./room -run '^$' -bench Dig -benchmem
func BenchmarkDig(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(b.TempDir(), "g.db"), Sync: store.SyncNormal, Log: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	m := room.NewManager(room.Config{Store: st, Log: quiet})
	defer m.Close()
	rules, _ := game.Preset("classic")
	// Dense gold, so that nearly every dig opens one cell, as most moves of
	// a real game do; a big flood fill would measure JSON encoding instead.
	rules.Rows, rules.Cols, rules.Gold, rules.TurnSeconds = 30, 30, 300, 30
	var members []*room.Member
	var id string
	var shadow *game.Game // the same game, to know which cells are undug
	newRoom := func() {
		snap, err := m.Create(ctx, room.Player{ID: "a", Name: "A"}, room.Options{Rules: rules})
		if err != nil {
			b.Fatal(err)
		}
		id = snap.ID
		members = members[:0]
		for _, p := range []room.Player{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}} {
			mem, err := m.Join(ctx, id, p, room.RolePlayer, discard{})
			if err != nil {
				b.Fatal(err)
			}
			members = append(members, mem)
		}
		saved, _ := st.LiveRooms(ctx)
		for _, sv := range saved {
			if sv.Room.ID == id {
				shadow, _ = game.New(sv.Room.Rules, sv.Room.Seed, 2, sv.Room.First)
			}
		}
	}
	newRoom()
	ids := make([]json.RawMessage, 1000)
	for i := range ids {
		ids[i] = json.RawMessage(`"m` + strconv.Itoa(i) + `"`)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cell := 0
	for i := 0; i < b.N; i++ {
		for shadow.Over() || shadow.Dug(cell/30, cell%30) {
			if shadow.Over() || cell == 899 {
				b.StopTimer()
				m.CloseRoom(id)
				newRoom()
				cell = 0
				b.StartTimer()
				continue
			}
			cell++
		}
		seat := shadow.Turn()
		shadow.Dig(seat, cell/30, cell%30)
		if err := members[seat].Dig(cell/30, cell%30, ids[i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}
