// Package clientauth signs an org's clients in to the client portal and
// decides what a signed-in client may see. A client proves they hold an
// email address on file (a contact's or the plan manager's) by opening a
// single-use link mailed to it; the link makes a session bound to the org,
// the email and the clients that carried it at sign-in.
//
// Secrets (in links and session cookies) are 256 random bits, kept only as
// their SHA-256 hashes, so a copy of the table cannot be turned back into
// working links or sessions.
package clientauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/carebill/carebill/internal/client"
)

// Expected outcomes callers act on. Each covers every way of failing, so
// a guesser learns nothing from which one they got.
var (
	// ErrInvalidLink is a sign-in link that is malformed, unknown, used,
	// expired or another org's.
	ErrInvalidLink = errors.New("this sign-in link is not valid; it may have expired or been used already")
	// ErrNoSession is a missing, unknown, expired or signed-out session.
	ErrNoSession = errors.New("please sign in again")
	// ErrBadEmail is a sign-in request whose email is not an address.
	ErrBadEmail = errors.New("enter an email address such as name@example.com")
	// ErrThrottled is a sign-in request beyond a limit (per email, per
	// source address or per org); the client is told the same as for any
	// other request.
	ErrThrottled = errors.New("too many sign-in links requested")
	// ErrNotFound is an invoice the session may not see: another client's,
	// a draft, another org's or none at all.
	ErrNotFound = errors.New("invoice not found")
)

// Lifetimes and limits.
const (
	LinkTTL    = 15 * time.Minute
	SessionTTL = 12 * time.Hour
	// MaxLinksPerWindow bounds the sign-in emails one address is sent per
	// LinkTTL, so the form cannot be used to flood someone's inbox.
	MaxLinksPerWindow = 5
	// MaxRequestsPerSource bounds the sign-in requests, for any email,
	// from one network address per LinkTTL: a script cannot probe or
	// flood through the form.
	MaxRequestsPerSource = 20
	// MaxRequestsPerOrg bounds one org's sign-in requests per LinkTTL,
	// whoever sends them.
	MaxRequestsPerOrg = 500
)

// secretLen is the length of 32 random bytes in unpadded base64url.
const secretLen = 43

// NewSecret returns a fresh secret for a URL or cookie, and its hash, the
// only form in which it is stored.
func NewSecret() (secret, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error()) // documented never to fail on Linux
	}
	secret = base64.RawURLEncoding.EncodeToString(b[:])
	return secret, hashOf(secret)
}

// Hash checks that secret has the form NewSecret gives and returns its hash.
func Hash(secret string) (string, bool) {
	if len(secret) != secretLen {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", false
	}
	return hashOf(secret), true
}

func hashOf(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Link is a stored sign-in link.
type Link struct {
	OrgID     string
	Hash      string
	Email     string   // normalized (NormalizeEmail)
	ClientIDs []string // the clients the email belonged to when the link was made
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Session is a signed-in client's stored session.
type Session struct {
	OrgID     string
	Hash      string
	Email     string
	ClientIDs []string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Allows reports whether the session may see the client's invoices.
func (s Session) Allows(clientID string) bool {
	return slices.Contains(s.ClientIDs, clientID)
}

// NormalizeEmail trims and lower-cases an address and checks it is one
// plain address; the portal matches emails case-insensitively.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 {
		return "", ErrBadEmail
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", ErrBadEmail
	}
	return s, nil
}

// Holds reports whether email (normalized) is one of the client's contact
// emails or, for a plan-managed participant, the plan manager's.
func Holds(c *client.Client, email string) bool {
	for _, ct := range c.Profile.Contacts {
		if ct.Email != "" && strings.EqualFold(strings.TrimSpace(ct.Email), email) {
			return true
		}
	}
	pm := c.Profile.Funding.PlanManager
	return pm != nil && strings.EqualFold(strings.TrimSpace(pm.Email), email)
}
