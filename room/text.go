package room

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
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
		return "", fmt.Errorf("room: %w: %s is not valid UTF-8", ErrBadText, what)
	}
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return "", fmt.Errorf("room: %w: %s is empty", ErrBadText, what)
	case n > max:
		return "", fmt.Errorf("room: %w: %s has %d characters, the limit is %d", ErrBadText, what, n, max)
	}
	for _, r := range s {
		// Bidi overrides and isolates count as control characters: they
		// can make a name display as someone else's. Other format
		// characters stay allowed, since emoji sequences need U+200D.
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return "", fmt.Errorf("room: %w: %s contains a control character", ErrBadText, what)
		}
	}
	return s, nil
}
