package server

import "github.com/goldmine-game/goldmine/internal/acceptlang"

// clientLangs are the languages of the web client, the first the default.
var clientLangs = []string{"en", "zh"}

// preferredLang picks the web client's language from an Accept-Language
// header: the supported language with the highest q, the first listed on
// a tie, English when none is acceptable. Only the primary subtag counts
// (zh-CN, zh-TW and zh-Hans are all "zh": the client has one Chinese).
// The page's own switch, remembered by the browser, overrides it.
func preferredLang(header string) string {
	return acceptlang.Pick(header, clientLangs)
}

// htmlLang is the lang attribute of a page in the client's language.
func htmlLang(l string) string {
	if l == "zh" {
		return "zh-CN"
	}
	return l
}
