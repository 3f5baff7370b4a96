// Package id makes carebill's public identifiers: a type prefix such as
// "inv_" and 26 characters of Crockford base32, of which the first 10 encode
// the creation time in milliseconds, so ids sort by creation, and the other
// 16 are 80 random bits.
package id

import (
	"crypto/rand"
	"strings"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// Prefixes of each kind of id.
const (
	Org       = "org"
	Client    = "cli"
	Contact   = "con"
	Invoice   = "inv"
	Payment   = "pay"
	Credit    = "crn"
	Request   = "req"
	Delivery  = "dlv"
	Statement = "stm"
)

// New returns a fresh id such as "inv_01jd5v0g8m3x2c9h7t4r6y1kzq".
func New(prefix string, now time.Time) string {
	var b [26]byte
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = alphabet[ms&31]
		ms >>= 5
	}
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // documented never to fail on Linux
	}
	for i := range 16 {
		b[10+i] = alphabet[r[i]&31]
	}
	return prefix + "_" + string(b[:])
}

// Valid reports whether s looks like an id of the given prefix; handlers
// use it to answer 404 before touching storage.
func Valid(prefix, s string) bool {
	rest, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(rest) != 26 {
		return false
	}
	for i := range len(rest) {
		if strings.IndexByte(alphabet, rest[i]) < 0 {
			return false
		}
	}
	return true
}

// Floor is the smallest id of the given prefix that New could return at
// t or later: ids sort by creation time, so a key range from Floor(t)
// holds every id created since t.
func Floor(prefix string, t time.Time) string {
	var b [26]byte
	ms := uint64(t.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[i] = alphabet[ms&31]
		ms >>= 5
	}
	for i := 10; i < 26; i++ {
		b[i] = alphabet[0]
	}
	return prefix + "_" + string(b[:])
}
