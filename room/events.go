package room

import (
	"encoding/json"
	"time"

	"github.com/goldmine-game/goldmine/game"
)

// Snapshot is the public view of a room: protocol v1's room snapshot. It
// never holds the content of an undug cell before the game is over.
type Snapshot struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Status     Status       `json:"status"`
	Seq        int64        `json:"seq"`
	Rules      game.Rules   `json:"rules"`
	Players    []PlayerInfo `json:"players"`
	Spectators int          `json:"spectators"`
	Turn       *int         `json:"turn"`
	Deadline   *int64       `json:"deadline"`
	GoldLeft   int          `json:"gold_left"`
	Commitment *string      `json:"commitment"`
	Board      game.View    `json:"board"`

	// Additions to v1.
	Private   bool      `json:"private"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// Game numbers the current or last game from 1; 0 before the first.
	Game int `json:"game"`
	// GoldFound says who dug each dug gold cell.
	GoldFound []GoldFind `json:"gold_found"`
	// Result is the last game's game_over content while status is
	// "finished", and null otherwise.
	Result *Result `json:"result"`
	// BotSubstitute is the level of the bot that takes over from a player
	// whose reconnect grace runs out during a game, or "" (they forfeit).
	BotSubstitute string `json:"bot_substitute"`
	// Rated says whether the room's games change ratings.
	Rated bool `json:"rated"`
	// Chat is the room's last chat lines, oldest first: in welcome and
	// snapshot frames only.
	Chat []ChatLine `json:"chat,omitempty"`
}

// PlayerInfo is one seat in a snapshot.
type PlayerInfo struct {
	Seat      int    `json:"seat"`
	PlayerID  string `json:"player_id"`
	Name      string `json:"name"`
	Score     int    `json:"score"`
	Connected bool   `json:"connected"`
	// Additions to v1.
	Bot      bool   `json:"bot"`
	BotLevel string `json:"bot_level,omitempty"`
	Left     bool   `json:"left"`
	Rematch  bool   `json:"rematch"`
	// Rating, RD and RatedGames are the seat's player's rating: the
	// server's room API fills them in; the WebSocket frames leave them out.
	Rating     *float64 `json:"rating,omitempty"`
	RD         *float64 `json:"rd,omitempty"`
	RatedGames *int     `json:"rated_games,omitempty"`
}

// GoldFind is a dug gold cell and the seat that dug it.
type GoldFind struct {
	Row  int `json:"row"`
	Col  int `json:"col"`
	Seat int `json:"seat"`
}

// Result is how a game ended, as game_over announces it.
type Result struct {
	GameID  int64          `json:"game_id"`
	Reason  game.EndReason `json:"reason"`
	Scores  []int          `json:"scores"`
	Ranking []Standing     `json:"ranking"`
	Winners []int          `json:"winners"`
	// Board is the full board: -1 for gold, else 0..8.
	Board      game.View `json:"board"`
	Layout     string    `json:"layout"`
	Salt       string    `json:"salt"`
	Commitment string    `json:"commitment"`
}

// Standing is one seat's final place (the game's Standing), with the
// player's id and name.
type Standing struct {
	game.Standing
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
}

// Summary is a room as the room list shows it.
type Summary struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Status     Status     `json:"status"`
	Rules      game.Rules `json:"rules"`
	Players    int        `json:"players"`
	MaxPlayers int        `json:"max_players"`
	Spectators int        `json:"spectators"`
	CreatedAt  time.Time  `json:"created_at"`
	// Additions to v1.
	Private   bool   `json:"-"`
	CreatedBy string `json:"-"`
	// Seq is the seq of the room's last event. (A list of this node's
	// rooms has it exact; another node's room, as of that node's last
	// lease renewal.)
	Seq       int64 `json:"seq"`
	Game      int   `json:"game"`
	Connected int   `json:"connected"`
}

// SummaryOf is the listing entry of a room another node holds: from its
// stored record, with the member counts that node last published.
func SummaryOf(rec Record, c Count) Summary {
	players := 0
	for _, s := range rec.Seats {
		if !s.Left {
			players++
		}
	}
	return Summary{
		ID: rec.ID, Name: rec.Name, Status: rec.Status, Rules: rec.Rules, Players: players,
		MaxPlayers: rec.Rules.MaxPlayers, Spectators: c.Spectators, CreatedAt: rec.CreatedAt,
		Private: rec.Private, CreatedBy: rec.CreatedBy, Game: rec.GameNo, Connected: c.Connected,
		Seq: max(rec.Seq, c.Seq),
	}
}

// The frames a room sends. Each event carries "seq"; welcome and snapshot
// carry the room whose seq the next event follows.

type welcomeFrame struct {
	Type string   `json:"type"`
	You  You      `json:"you"`
	Room Snapshot `json:"room"`
}

// You tells a member who it is in the room.
type You struct {
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
	Seat     *int   `json:"seat"`
	Role     Role   `json:"role"`
}

type snapshotFrame struct {
	Type string   `json:"type"`
	Room Snapshot `json:"room"`
}

type playerJoined struct {
	Type     string `json:"type"`
	Seq      int64  `json:"seq"`
	Seat     int    `json:"seat"`
	PlayerID string `json:"player_id"`
	Name     string `json:"name"`
	Bot      bool   `json:"bot"`
	BotLevel string `json:"bot_level,omitempty"`
}

type playerLeft struct {
	Type     string `json:"type"`
	Seq      int64  `json:"seq"`
	Seat     int    `json:"seat"`
	PlayerID string `json:"player_id"`
	Reason   string `json:"reason"`
	// Additions: the turn after a forfeit, for a game in progress.
	Turn     *int   `json:"turn"`
	Deadline *int64 `json:"deadline"`
}

// playerReplaced is an addition to v1: a bot took over the seat of a
// player whose reconnect grace ran out during a game.
type playerReplaced struct {
	playerJoined // the bot, with Type "player_replaced"
	// Replaced is the player who left the seat.
	Replaced string `json:"replaced"`
}

type presence struct {
	Type string `json:"type"`
	// Seq is left out of a presence the store could not commit
	// (Room.presence).
	Seq       int64 `json:"seq,omitempty"`
	Seat      int   `json:"seat"`
	Connected bool  `json:"connected"`
}

type gameStarted struct {
	Type       string `json:"type"`
	Seq        int64  `json:"seq"`
	Turn       int    `json:"turn"`
	Deadline   *int64 `json:"deadline"`
	Commitment string `json:"commitment"`
	// Additions: the game's number and its seats, which a rematch may have
	// renumbered.
	Game    int          `json:"game"`
	Players []PlayerInfo `json:"players"`
}

type dug struct {
	Type     string          `json:"type"`
	Seq      int64           `json:"seq"`
	Seat     int             `json:"seat"`
	Row      int             `json:"row"`
	Col      int             `json:"col"`
	ID       json.RawMessage `json:"id"`
	Gold     bool            `json:"gold"`
	Cells    []game.Cell     `json:"cells"`
	Scores   []int           `json:"scores"`
	GoldLeft int             `json:"gold_left"`
	Turn     *int            `json:"turn"`
	Deadline *int64          `json:"deadline"`
}

type turnSkipped struct {
	Type     string `json:"type"`
	Seq      int64  `json:"seq"`
	Seat     int    `json:"seat"`
	Reason   string `json:"reason"`
	Turn     *int   `json:"turn"`
	Deadline *int64 `json:"deadline"`
}

type gameOver struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
	// A pointer: the game's stored id is set after the save, before the
	// event is encoded.
	*Result
}

type chat struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
	Seat *int   `json:"seat"`
	Name string `json:"name"`
	Text string `json:"text"`
}

type roomClosed struct {
	Type   string `json:"type"`
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// rematchAsked is an addition to v1: a seat asked for a rematch.
type rematchAsked struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq"`
	Seat int    `json:"seat"`
}

// roomReset is an addition to v1: after a game, too few players remained
// for a rematch and the room is waiting for players again.
type roomReset struct {
	Type    string       `json:"type"`
	Seq     int64        `json:"seq"`
	Status  Status       `json:"status"`
	Players []PlayerInfo `json:"players"`
}

func unixMilli(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

func seatPtr(s int) *int {
	if s < 0 {
		return nil
	}
	return &s
}
