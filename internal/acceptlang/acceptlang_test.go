package acceptlang_test

import (
	"slices"
	"testing"

	"github.com/goldmine-game/goldmine/internal/acceptlang"
)

func TestPick(t *testing.T) {
	langs := []string{"en", "zh"}
	for _, tt := range []struct{ header, want string }{
		{"", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"en-US,en;q=0.9,zh;q=0.8", "en"},
		{"fr-FR,fr;q=0.9", "en"},
		{"fr, zh-TW;q=0.5", "zh"},
		{"zh;q=0.5, en;q=0.5", "zh"}, // a tie: the first listed
		{"zh;q=0, en;q=0.1", "en"},
		{"zh;q=2", "en"}, // out of range: ignored
		{"zh;q=abc", "en"},
		{"ZH-hans", "zh"},
	} {
		if got := acceptlang.Pick(tt.header, langs); got != tt.want {
			t.Errorf("Pick(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzPick(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=0.1,zh;q=0.2", ";;;,,,q=", "zh;q=1e309"} {
		f.Add(s)
	}
	langs := []string{"en", "zh"}
	f.Fuzz(func(t *testing.T, header string) {
		if got := acceptlang.Pick(header, langs); !slices.Contains(langs, got) {
			t.Fatalf("Pick(%q) = %q, not a supported language", header, got)
		}
	})
}
