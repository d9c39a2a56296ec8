package admin

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/goldmine-game/goldmine/internal/acceptlang"
)

// The console speaks English and Chinese: every word it shows is in one
// catalogue per language (i18n/en.json, i18n/zh.json), looked up by key.
// Templates say {{t "key" args...}} for text and {{th "key" args...}} for
// a catalogue entry that holds markup (<code>…</code>); Go code says
// a.tr(c, "key", args...). Arguments fill {0}, {1}… in order, so that
// each language puts them where its grammar wants them.

//go:embed i18n/*.json
var i18nFS embed.FS

// consoleLangs are the console's languages, the first the default.
var consoleLangs = []string{"en", "zh"}

// langCookie remembers the language the admin switched to: the console is
// rendered on the server, so the choice has to travel with each request.
const langCookie = "goldmine_admin_lang"

// catalogue is one language's strings by key.
type catalogue map[string]string

// catalogues are every language's catalogue.
type catalogues map[string]catalogue

// loadCatalogues reads the embedded catalogues and refuses a set whose
// languages do not hold the same keys: a missing string is a defect the
// server should not start with.
func loadCatalogues() (catalogues, error) {
	cs := catalogues{}
	for _, l := range consoleLangs {
		b, err := i18nFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, fmt.Errorf("admin: catalogue %s: %w", l, err)
		}
		var cat catalogue
		if err := json.Unmarshal(b, &cat); err != nil {
			return nil, fmt.Errorf("admin: catalogue %s: %w", l, err)
		}
		cs[l] = cat
	}
	for _, l := range consoleLangs[1:] {
		if d := keyDiff(cs[consoleLangs[0]], cs[l]); d != "" {
			return nil, fmt.Errorf("admin: catalogues %s and %s differ: %s", consoleLangs[0], l, d)
		}
	}
	return cs, nil
}

// keyDiff names the keys one catalogue has and the other lacks, or "".
func keyDiff(a, b catalogue) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[k]; !ok {
			out = append(out, "missing "+k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			out = append(out, "extra "+k)
		}
	}
	return strings.Join(out, ", ")
}

// placeholder is {0}, {1}… in a catalogue string.
var placeholder = regexp.MustCompile(`\{(\d)\}`)

// text is key's string in lang with args filled in; the key itself when
// no catalogue has it (the template check keeps that from happening).
func (cs catalogues) text(lang, key string, args ...any) string {
	return cs.fill(lang, key, func(v any) string { return fmt.Sprint(v) }, args)
}

// html is key's string as markup, with args escaped: for the catalogue
// entries that hold <code> and such. The catalogues are ours, embedded.
func (cs catalogues) html(lang, key string, args ...any) template.HTML {
	return template.HTML(cs.fill(lang, key, func(v any) string { return template.HTMLEscapeString(fmt.Sprint(v)) }, args))
}

func (cs catalogues) fill(lang, key string, str func(any) string, args []any) string {
	s, ok := cs[lang][key]
	if !ok {
		if s, ok = cs[consoleLangs[0]][key]; !ok {
			return key
		}
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		i, _ := strconv.Atoi(m[1 : len(m)-1])
		if i < len(args) {
			return str(args[i])
		}
		return m
	})
}

// templateKey finds the keys templates look up: {{t "key" …}}, {{th "key" …}},
// also inside parentheses.
var templateKey = regexp.MustCompile(`[({]\s*-?\s*(?:t|th)\s+"([^"]+)"`)

// checkKeys fails on a template source that looks up a key the catalogue
// lacks.
func checkKeys(name, src string, cat catalogue) error {
	var unknown []string
	for _, m := range templateKey.FindAllStringSubmatch(src, -1) {
		if _, ok := cat[m[1]]; !ok {
			unknown = append(unknown, m[1])
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("admin: template %s uses unknown catalogue keys: %s", name, strings.Join(unknown, ", "))
	}
	return nil
}

// pickLang is the page's language: the remembered switch, else the
// browser's Accept-Language, else English.
func pickLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && slices.Contains(consoleLangs, ck.Value) {
		return ck.Value
	}
	return acceptLang(r.Header.Get("Accept-Language"))
}

// acceptLang picks the supported language with the highest q from an
// Accept-Language header, the first listed on a tie; only the primary
// subtag counts (zh-CN, zh-TW and zh-Hans are all "zh").
func acceptLang(header string) string {
	return acceptlang.Pick(header, consoleLangs)
}

// lang is the language of the request's page.
func (a *Admin) lang(c *gin.Context) string { return pickLang(c.Request) }

// tr is key's string in the request's language.
func (a *Admin) tr(c *gin.Context, key string, args ...any) string {
	return a.cats.text(a.lang(c), key, args...)
}

// switchLang remembers the language chosen with the console's switch and
// goes back to the page it was chosen on.
func (a *Admin) switchLang(c *gin.Context) {
	to := c.Query("to")
	if !slices.Contains(consoleLangs, to) {
		to = consoleLangs[0]
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: langCookie, Value: to, Path: a.path("/"), MaxAge: int((365 * 24 * time.Hour).Seconds()),
		SameSite: http.SameSiteLaxMode, HttpOnly: true, Secure: c.Request.TLS != nil})
	back := c.Query("back")
	// Only a page of the console: never another site (//host) or a script.
	if !strings.HasPrefix(back, a.path("/")) || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
		back = a.path("/")
	}
	c.Redirect(http.StatusSeeOther, back)
}

// cellWords are the board cells' titles in the request's language.
func (a *Admin) cellWords(c *gin.Context) func(key string, args ...any) string {
	lang := a.lang(c)
	return func(key string, args ...any) string { return a.cats.text(lang, key, args...) }
}
