package room

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/goldmine-game/goldmine/game"
)

// Text limits, in Unicode characters.
const (
	MaxPlayerName = 24
	MaxRoomName   = 40
	MaxChat       = 200
)

// CleanText trims s and checks that it holds 1..max Unicode characters, is
// valid UTF-8 and has no control characters. It returns the trimmed text, or
// an error wrapping ErrBadText that says what is wrong.
func CleanText(what, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("room: %w", game.Errorf(ErrBadText, "%s is not valid UTF-8", what))
	}
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", fmt.Errorf("room: %w", game.Errorf(ErrBadText, "%s is empty", what))
	case n > max:
		return "", fmt.Errorf("room: %w", game.Errorf(ErrBadText, "%s has %d characters, the limit is %d", what, n, max))
	}
	visible := false
	for _, r := range s {
		visible = visible || isVisible(r)
		// Bidi overrides and isolates count as control characters: they
		// can make a name display as someone else's. Other format
		// characters stay allowed, since emoji sequences need U+200D.
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return "", fmt.Errorf("room: %w", game.Errorf(ErrBadText, "%s contains a control character", what))
		}
	}
	if !visible {
		return "", fmt.Errorf("room: %w", game.Errorf(ErrBadText, "%s has no visible character", what))
	}
	return s, nil
}

// isVisible reports whether r draws something: not a space, not a format
// character (zero-width spaces and joiners), not a combining mark on its
// own, and not one of the blank letters (Hangul fillers, the blank Braille
// pattern) that people use to make a name look empty.
func isVisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800':
		return false
	}
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me)
}
