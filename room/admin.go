package room

import (
	"slices"

	"github.com/goldmine-game/goldmine/game"
)

// AdminView is a room as an admin may see it: the public snapshot plus
// what players must not see before the end (where the gold is), the
// spectators, and the room's recent events.
type AdminView struct {
	Snapshot
	// Full is the whole board, hidden gold included; it is the empty
	// board of the rules while no game has been dealt.
	Full game.View
	// Spectators lists who watches, so that an admin can remove them.
	SpectatorList []Player
	// Recent are the last events, oldest first, as sent.
	Recent [][]byte
	// TurnStart is when the current turn began (zero without a game).
	TurnStartUnixMilli int64
}

// AdminView returns the room as an admin sees it.
func (r *Room) AdminView() AdminView {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := AdminView{Snapshot: r.snapshot(), Recent: slices.Clone(r.recent)}
	if r.g != nil {
		v.Full = r.g.FullView()
	} else {
		v.Full = game.HiddenView(r.rules.Rows, r.rules.Cols)
	}
	for m := range r.spectators {
		v.SpectatorList = append(v.SpectatorList, m.player)
	}
	slices.SortFunc(v.SpectatorList, func(a, b Player) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	if !r.turnStart.IsZero() {
		v.TurnStartUnixMilli = r.turnStart.UnixMilli()
	}
	return v
}

// Watch sends every event of the room to c, as to a member, until the
// returned function is called. A watcher is not a member: it is not
// counted, cannot act, and does not keep the room from going idle.
func (r *Room) Watch(c Conn) (unwatch func()) {
	r.mu.Lock()
	r.watchers[c] = struct{}{}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.watchers, c)
		r.mu.Unlock()
	}
}
