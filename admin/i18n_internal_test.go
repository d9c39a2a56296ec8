package admin

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goldmine-game/goldmine/game"
	"github.com/goldmine-game/goldmine/room"
	"github.com/goldmine-game/goldmine/solver"
)

// TestCataloguesHoldTheSameKeys: every key is in both languages, and a
// catalogue missing one is refused.
func TestCataloguesHoldTheSameKeys(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	if d := keyDiff(cs["en"], cs["zh"]); d != "" {
		t.Fatalf("the catalogues differ: %s", d)
	}
	for l, cat := range cs {
		for k, v := range cat {
			// Separators (*_sep) may be a space, or nothing in Chinese.
			if strings.TrimSpace(v) == "" && !strings.HasSuffix(k, "_sep") {
				t.Errorf("%s: %s is empty", l, k)
			}
		}
	}
	short := catalogue{}
	for k, v := range cs["zh"] {
		short[k] = v
	}
	delete(short, "nav.rooms")
	if d := keyDiff(cs["en"], short); !strings.Contains(d, "missing nav.rooms") {
		t.Fatalf("keyDiff with nav.rooms gone = %q", d)
	}
}

// TestCataloguesKeepPlaceholders: a translation fills the same {0}, {1}…
// as the English, and every entry with markup stays well formed.
func TestCataloguesKeepPlaceholders(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	set := func(s string) string {
		m := placeholder.FindAllString(s, -1)
		seen := map[string]bool{}
		var out []string
		for _, p := range m {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
		return strings.Join(sortedCopy(out), "")
	}
	for k, en := range cs["en"] {
		if got, want := set(cs["zh"][k]), set(en); got != want {
			t.Errorf("zh %s has placeholders %q, en %q", k, got, want)
		}
		if got, want := strings.Count(cs["zh"][k], "<code>"), strings.Count(en, "<code>"); got != want {
			t.Errorf("zh %s has %d <code>, en %d", k, got, want)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestTemplatesUseKnownKeys: every key a template looks up is in the
// catalogues, and a template with an unknown key stops the start.
func TestTemplatesUseKnownKeys(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	n := 0
	for _, name := range names {
		src, _ := templateFS.ReadFile(name)
		n += len(templateKey.FindAllString(string(src), -1))
		for _, l := range consoleLangs {
			if err := checkKeys(name, string(src), cs[l]); err != nil {
				t.Error(err)
			}
		}
	}
	if n < 100 {
		t.Fatalf("found %d catalogue lookups in the templates: the pattern misses them", n)
	}
	bad := `<h1>{{t "nav.rooms"}}</h1><p title="{{t "no.such_key" 1}}">{{if (th "neither.this")}}{{end}}</p>`
	err = checkKeys("bad.html", bad, cs["en"])
	if err == nil || !strings.Contains(err.Error(), "no.such_key") || !strings.Contains(err.Error(), "neither.this") || strings.Contains(err.Error(), "nav.rooms") {
		t.Fatalf("checkKeys on a template with unknown keys: %v", err)
	}
	// Text outside the templates' lookups, in English, is what the
	// catalogues are for: no English word is left between tags.
	loose := regexp.MustCompile(`>\s*([A-Za-z][a-z]+(?: [a-z]+){1,})\s*<`)
	for _, name := range names {
		src, _ := templateFS.ReadFile(name)
		for _, m := range loose.FindAllStringSubmatch(string(src), -1) {
			t.Errorf("%s: words outside the catalogue: %q", name, m[1])
		}
	}
}

// keyLike is a catalogue key: lowercase words joined by dots.
var keyLike = regexp.MustCompile(`^[a-z]+\.[a-z0-9_]+$`)

// TestGoCodeUsesKnownKeys: every string in the package's Go code that is
// shaped like a key of a catalogue section is a key of the catalogue.
func TestGoCodeUsesKnownKeys(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]bool{}
	for k := range cs["en"] {
		sections[strings.SplitN(k, ".", 2)[0]] = true
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(lit.Value)
			if !keyLike.MatchString(s) || !sections[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			n++
			if _, ok := cs["en"][s]; !ok {
				t.Errorf("%s: key %q is in no catalogue", fset.Position(lit.Pos()), s)
			}
			return true
		})
	}
	if n < 40 {
		t.Fatalf("found %d keys in the Go code: the walk misses them", n)
	}
}

// TestKeysMadeFromValues: the keys templates build from a value (a room's
// status, a game's end reason, a bot level, a move's kind) exist for every
// value.
func TestKeysMadeFromValues(t *testing.T) {
	cs, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range []room.Status{room.Waiting, room.Playing, room.Finished, room.Closed} {
		keys = append(keys, "status."+string(s))
	}
	for _, r := range []game.EndReason{game.EndAllGold, game.EndDecided, game.EndForfeit, game.EndClosed} {
		keys = append(keys, "reason."+string(r))
	}
	for _, l := range solver.Levels {
		keys = append(keys, "level."+string(l))
	}
	for _, k := range []game.MoveKind{game.Dig, game.Skip, game.Forfeit} {
		keys = append(keys, "move."+k.String())
	}
	for _, k := range keys {
		for _, l := range consoleLangs {
			if _, ok := cs[l][k]; !ok {
				t.Errorf("%s: no %s", l, k)
			}
		}
	}
}

// TestAcceptLang: the console's language from Accept-Language.
func TestAcceptLang(t *testing.T) {
	for _, tt := range []struct{ header, want string }{
		{"", "en"},
		{"zh-CN,zh;q=0.9", "zh"},
		{"zh-TW", "zh"},
		{"en-US,en;q=0.9,zh;q=0.8", "en"},
		{"fr, zh;q=0.5, en;q=0.4", "zh"},
		{"fr", "en"},
		{"zh;q=bad, en;q=0.1", "en"},
		{strings.Repeat("x", 600) + ",zh", "en"},
	} {
		if got := acceptLang(tt.header); got != tt.want {
			t.Errorf("acceptLang(%.40q) = %s, want %s", tt.header, got, tt.want)
		}
	}
}

// FuzzAcceptLang: any header gives a console language, without a panic.
func FuzzAcceptLang(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=1.5", ";;,,q=", "zh;q=0.5,en;q=0.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if l := acceptLang(h); l != "en" && l != "zh" {
			t.Fatalf("acceptLang(%q) = %q", h, l)
		}
	})
}
