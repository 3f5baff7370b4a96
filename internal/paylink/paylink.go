// Package paylink makes the links a client opens to see and pay an invoice.
// A link is "<org id>.<secret>": the secret is 256 random bits, kept only as
// its SHA-256 hash, so a stolen table cannot be turned back into links; the
// org id keeps every lookup inside the org's own partition.
package paylink

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// ErrInvalid is returned for a link that is malformed, unknown, revoked or
// for another invoice. Callers show one page for all of these, so a guesser
// learns nothing.
var ErrInvalid = errors.New("this link is not valid")

// secretLen is the length of 32 random bytes in unpadded base64url.
const secretLen = 43

// Link is a stored pay link: the hash of its secret and what it opens,
// one invoice (InvoiceID) or everything a client has open (ClientID, a
// "pay all" link); exactly one of the two is set.
type Link struct {
	OrgID     string
	Hash      string
	InvoiceID string
	ClientID  string
	CreatedAt time.Time
}

// New makes a fresh link for an invoice and returns it with the token to
// put in the URL. The token is never stored.
func New(orgID, invoiceID string, now time.Time) (Link, string) {
	l, token := newLink(orgID, now)
	l.InvoiceID = invoiceID
	return l, token
}

// NewPayAll makes a fresh "pay all" link for everything a client has
// open, and returns it with the token to put in the URL (PayAllURL).
func NewPayAll(orgID, clientID string, now time.Time) (Link, string) {
	l, token := newLink(orgID, now)
	l.ClientID = clientID
	return l, token
}

func newLink(orgID string, now time.Time) (Link, string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // documented never to fail on Linux
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	return Link{OrgID: orgID, Hash: hash(secret), CreatedAt: now}, orgID + "." + secret
}

// Parse splits a token into the org it belongs to and its secret's hash.
func Parse(token string) (orgID, secretHash string, err error) {
	org, secret, ok := strings.Cut(token, ".")
	if !ok || len(secret) != secretLen || !validOrg(org) {
		return "", "", ErrInvalid
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", "", ErrInvalid
	}
	return org, hash(secret), nil
}

func hash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func validOrg(s string) bool {
	if len(s) < 5 || len(s) > 40 || !strings.HasPrefix(s, "org_") {
		return false
	}
	for _, r := range s[4:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// URL is the pay page address for token under base (scheme and host).
func URL(base, token string) string {
	return strings.TrimRight(base, "/") + "/pay/" + token
}

// PayAllURL is the pay-all page address for token under base.
func PayAllURL(base, token string) string {
	return strings.TrimRight(base, "/") + "/pay-all/" + token
}
