package room

import "errors"

// Errors a room operation returns besides the game's rule violations (which
// it passes through from package game).
var (
	// ErrUnknownRoom reports a room id that names no live room.
	ErrUnknownRoom = errors.New("unknown room")
	// ErrRoomFull reports a join that no seat, or no spectator place, can take.
	ErrRoomFull = errors.New("room full")
	// ErrUnavailable reports that a change could not be stored, so it was
	// neither applied nor announced.
	ErrUnavailable = errors.New("storage unavailable")
	// ErrNotEnoughPlayers reports a start with fewer than 2 seated players.
	ErrNotEnoughPlayers = errors.New("not enough players")
	// ErrAlreadyStarted reports a start when the game is already on.
	ErrAlreadyStarted = errors.New("game already started")
	// ErrNotFinished reports a rematch before the game is over.
	ErrNotFinished = errors.New("game not over")
	// ErrDuplicateMove reports a move id that this seat already used in this
	// game: the move was applied once and is not applied again.
	ErrDuplicateMove = errors.New("duplicate move id")
	// ErrGone reports an action by a member that is no longer in the room:
	// it left, was kicked, or its seat was resumed by another connection.
	ErrGone = errors.New("no longer in the room")
	// ErrBadText reports chat text or a name that breaks the text rules.
	ErrBadText = errors.New("bad text")
	// ErrChatLimited reports a chat line past the room's chat rate
	// (Config.ChatRate): it was not sent.
	ErrChatLimited = errors.New("the room's chat is at its rate")
	// ErrLimit reports a creation refused by a room limit.
	ErrLimit = errors.New("room limit reached")
	// ErrShuttingDown reports an operation after Manager.Close.
	ErrShuttingDown = errors.New("shutting down")
	// ErrNoBots reports a kick that asked for a bot on a server without
	// bots.
	ErrNoBots = errors.New("no bots on this server")
	// ErrNotOwner is returned by a Store whose node no longer owns the
	// room (another node of the cluster adopted it): the room then leaves
	// this node, and its members reconnect to the new owner.
	ErrNotOwner = errors.New("room owned by another node")
)
