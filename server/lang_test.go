package server

import (
	"slices"
	"testing"
)

func TestPreferredLang(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh"},
		{"en-US,en;q=0.9,zh-CN;q=0.8", "en"},
		{"zh-TW", "zh"},
		{"fr-FR,fr;q=0.9", "en"},
		{"fr;q=1, zh;q=0.5, en;q=0.4", "zh"},
		{"en;q=0.1, zh;q=0.2", "zh"},
		{"zh;q=0", "en"},
		{"zh;q=bogus, en", "en"},
		{"ZH-hans", "zh"},
		{"*", "en"},
	} {
		if got := preferredLang(c.header); got != c.want {
			t.Errorf("preferredLang(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

func FuzzPreferredLang(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=0.5,zh;q=0.6", ";;;q=", "zh;q=NaN", "zh;q=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		if got := preferredLang(header); !slices.Contains(clientLangs, got) {
			t.Fatalf("preferredLang(%q) = %q", header, got)
		}
	})
}
