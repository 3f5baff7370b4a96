package clientauth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// clientLister finds an org's clients by a search text.
type clientLister interface {
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
}

// Store is the storage the portal needs (internal/dynamo implements it).
type Store interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)

	// CountSignInRequest counts one more sign-in request under key
	// (a source's or the org's) in the window starting at window, failing
	// with ErrThrottled once max have been counted.
	CountSignInRequest(ctx context.Context, orgID, key string, window time.Time, max int) error
	// CreateSignInRequest stores a sign-in request for the notifier.
	CreateSignInRequest(ctx context.Context, r SignInRequest) error
	// ConsumeSignInLink deletes a link that is live at now and returns it;
	// anything else (unknown, used, expired) is ErrInvalidLink. Of two
	// concurrent uses, one wins.
	ConsumeSignInLink(ctx context.Context, orgID, hash string, now time.Time) (Link, error)
	CreatePortalSession(ctx context.Context, s Session) error
	PortalSession(ctx context.Context, orgID, hash string) (Session, error)
	DeletePortalSession(ctx context.Context, orgID, hash string) error
}

// Queue hands a sign-in request to the notifier (internal/queue: the
// deliveries queue).
type Queue interface {
	EnqueueSignIn(ctx context.Context, orgID, requestID string) error
}

// RenderPDF renders one of an org's invoices as the client receives it
// (documents.Renderer's InvoicePDF).
type RenderPDF func(ctx context.Context, orgID, invoiceID string) ([]byte, *invoice.Invoice, error)

// Service runs the portal's use cases.
type Service struct {
	store  Store
	queue  Queue
	render RenderPDF
	now    func() time.Time
}

// New builds the service; now is the clock links and sessions expire by.
func New(store Store, queue Queue, render RenderPDF, now func() time.Time) (*Service, error) {
	if store == nil || queue == nil || render == nil || now == nil {
		return nil, errors.New("clientauth: store, queue, PDF renderer and clock are required")
	}
	return &Service{store: store, queue: queue, render: render, now: now}, nil
}

// Org returns the org whose portal this is; an id that is not an org's is
// org.ErrNotFound.
func (s *Service) Org(ctx context.Context, orgID string) (_ *org.Org, err error) {
	defer usecase.Name(&err, "portal org")
	if !id.Valid(id.Org, orgID) {
		return nil, fmt.Errorf("portal of %q: %w", orgID, org.ErrNotFound)
	}
	return s.store.GetOrg(ctx, orgID)
}

// maxClientPages bounds how far one sign-in request searches an org's
// client list (each page is itself a bounded filtered query).
const maxClientPages = 20

// RequestLink asks the notifier to mail a sign-in link under base (the
// portal's public base URL) to email, if it belongs to any of the org's
// clients. The request never looks the address up itself: it counts the
// request against its source's and its org's limits, stores it and
// queues it, the same work and the same answer (nil) for an address on
// file and one not, so neither the answer nor its timing tells them
// apart. Only a malformed address (ErrBadEmail) and too many requests
// (ErrThrottled, per source or per org; the caller must not reveal it
// either) differ; the per-address limit is the notifier's (LinkSender).
func (s *Service) RequestLink(ctx context.Context, orgID, email, source, base string) (err error) {
	defer usecase.Name(&err, "request sign-in link")
	email, err = NormalizeEmail(email)
	if err != nil {
		return err
	}
	if _, err := s.Org(ctx, orgID); err != nil {
		return err
	}
	now := s.now()
	window := now.Truncate(LinkTTL)
	if err := s.store.CountSignInRequest(ctx, orgID, "source#"+hashOf(source), window, MaxRequestsPerSource); err != nil {
		return err
	}
	if err := s.store.CountSignInRequest(ctx, orgID, "org", window, MaxRequestsPerOrg); err != nil {
		return err
	}
	_, requestID := NewSecret()
	req := SignInRequest{OrgID: orgID, ID: requestID, Email: email, Base: base, CreatedAt: now, ExpiresAt: now.Add(RequestTTL)}
	if err := s.store.CreateSignInRequest(ctx, req); err != nil {
		return fmt.Errorf("request sign-in link: %w", err)
	}
	if err := s.queue.EnqueueSignIn(ctx, orgID, requestID); err != nil {
		return fmt.Errorf("request sign-in link: %w", err)
	}
	return nil
}

