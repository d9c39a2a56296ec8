package room_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/goldmine-game/goldmine/room"
)

// FuzzCleanText checks the name and chat rules on arbitrary text: what they
// accept is trimmed, valid UTF-8, 1..max characters and free of control
// characters; what they refuse wraps ErrBadText.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Alice", "  ", "a\x00", "\u202eevil", "金矿", "👨‍👩‍👧", "\xff", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, max := range []int{room.MaxPlayerName, room.MaxRoomName, room.MaxChat} {
			got, err := room.CleanText("text", s, max)
			if err != nil {
				continue
			}
			if !utf8.ValidString(got) || strings.TrimSpace(got) != got {
				t.Fatalf("accepted %q", got)
			}
			if n := utf8.RuneCountInString(got); n < 1 || n > max {
				t.Fatalf("accepted %d characters with limit %d", n, max)
			}
			for _, r := range got {
				if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
					t.Fatalf("accepted control character %U", r)
				}
			}
		}
	})
}

// FuzzNormalizeID checks that whatever a person types, an accepted id has
// the form of an id.
func FuzzNormalizeID(f *testing.F) {
	f.Add("k7m2qx")
	f.Add("O0I1ZZ")
	f.Add("k7m2qxk7m2qxk7m2")
	f.Add(" ABCDEFGHJKLMNPQR\n")
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := room.NormalizeID(s)
		if !ok {
			return
		}
		if (len(id) != room.IDLength && len(id) != room.PrivateIDLength) || strings.ContainsAny(id, "0O1I") ||
			strings.ToUpper(id) != id {
			t.Fatalf("accepted %q as %q", s, id)
		}
	})
}
