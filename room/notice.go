package room

// NoticeKind says what a Notice reports.
type NoticeKind string

// The changes a Notice reports.
const (
	RoomCreated  NoticeKind = "room_created"
	RoomClosed   NoticeKind = "room_closed"
	PlayerJoined NoticeKind = "player_joined"
	PlayerLeft   NoticeKind = "player_left"
)

// Notice is a change in a room's life, for code outside the game (a host
// program's hooks): a room created or closed, a player taking or leaving
// a seat. Config.OnNotice receives them after the change is stored, in the
// room's order.
type Notice struct {
	Kind     NoticeKind
	Room     string
	PlayerID string // for the player notices, and the creator of a new room
	Name     string // for PlayerJoined
	Seat     int    // for the player notices
	Bot      bool   // for PlayerJoined
	// Reason is why a player left (left, timeout, kicked, replaced) or a
	// room closed (idle, closed, ...).
	Reason string
}

// notices turns a stored event into the notices it stands for.
func (r *Room) notices(ev any) {
	n := r.m.cfg.OnNotice
	switch e := ev.(type) {
	case *playerJoined:
		n(Notice{Kind: PlayerJoined, Room: r.id, PlayerID: e.PlayerID, Name: e.Name, Seat: e.Seat, Bot: e.Bot})
	case *playerLeft:
		n(Notice{Kind: PlayerLeft, Room: r.id, PlayerID: e.PlayerID, Seat: e.Seat, Reason: e.Reason})
	case *playerReplaced:
		n(Notice{Kind: PlayerLeft, Room: r.id, PlayerID: e.Replaced, Seat: e.Seat, Reason: "replaced"})
		n(Notice{Kind: PlayerJoined, Room: r.id, PlayerID: e.PlayerID, Name: e.Name, Seat: e.Seat, Bot: true})
	case *roomClosed:
		n(Notice{Kind: RoomClosed, Room: r.id, Reason: e.Reason})
	}
}
