package room

// This file holds two additions to protocol v1 for the players' pages: a
// count of the spectators, and the room's recent chat in welcome and
// snapshot.

// chatHistory is how many chat lines a welcome or snapshot carries: enough
// to read the conversation one missed, small next to a 30×30 board.
const chatHistory = 50

// ChatLine is one line of a room's recent chat, as welcome and snapshot
// carry it (an addition to v1): the chat event without its type.
type ChatLine struct {
	Seq  int64  `json:"seq"`
	Seat *int   `json:"seat"`
	Name string `json:"name"`
	Text string `json:"text"`
}

// spectatorsFrame is an addition to v1: how many watch the room now. It
// has no seq: it is not an event of the room's numbered log (nothing is
// stored for it), and a client that misses one gets the count in its next
// welcome or snapshot.
type spectatorsFrame struct {
	Type  string `json:"type"`
	Count int    `json:"count"`
}

// rememberChat keeps a sent chat line for the welcomes and snapshots that
// follow. The lines live with the live room only: a room recovered after a
// restart starts with none.
func (r *Room) rememberChat(c *chat) {
	if len(r.chat) == chatHistory {
		r.chat = append(r.chat[:0], r.chat[1:]...)
	}
	r.chat = append(r.chat, ChatLine{Seq: c.Seq, Seat: c.Seat, Name: c.Name, Text: c.Text})
}

// withChat is a snapshot for a welcome or snapshot frame: with the recent
// chat, which the room API's snapshot leaves out.
func (r *Room) withChat(s Snapshot) Snapshot {
	s.Chat = append([]ChatLine{}, r.chat...)
	return s
}

// spectatorsFanout is the most spectators a room tells of each spectator
// who comes or goes. Telling every member of every change costs O(n²)
// frames as n spectators arrive (a thousand spectators: half a million
// frames, enough to overflow their queues and close them as too slow),
// so past this many the spectators themselves keep the count of their
// welcome, and only the players, whose pages show it, hear every change.
const spectatorsFanout = 50

// spectatorsChanged tells the players, and the spectators of a room that
// has at most spectatorsFanout of them, how many spectators there are now.
func (r *Room) spectatorsChanged() {
	frame := encode(&spectatorsFrame{Type: "spectators", Count: len(r.spectators)})
	for _, s := range r.seats {
		if s.member != nil {
			s.member.conn.Send(frame)
		}
	}
	if len(r.spectators) > spectatorsFanout {
		return
	}
	for m := range r.spectators {
		m.conn.Send(frame)
	}
}
