package server

import (
	"strconv"
	"strings"
)

// clientLangs are the languages of the web client, the first the default.
var clientLangs = []string{"en", "zh"}

// preferredLang picks the web client's language from an Accept-Language
// header: the supported language with the highest q, the first listed on
// a tie, English when none is acceptable. Only the primary subtag counts
// (zh-CN, zh-TW and zh-Hans are all "zh": the client has one Chinese).
// The page's own switch, remembered by the browser, overrides it.
func preferredLang(header string) string {
	best, bestQ := clientLangs[0], 0.0
	// Headers are short; a hostile one is cut rather than parsed at length.
	if len(header) > 512 {
		header = header[:512]
	}
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		for _, l := range clientLangs {
			if primary == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// htmlLang is the lang attribute of a page in the client's language.
func htmlLang(l string) string {
	if l == "zh" {
		return "zh-CN"
	}
	return l
}
