package static

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// catalogue reads one of the web client's string catalogues: a JS file
// whose object literal is strict JSON, so that this test can read it.
func catalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := files.ReadFile("app/lang-" + lang + ".js")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	body := s[strings.Index(s, "= {")+2 : strings.LastIndex(s, "}")+1]
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("lang-%s.js is not a JSON object after '= ': %v", lang, err)
	}
	return m
}

// TestCatalogues: the English and Chinese catalogues have the same keys;
// every key the client names exists; every error code and close code of
// docs/protocol.md has a message; and placeholders match across languages.
func TestCatalogues(t *testing.T) {
	en, zh := catalogue(t, "en"), catalogue(t, "zh")
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("lang-zh.js has no %q", k)
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("lang-en.js has no %q", k)
		}
	}
	holes := regexp.MustCompile(`\{\w+\}`)
	for k, v := range en {
		a, b := holes.FindAllString(v, -1), holes.FindAllString(zh[k], -1)
		slices.Sort(a)
		slices.Sort(b)
		if zh[k] != "" && !slices.Equal(a, b) {
			t.Errorf("%q: English fills %v, Chinese %v", k, a, b)
		}
	}
	app, err := files.ReadFile("app/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\bt\("([a-z_0-9.]+)"`).FindAllStringSubmatch(string(app), -1) {
		if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "_") {
			continue // a prefix: t("close." + code), checked below
		}
		if _, ok := en[m[1]]; !ok {
			t.Errorf("app.js uses %q, which no catalogue has", m[1])
		}
	}
	// Keys the client builds from a prefix and a protocol value.
	doc, err := os.ReadFile(filepath.Join("..", "docs", "protocol.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	section := func(from, to string) string {
		_, s, _ := strings.Cut(text, from)
		s, _, _ = strings.Cut(s, to)
		return s
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_]+)`")
	// The codes a person can meet: the HTTP errors and the WebSocket ones.
	// Those that only a broken client gets fall back to err.other.
	skip := map[string]bool{"bad_request": true, "bad_message": true, "not_found": true, "method_not_allowed": true, "too_large": true,
		"internal": true, "out_of_bounds": true, "duplicate_move": true, "wrong_node": true, "wechat_refused": true, "wechat_unavailable": true,
		"invalid_level": true, "unknown_game": true, "too_many_connections": true, "not_finished": true, "already_started": true}
	for _, s := range []string{section("**Errors**", "Times are"), section("**`error`**", "## Close codes")} {
		for _, m := range row.FindAllStringSubmatch(s, -1) {
			if _, ok := en["err."+m[1]]; !ok && !skip[m[1]] {
				t.Errorf("no message for the error code %s", m[1])
			}
		}
	}
	for _, m := range regexp.MustCompile(`(?m)^\| (\d{4}) \|`).FindAllStringSubmatch(section("## Close codes", "## Limits"), -1) {
		if _, ok := en["close."+m[1]]; !ok {
			t.Errorf("no message for the close code %s", m[1])
		}
	}
	for _, k := range []string{"waiting", "playing", "finished", "closed"} {
		if _, ok := en["status."+k]; !ok {
			t.Errorf("no status.%s", k)
		}
	}
	for _, k := range []string{"all_gold", "decided", "forfeit", "closed"} {
		if _, ok := en["reason."+k]; !ok {
			t.Errorf("no reason.%s", k)
		}
	}
}
