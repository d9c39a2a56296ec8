// Package acceptlang reads an HTTP Accept-Language header, for the web
// client's pages and the admin console alike.
package acceptlang

import (
	"strconv"
	"strings"
)

// maxHeader bounds what Pick reads: real headers are short, and a hostile
// one is cut rather than parsed at length.
const maxHeader = 512

// Pick returns the language of supported with the highest q in header,
// the first listed on a tie, and supported[0] when none is acceptable.
// Only the primary subtag counts: zh-CN, zh-TW and zh-Hans are all "zh".
// supported must not be empty.
func Pick(header string, supported []string) string {
	best, bestQ := supported[0], 0.0
	if len(header) > maxHeader {
		header = header[:maxHeader]
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
		for _, l := range supported {
			if primary == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}
