package room

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// moveKey is the key a seat's move id is remembered by: "seat:" and the id's
// value as a client decodes it, not its JSON text. "\u0064up1" is "dup1" to
// every client, and 7.0 is 7, so each pair must be one id. It returns "" for
// no id (empty or null).
func moveKey(seat int, id json.RawMessage) string {
	v, ok := moveIDValue(id)
	if !ok {
		return ""
	}
	return strconv.Itoa(seat) + ":" + v
}

// moveIDValue canonicalises a move id: "s" and the decoded string, or "n"
// and the number as a float64 in its shortest form (what a JavaScript
// client holds: two numbers it cannot tell apart are one id). Text that
// does not decode is kept as it is, with its own prefix, so that it still
// matches only itself.
func moveIDValue(id json.RawMessage) (string, bool) {
	id = bytes.TrimSpace(id)
	if len(id) == 0 || string(id) == "null" {
		return "", false
	}
	var s string
	if id[0] == '"' {
		if json.Unmarshal(id, &s) == nil {
			return "s" + s, true
		}
	} else if f, err := strconv.ParseFloat(string(id), 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// Out of range, ParseFloat gives ±Inf (or 0) as a JSON client
		// decodes it; -0 is 0 to that client as well.
		if f == 0 {
			f = 0
		}
		return "n" + strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return "r" + string(id), true
}
