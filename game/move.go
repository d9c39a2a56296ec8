package game

import "fmt"

// MoveKind says what a move does.
type MoveKind uint8

// The kinds of move. Their text forms ("dig", "skip", "forfeit") are stored
// and sent over the wire, so they never change.
const (
	Dig MoveKind = iota + 1
	Skip
	Forfeit
)

var moveKindNames = [...]string{Dig: "dig", Skip: "skip", Forfeit: "forfeit"}

// String returns the kind's stored name.
func (k MoveKind) String() string {
	if int(k) < len(moveKindNames) && moveKindNames[k] != "" {
		return moveKindNames[k]
	}
	return fmt.Sprintf("MoveKind(%d)", uint8(k))
}

// ParseMoveKind is the inverse of MoveKind.String.
func ParseMoveKind(s string) (MoveKind, error) {
	for k, name := range moveKindNames {
		if name != "" && name == s {
			return MoveKind(k), nil
		}
	}
	return 0, fmt.Errorf("game: unknown move kind %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (k MoveKind) MarshalText() ([]byte, error) {
	if int(k) >= len(moveKindNames) || moveKindNames[k] == "" {
		return nil, fmt.Errorf("game: unknown move kind %d", uint8(k))
	}
	return []byte(moveKindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *MoveKind) UnmarshalText(b []byte) error {
	v, err := ParseMoveKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Move is one change to a game: a seat digs a cell, the current turn is
// skipped (Seat is the seat that lost its turn), or a seat forfeits.
// Row and Col mean something only for Dig.
type Move struct {
	Kind MoveKind
	Seat int
	Row  int
	Col  int
}
