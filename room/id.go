package room

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// idAlphabet has no 0/O or 1/I, so that a room id read aloud or copied by
// hand cannot be mistyped between look-alikes. 32 symbols: 5 bits each.
const idAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// IDLength is the length of a public room's id: 30 bits, about a billion
// ids, short enough to read out. Public rooms are listed, so their ids are
// no secret.
const IDLength = 6

// PrivateIDLength is the length of a private room's id: 80 bits. A private
// room is joined by its id alone, so the id is its only secret, and must
// not be found by guessing: with a million private rooms live, a million
// guesses a second would take 2^80/2^20/2^20 s, about 35,000 years, to hit
// one of them.
const PrivateIDLength = 16

// newRoomID returns a random id, of PrivateIDLength symbols for a private
// room and IDLength for a public one.
func newRoomID(private bool) string {
	n := IDLength
	if private {
		n = PrivateIDLength
	}
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// NormalizeID upper-cases a room id as typed by a person, and reports
// whether it can be an id at all: IDLength or PrivateIDLength symbols of
// the alphabet.
func NormalizeID(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != IDLength && len(s) != PrivateIDLength {
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
