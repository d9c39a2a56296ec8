package room

import "slices"

// mayTakeSeat reports whether a player may take a new seat: anyone, unless
// the room's seats are reserved (quick match) and the reservation has not
// run out. Bots are seated only by the server itself (quick match's
// backfill among them), so they may.
func (r *Room) mayTakeSeat(p Player) bool {
	if p.Bot || len(r.reserved) == 0 || !r.now().Before(r.reservedUntil) {
		return true
	}
	return slices.Contains(r.reserved, p.ID)
}