// clientsOf finds the clients holding email: the org's client-list search
// (which matches contact and plan manager emails as substrings) narrowed
// to exact matches.
func clientsOf(ctx context.Context, store clientLister, orgID, email string) ([]string, error) {
	var ids []string
	cursor := ""
	for range maxClientPages {
		list, next, err := store.ListClients(ctx, orgID, email, 200, cursor)
		if err != nil {
			return nil, fmt.Errorf("find clients by email: %w", err)
		}
		for _, c := range list {
			if Holds(c, email) {
				ids = append(ids, c.ID)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return ids, nil
}

// Redeem uses a sign-in link, once, and starts a session; it returns the
// session and the secret for its cookie. Links that are malformed,
// unknown, used, expired or another org's are all ErrInvalidLink.
func (s *Service) Redeem(ctx context.Context, orgID, secret string) (_ Session, _ string, err error) {
	defer usecase.Name(&err, "redeem sign-in link")
	hash, ok := Hash(secret)
	if !ok || !id.Valid(id.Org, orgID) {
		return Session{}, "", ErrInvalidLink
	}
	now := s.now()
	l, err := s.store.ConsumeSignInLink(ctx, orgID, hash, now)
	if err != nil {
		return Session{}, "", err
	}
	cookie, shash := NewSecret()
	sess := Session{OrgID: orgID, Hash: shash, Email: l.Email, ClientIDs: l.ClientIDs, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := s.store.CreatePortalSession(ctx, sess); err != nil {
		return Session{}, "", fmt.Errorf("start portal session: %w", err)
	}
	return sess, cookie, nil
}

// Session finds the live session whose cookie holds secret, narrowed to
// the clients whose contacts (or plan manager) still include its email:
// access is re-checked on every request, so removing an address from a
// client ends that client's visibility at once. A session left with no
// client is ErrNoSession.
func (s *Service) Session(ctx context.Context, orgID, secret string) (_ Session, err error) {
	defer usecase.Name(&err, "portal session")
	hash, ok := Hash(secret)
	if !ok || !id.Valid(id.Org, orgID) {
		return Session{}, ErrNoSession
	}
	sess, err := s.store.PortalSession(ctx, orgID, hash)
	if err != nil {
		return Session{}, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	current := sess.ClientIDs[:0:0]
	for _, cid := range sess.ClientIDs {
		c, err := s.store.GetClient(ctx, orgID, cid)
		if errors.Is(err, client.ErrNotFound) {
			continue
		}
		if err != nil {
			return Session{}, fmt.Errorf("portal session: %w", err)
		}
		if Holds(c, sess.Email) {
			current = append(current, cid)
		}
	}
	if len(current) == 0 {
		return Session{}, ErrNoSession
	}
	sess.ClientIDs = current
	return sess, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, sess Session) (err error) {
	defer usecase.Name(&err, "portal sign out")
	return s.store.DeletePortalSession(ctx, sess.OrgID, sess.Hash)
}

// InvoiceView is an invoice as a client sees it today.
type InvoiceView struct {
	*invoice.Invoice
	Overdue bool
}

// Account is one client's finalized invoices, newest first.
type Account struct {
	ClientID   string
	ClientName string
	Invoices   []InvoiceView
}

// maxInvoicePages bounds how many pages of one client's invoices a portal
// page reads (200 invoices each).
const maxInvoicePages = 5

// Invoices lists the finalized invoices (open, paid, void) of each client
// the session belongs to, with the org they are from.
func (s *Service) Invoices(ctx context.Context, sess Session) (_ *org.Org, _ []Account, err error) {
	defer usecase.Name(&err, "portal invoices")
	o, err := s.store.GetOrg(ctx, sess.OrgID)
	if err != nil {
		return nil, nil, err
	}
	today := calendar.Today(s.now(), o.Location())
	accounts := make([]Account, 0, len(sess.ClientIDs))
	for _, cid := range sess.ClientIDs {
		a := Account{ClientID: cid}
		cursor := ""
		for range maxInvoicePages {
			list, next, err := s.store.ListInvoices(ctx, sess.OrgID, invoice.ListFilter{ClientID: cid, Limit: 200, Cursor: cursor})
			if err != nil {
				return nil, nil, err
			}
			for _, inv := range list {
				if inv.Spec.ClientID != cid || inv.Status() == invoice.Draft {
					continue
				}
				a.ClientName = inv.ClientName
				a.Invoices = append(a.Invoices, InvoiceView{Invoice: inv, Overdue: inv.Overdue(today)})
			}
			if next == "" {
				break
			}
			cursor = next
		}
		accounts = append(accounts, a)
	}
	return o, accounts, nil
}

// InvoicePDF renders one of the session's own finalized invoices; any
// other id is ErrNotFound.
func (s *Service) InvoicePDF(ctx context.Context, sess Session, invoiceID string) (_ []byte, _ *invoice.Invoice, err error) {
	defer usecase.Name(&err, "portal invoice PDF %s", invoiceID)
	if !id.Valid(id.Invoice, invoiceID) {
		return nil, nil, ErrNotFound
	}
	inv, err := s.store.GetInvoice(ctx, sess.OrgID, invoiceID)
	if errors.Is(err, invoice.ErrNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if !sess.Allows(inv.Spec.ClientID) || inv.Status() == invoice.Draft {
		return nil, nil, ErrNotFound
	}
	return s.render(ctx, sess.OrgID, invoiceID)
}
