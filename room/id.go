package room

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// idAlphabet has no 0/O or 1/I, so that a room id read aloud or copied by
// hand cannot be mistyped between look-alikes. 32 symbols, 6 of them: about
// a billion ids.
const idAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// IDLength is the length of a room id.
const IDLength = 6

func newRoomID() string {
	var b [IDLength]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b[:])
}

// NormalizeID upper-cases a room id as typed by a person, and reports
// whether it can be an id at all.
func NormalizeID(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != IDLength {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(idAlphabet, s[i]) < 0 {
			return "", false
		}
	}
	return s, true
}

func newSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// newSalt returns 128 random bits in hex: enough that nobody can search the
// layouts behind a commitment before the game ends.
func newSalt() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
