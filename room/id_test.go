package room

import (
	"math"
	"strings"
	"testing"
)

// TestPrivateIDEntropy checks that a private room's id carries at least 64
// random bits: its length times 5 bits, each symbol drawn evenly from the
// alphabet at every position.
func TestPrivateIDEntropy(t *testing.T) {
	if bits := float64(PrivateIDLength) * math.Log2(float64(len(idAlphabet))); bits < 64 {
		t.Fatalf("a private id has %v bits, want >= 64", bits)
	}
	const n = 32 * 200
	var counts [PrivateIDLength][256]int
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		id := newRoomID(true)
		if len(id) != PrivateIDLength {
			t.Fatalf("private id %q has %d symbols, want %d", id, len(id), PrivateIDLength)
		}
		if norm, ok := NormalizeID(strings.ToLower(id)); !ok || norm != id {
			t.Fatalf("NormalizeID(%q) = %q, %v", id, norm, ok)
		}
		if seen[id] {
			t.Fatalf("id %q drawn twice in %d", id, i)
		}
		seen[id] = true
		for p := 0; p < len(id); p++ {
			counts[p][id[p]]++
		}
	}
	// Each position: every symbol, about n/32 = 200 times each. A chi-square
	// over 31 degrees of freedom passes 90 but for one time in ten million;
	// a position that used only half the alphabet would score about 6,400.
	for p := range counts {
		chi := 0.0
		for _, c := range idAlphabet {
			d := float64(counts[p][c]) - n/32
			chi += d * d / (n / 32)
		}
		if chi > 90 {
			t.Fatalf("position %d: chi-square %.1f over the alphabet, want <= 90: %v", p, chi, counts[p])
		}
	}
	if id := newRoomID(false); len(id) != IDLength {
		t.Fatalf("public id %q, want %d symbols", id, IDLength)
	}
}
