package server

import (
	"net/netip"
	"strings"
	"testing"
)

// FuzzParsePrefix: a trusted proxy, as an operator writes it, parses to a
// prefix or an error, never a panic; an address parses to itself alone.
func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "::ffff:10.0.0.1", "1.2.3.4/33", "", "/", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePrefix(s)
		if err != nil {
			return
		}
		if !p.IsValid() {
			t.Fatalf("%q: an invalid prefix without an error", s)
		}
		if !strings.Contains(s, "/") {
			a, _ := netip.ParseAddr(s)
			if a = a.Unmap().WithZone(""); !p.Contains(a) || p.Bits() != a.BitLen() {
				t.Fatalf("%q parsed to %v", s, p)
			}
		}
	})
}
