package room

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// escapeAll spells every character of s as \uXXXX, surrogate pairs and all:
// the same string to a JSON decoder, other text to a byte comparison.
func escapeAll(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04x`, u)
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzMoveKey checks that two move ids share a key exactly when a JSON
// client decodes them to the same value, however each is spelt.
func FuzzMoveKey(f *testing.F) {
	for _, p := range [][2]string{
		{`"dup1"`, `"\u0064up1"`}, {`"dup1"`, `"dup2"`}, {`7`, `7.0`}, {`7`, `7e0`}, {`7`, `"7"`},
		{`-0`, `0`}, {`1e999`, `2e999`}, {`"\ud83d\ude00"`, `"😀"`}, {`null`, `"null"`}, {`"a\/b"`, `"a/b"`},
	} {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := moveKey(0, json.RawMessage(a)), moveKey(0, json.RawMessage(b))
		var va, vb any
		if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
			return // not both JSON (1e999 is refused by encoding/json)
		}
		switch va.(type) {
		case string, float64:
		case nil:
			if ka != "" {
				t.Fatalf("null id %q has key %q", a, ka)
			}
			return
		default:
			return
		}
		if (ka == kb) != (va == vb) {
			t.Fatalf("%s decodes to %#v, %s to %#v: keys %q and %q", a, va, b, vb, ka, kb)
		}
	})
}

// FuzzMoveKeySpellings checks that a string spelt plainly and spelt as
// escapes, and a number in its forms, each give one key.
func FuzzMoveKeySpellings(f *testing.F) {
	f.Add("dup1", 7.0)
	f.Add("金矿😀", -0.5)
	f.Add("", 1e300)
	f.Fuzz(func(t *testing.T, s string, n float64) {
		plain, _ := json.Marshal(s)
		if k1, k2 := moveKey(1, plain), moveKey(1, json.RawMessage(escapeAll(s))); k1 != k2 {
			t.Fatalf("%s and %s: keys %q and %q", plain, escapeAll(s), k1, k2)
		}
		if n != n || n > 1e308 || n < -1e308 {
			return // NaN and infinities are not JSON
		}
		var keys []string
		for _, form := range []byte{'g', 'e', 'f', 'E'} {
			keys = append(keys, moveKey(1, json.RawMessage(strconv.FormatFloat(n, form, -1, 64))))
		}
		for _, k := range keys[1:] {
			if k != keys[0] {
				t.Fatalf("%v: keys %q", n, keys)
			}
		}
		if moveKey(0, plain) == moveKey(1, plain) {
			t.Fatalf("seats 0 and 1 share the key of %s", plain)
		}
	})
}
