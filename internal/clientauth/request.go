package clientauth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// SignInRequest is one asked-for sign-in email, stored by the portal's
// request and sent by the notifier off the deliveries queue. The request
// stores one whether or not the address is a client's, so the answer does
// the same work either way; only the notifier looks the address up.
type SignInRequest struct {
	OrgID string
	ID    string // 64 hex digits, random
	Email string // normalized (NormalizeEmail)
	// Base is the portal's public base URL (scheme and host) the link is
	// built under: PUBLIC_BASE_URL, never a request's Host.
	Base      string
	CreatedAt time.Time
	// ExpiresAt is when the request is no longer worth sending (the
	// table's TTL removes it some time after).
	ExpiresAt time.Time
	// LeaseUntil is when a notifier's claim on it runs out; zero when
	// unclaimed.
	LeaseUntil time.Time
}

// Errors of sending a sign-in request.
var (
	// ErrRequestGone is a request already handled, or expired: nothing
	// to do.
	ErrRequestGone = errors.New("sign-in request already handled or expired")
	// ErrRequestLeased is a request another notifier is sending now.
	ErrRequestLeased = errors.New("sign-in request is being sent by another worker")
)

// requestIDRE is the form of a sign-in request's id.
// Compiled on first use, not at every cold start.
var requestIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// ValidRequestID reports whether id has the form of a sign-in request's id.
func ValidRequestID(id string) bool { return requestIDRE().MatchString(id) }

// RequestTTL is how long an unsent sign-in request is worth sending: a
// link mailed later than this would surprise the person who asked.
const RequestTTL = LinkTTL

// SenderStore is the storage sending sign-in links needs (internal/dynamo
// implements it).
type SenderStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	clientLister
	CountSignInRequest(ctx context.Context, orgID, emailHash string, window time.Time, max int) error
	CreateSignInLink(ctx context.Context, l Link) error
	// ClaimSignInRequest leases a live request to the caller until
	// now+lease: ErrRequestGone when it is absent or expired,
	// ErrRequestLeased while another lease runs.
	ClaimSignInRequest(ctx context.Context, orgID, id string, now time.Time, lease time.Duration) (SignInRequest, error)
	// ReleaseSignInRequest ends the caller's lease so a retry may claim it.
	ReleaseSignInRequest(ctx context.Context, orgID, id string) error
	// DeleteSignInRequest removes a handled request; one already gone is
	// no error.
	DeleteSignInRequest(ctx context.Context, orgID, id string) error
}

// Mailer emails a sign-in link, valid for the given time, to a client.
type Mailer interface {
	SendSignInLink(ctx context.Context, to string, o *org.Org, url string, valid time.Duration) error
}

// LinkSender sends the sign-in emails the portal's requests ask for: the
// notifier's side of a sign-in. One request sends at most one email
// however often its message arrives (a lease, then the request deleted
// once handled).
type LinkSender struct {
	store  SenderStore
	mailer Mailer
	now    func() time.Time
	lease  time.Duration
}

// NewLinkSender builds the sender; lease is how long a claim keeps other
// workers off a request (the notifier's delivery lease).
func NewLinkSender(store SenderStore, mailer Mailer, now func() time.Time, lease time.Duration) (*LinkSender, error) {
	if store == nil || mailer == nil || now == nil || lease <= 0 {
		return nil, errors.New("clientauth: store, mailer, clock and a lease are required")
	}
	return &LinkSender{store: store, mailer: mailer, now: now, lease: lease}, nil
}

// Outcome is what handling a sign-in request did, for the log: never
// shown to the person who asked.
type Outcome string

// Outcomes.
const (
	Sent      Outcome = "sent"
	NotOnFile Outcome = "not_on_file" // no client holds the address
	Throttled Outcome = "throttled"   // too many links to the address in the window
	Gone      Outcome = "gone"        // handled before, or expired
)

// Send handles sign-in request id of orgID: if its address belongs to any
// of the org's clients (and has not had MaxLinksPerWindow links in the
// window), it stores a single-use link and emails it. A send that fails
// releases the request for a retry and returns the error; lastTry deletes
// it instead, so the queue's last receive gives up.
func (ls *LinkSender) Send(ctx context.Context, orgID, id string, lastTry bool) (_ Outcome, err error) {
	defer usecase.Name(&err, "send sign-in link %s", id)
	now := ls.now()
	req, err := ls.store.ClaimSignInRequest(ctx, orgID, id, now, ls.lease)
	if errors.Is(err, ErrRequestGone) {
		return Gone, nil
	}
	if err != nil {
		return "", fmt.Errorf("send sign-in link: %w", err)
	}
	out, err := ls.send(ctx, req, now)
	if err != nil && !lastTry {
		return "", errors.Join(err, ls.store.ReleaseSignInRequest(context.WithoutCancel(ctx), orgID, id))
	}
	if derr := ls.store.DeleteSignInRequest(context.WithoutCancel(ctx), orgID, id); derr != nil && err == nil {
		// Sent, but not marked handled: a retry may send a second link,
		// which is harmless (each works once).
		return out, fmt.Errorf("send sign-in link: %s, then: %w", out, derr)
	}
	return out, err
}

func (ls *LinkSender) send(ctx context.Context, req SignInRequest, now time.Time) (Outcome, error) {
	o, err := ls.store.GetOrg(ctx, req.OrgID)
	if err != nil {
		return "", fmt.Errorf("send sign-in link: %w", err)
	}
	clientIDs, err := clientsOf(ctx, ls.store, req.OrgID, req.Email)
	if err != nil {
		return "", err
	}
	if len(clientIDs) == 0 {
		return NotOnFile, nil
	}
	window := now.Truncate(LinkTTL)
	if err := ls.store.CountSignInRequest(ctx, req.OrgID, hashOf(req.Email), window, MaxLinksPerWindow); errors.Is(err, ErrThrottled) {
		return Throttled, nil
	} else if err != nil {
		return "", err
	}
	secret, hash := NewSecret()
	l := Link{OrgID: req.OrgID, Hash: hash, Email: req.Email, ClientIDs: clientIDs, CreatedAt: now, ExpiresAt: now.Add(LinkTTL)}
	if err := ls.store.CreateSignInLink(ctx, l); err != nil {
		return "", fmt.Errorf("sign-in link: %w", err)
	}
	url := strings.TrimRight(req.Base, "/") + "/portal/" + req.OrgID + "/auth/" + secret
	if err := ls.mailer.SendSignInLink(ctx, req.Email, o, url, LinkTTL); err != nil {
		return "", fmt.Errorf("send sign-in link: %w", err)
	}
	return Sent, nil
}
