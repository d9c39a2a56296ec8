// Package domain holds Goldmine's records that outlive a room: players,
// finished games, standings, ratings, bans, admin sessions, the audit log
// and where rooms live in a cluster, with the errors every store returns.
// The store implements interfaces written in these types; the server, the
// admin console and the cluster code use them without importing the store.
package domain

import (
	"errors"
	"time"

	"github.com/goldmine-game/goldmine/rating"
	"github.com/goldmine-game/goldmine/room"
)

// Errors every store returns.
var (
	// ErrNotFound reports a row that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrClosed reports a write after Close.
	ErrClosed = errors.New("store closed")
)

// Banned reports whether the player is banned.
func (p Player) Banned() bool { return !p.BannedAt.IsZero() }

// Kinds of one-time admin tokens.
const (
	// AdminSetup is the link that sets the first password. It lasts until
	// it is used or a password is set.
	AdminSetup = "setup"
	// AdminLogin is a login link from `goldmine admin login-link`.
	AdminLogin = "login"
)

// AdminSession is a signed-in admin.
type AdminSession struct {
	// ID is the hex SHA-256 of the cookie's token; the token itself is
	// never stored.
	ID        string
	CSRF      string
	Via       string // how it was opened: password, login link, setup link
	IP        string
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
}

// AuditEntry is one admin action.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Admin  string
	Action string
	Target string
	Detail string
}

// Kinds of ban beside the player's own.
const (
	BanOpenID  = "openid"
	BanDevice  = "device"
	BanAddress = "address"
)

// BanOptions say what a ban covers besides the player.
type BanOptions struct {
	// Address, when set, is banned too, until AddressUntil (zero: for
	// ever). An address is shared behind a carrier NAT or in a school, so
	// it is the admin's choice, and best for a while.
	Address      string
	AddressUntil time.Time
}

// BanResult says what a ban covered.
type BanResult struct {
	OpenID  bool
	Devices int
	Address string
}

// BanCheck is what a newcomer brings: any of them may be empty.
type BanCheck struct {
	Device  string // the hashed device cookie
	Address string
	OpenID  string
}

// Location is where a room lives in the cluster.
type Location struct {
	Room   string
	Status room.Status
	// Node is the owner node's id, and URL its --advertise-url ("" when
	// it has none).
	Node string
	URL  string
	// Live reports whether the owner's lease holds. A room whose owner is
	// not live is free to adopt (ClaimRooms).
	Live bool
}

// NodeInfo is one node of the cluster, as its row says.
type NodeInfo struct {
	ID         string
	URL        string
	StartedAt  time.Time
	LeaseUntil time.Time
	Live       bool
	Rooms      int // live rooms it owns
}

// RemoteRoom is a live room another node owns, for listings.
type RemoteRoom struct {
	Summary room.Summary
	Node    string
	URL     string
	Live    bool
}

// Game is a finished game with all its moves: enough to replay it and to
// check its commitment offline.
// Its moves are the record's own Moves.
type Game struct {
	room.GameRecord
}

// GamesFilter selects finished games, newest first.
type GamesFilter struct {
	// Player keeps the games this player sat in.
	Player string
	// Before keeps games with an id below it: the cursor of the next page.
	Before int64
	// Limit caps the page (1..100, default 20).
	Limit int
}

// LeaderboardEntry is one line of the leaderboard.
type LeaderboardEntry struct {
	Rank     int
	PlayerID string
	Name     string
	Wins     int
	Games    int
	Gold     int
}

// Leaderboard periods.
const (
	PeriodAll  = "all"
	PeriodWeek = "week"
)

// Player is a stored player with their totals over finished games. Its
// identity is the room's Player (a stored player's BotLevel is empty: a
// bot's level is kept with its seat).
type Player struct {
	room.Player
	BannedAt  time.Time // zero when not banned
	Games     int
	Wins      int
	Gold      int
	CreatedAt time.Time
}

// PlayerRating is a player's Glicko-2 rating with the count of rated
// games behind it.
type PlayerRating struct {
	PlayerID string
	Name     string
	rating.Rating
	// Games counts the player's rated games.
	Games int
}

// RatingChange is one player's rating before and after one rated game.
type RatingChange struct {
	Before, After     float64
	RDBefore, RDAfter float64
}

// PlayerGame is a finished game in a player's history, with the change
// of their rating when the game was rated.
type PlayerGame struct {
	room.GameRecord
	// Change is nil for a game that was not rated (or rated nobody but
	// bots).
	Change *RatingChange
}

// MinRatedGames is how many rated games put a player on the leaderboard by
// rating: before that, the rating says more about the start than the
// player.
const MinRatedGames = 5

// ErrUnavailable reports a write the database could not take for a reason
// of the database's, not of the request's: a full disk, an I/O error, a
// lost connection to PostgreSQL. A caller answers "try again later" (the
// API's 503 unavailable), as rooms do for a move.
var ErrUnavailable = errors.New("storage unavailable")
