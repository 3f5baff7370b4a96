// Package memstore is an in-memory implementation of the storage the
// billing use cases declare (billing.Store and billing.ReversalStore, plus
// the ledger reads an admin's verify needs), for fast domain tests: the
// randomized ledger test runs thousands of sequences against it. It keeps
// the DynamoDB adapter's rules, not its keys: every change is read, handed
// to the use case's closure, then committed whole or not at all, posting
// the same ledger entries (ledger.Diff, ledger.Received, ledger.Post) to
// the client's account, refusing money in another currency, numbering
// invoices, receipts and credit notes gaplessly. internal/storecontract
// holds the contract tests it passes with the adapter.
//
// Concurrency is optimistic and coarse: a change records the store's
// generation when it reads and commits only if no other change committed
// meanwhile, else it reads again (at most maxAttempts times). It is not
// the production store: nothing is durable, and lists are ordered and
// paged in memory.
package memstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/credit"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/paylink"
	"github.com/carebill/carebill/internal/payment"
)

// maxAttempts bounds the re-reads of one change that keeps losing races.
const maxAttempts = 20

// Store holds one process's orgs, clients, invoices, payments, credit
// notes, pay links, activity and ledgers.
type Store struct {
	mu       sync.Mutex
	gen      int64 // bumped by every committed change
	orgs     map[string]*org.Org
	zones    map[string]*time.Location // each org's, read when it is stored
	clients  map[string]*client.Client // by org/id
	invoices map[string]*invoice.Invoice
	payments map[string]*payment.Payment
	notes    map[string]*credit.Note
	intents  map[string]string // org/intent → payment id
	counters map[string]int64  // org/series → last number
	links    map[string]paylink.Link
	events   []activity.Event
	ledgers  map[string][]ledger.Entry // org/client → entries in sequence order

	// externalNumbers are the synced invoices' numbers taken, by org and
	// upper-cased number, to the invoice holding each.
	externalNumbers map[string]string
}

// New returns an empty store.
func New() *Store {
	return &Store{
		orgs: map[string]*org.Org{}, zones: map[string]*time.Location{}, clients: map[string]*client.Client{}, invoices: map[string]*invoice.Invoice{}, externalNumbers: map[string]string{},
		payments: map[string]*payment.Payment{}, notes: map[string]*credit.Note{}, intents: map[string]string{},
		counters: map[string]int64{}, links: map[string]paylink.Link{}, ledgers: map[string][]ledger.Entry{},
	}
}

func k(orgID, id string) string { return orgID + "/" + id }

// ----- copies: nothing stored is ever shared with a caller

func cloneOrg(o *org.Org) *org.Org {
	c := *o
	c.Settings.Cycles = slices.Clone(o.Settings.Cycles)
	return &c
}

func cloneClient(c *client.Client) *client.Client {
	out := *c
	out.Profile.Contacts = slices.Clone(c.Profile.Contacts)
	if p := c.Profile.PaymentTermsDays; p != nil {
		v := *p
		out.Profile.PaymentTermsDays = &v
	}
	if p := c.Profile.TaxRate; p != nil {
		v := *p
		out.Profile.TaxRate = &v
	}
	if p := c.Profile.Funding.PlanManager; p != nil {
		v := *p
		out.Profile.Funding.PlanManager = &v
	}
	out.Account.Balances = maps.Clone(c.Account.Balances)
	out.Reopened = slices.Clone(c.Reopened)
	return &out
}

func cloneInvoice(inv *invoice.Invoice) *invoice.Invoice {
	out := *inv
	out.Spec.Lines = slices.Clone(inv.Spec.Lines)
	out.Spec.Fees = slices.Clone(inv.Spec.Fees)
	return &out
}

func clonePayment(p *payment.Payment) *payment.Payment {
	out := *p
	out.Input.Allocations = slices.Clone(p.Input.Allocations)
	out.Allocations = slices.Clone(p.Allocations)
	out.Refunds = slices.Clone(p.Refunds)
	out.ReversedAllocations = slices.Clone(p.ReversedAllocations)
	return &out
}

func cloneNote(n *credit.Note) *credit.Note { out := *n; return &out }

// ----- commits

// snapshot is what a change read, and the generation it read at.
type snapshot struct{ gen int64 }

func (s *Store) read() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return snapshot{gen: s.gen}
}

// commit runs apply under the lock if nothing committed since snap, and
// reports whether it did.
func (s *Store) commit(snap snapshot, apply func() error) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != snap.gen {
		return false, nil
	}
	if err := apply(); err != nil {
		return true, err
	}
	s.gen++
	return true, nil
}

// post numbers entries after the client's last, fixes the client's
// currency on its first movement and refuses any other
// (ledger.ErrCurrencyMismatch), and updates c's account and balances, as
// the DynamoDB adapter's postWrites does. c is the caller's copy.
func (s *Store) post(c *client.Client, entries []ledger.Entry, now time.Time) ([]ledger.Entry, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	cur := c.Profile.Currency
	if cur.IsZero() {
		cur = entries[0].Currency
	}
	for _, e := range entries {
		if err := ledger.CheckCurrency(cur, e.Currency, string(e.Kind)); err != nil {
			return nil, err
		}
	}
	acct := c.Account
	acct.Balances = maps.Clone(c.Account.Balances)
	if acct.Balances == nil {
		acct.Balances = map[money.Currency]ledger.Balances{}
	}
	s.mu.Lock()
	loc, ok := s.zones[c.OrgID]
	s.mu.Unlock()
	if !ok {
		loc = time.UTC
	}
	posted := slices.Clone(entries)
	if err := ledger.Post(&acct, posted, calendar.Today(now, loc), now); err != nil {
		return nil, err
	}
	mine := acct.Balances[cur]
	c.Account, c.Profile.Currency = acct, cur
	c.Balance = client.Balance{Owing: mine.Owing, Credit: mine.Credit}
	return posted, nil
}

// checkAccount refuses a commit when the client's ledger moved since c
// was read (the adapter's condition on the ledger sequence).
func (s *Store) checkAccount(c *client.Client, readSeq int64) error {
	stored, ok := s.clients[k(c.OrgID, c.ID)]
	if !ok {
		return fmt.Errorf("client %s: %w", c.ID, client.ErrNotFound)
	}
	if stored.Account.Seq != readSeq {
		return errRace
	}
	return nil
}

// errRace is a commit that found its read out of date; the change reads again.
var errRace = errors.New("memstore: read out of date")

// keepClient stores c's account and balances (never its profile).
func (s *Store) keepClient(c *client.Client, posted []ledger.Entry) {
	stored := s.clients[k(c.OrgID, c.ID)]
	stored.Account, stored.Balance, stored.Profile.Currency = c.Account, c.Balance, c.Profile.Currency
	key := k(c.OrgID, c.ID)
	s.ledgers[key] = append(s.ledgers[key], posted...)
}

// retry runs one optimistic change until it commits.
func retry[T any](ctx context.Context, what string, conflict error, try func() (T, bool, error)) (T, error) {
	var zero T
	for range maxAttempts {
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		v, done, err := try()
		if errors.Is(err, errRace) {
			continue
		}
		if err != nil || done {
			return v, err
		}
	}
	return zero, fmt.Errorf("%s: %w", what, conflict)
}

// ----- orgs

// CreateOrg stores a new org at version 1.
func (s *Store) CreateOrg(_ context.Context, o *org.Org) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[o.ID]; ok {
		return fmt.Errorf("create org %s: %w", o.ID, org.ErrConflict)
	}
	o.Version = 1
	s.orgs[o.ID], s.zones[o.ID] = cloneOrg(o), o.Location()
	s.gen++
	return nil
}

// GetOrg reads an org.
func (s *Store) GetOrg(_ context.Context, id string) (*org.Org, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[id]
	if !ok {
		return nil, fmt.Errorf("get org %s: %w", id, org.ErrNotFound)
	}
	return cloneOrg(o), nil
}

// UpdateOrg applies change to an org and stores it, version bumped.
func (s *Store) UpdateOrg(ctx context.Context, id string, change func(*org.Org) error) (*org.Org, error) {
	return retry(ctx, "update org "+id, org.ErrConflict, func() (*org.Org, bool, error) {
		snap := s.read()
		o, err := s.GetOrg(ctx, id)
		if err != nil {
			return nil, true, err
		}
		if err := change(o); err != nil {
			return nil, true, err
		}
		done, err := s.commit(snap, func() error {
			o.Version++
			s.orgs[id], s.zones[id] = cloneOrg(o), o.Location()
			return nil
		})
		return o, done, err
	})
}

// DeleteOrg removes an org's profile.
func (s *Store) DeleteOrg(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.orgs, id)
	s.gen++
	return nil
}

// ----- clients

// CreateClient stores a new client with its events.
func (s *Store) CreateClient(_ context.Context, c *client.Client, events ...activity.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[k(c.OrgID, c.ID)]; ok {
		return fmt.Errorf("create client %s: %w", c.ID, client.ErrConflict)
	}
	c.Version = 1
	s.clients[k(c.OrgID, c.ID)] = cloneClient(c)
	s.events = append(s.events, events...)
	s.gen++
	return nil
}

// GetClient reads a client with its balances.
func (s *Store) GetClient(_ context.Context, orgID, id string) (*client.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[k(orgID, id)]
	if !ok {
		return nil, fmt.Errorf("get client %s: %w", id, client.ErrNotFound)
	}
	return cloneClient(c), nil
}

// UpdateClient applies change to a client's profile (balances untouched).
func (s *Store) UpdateClient(ctx context.Context, orgID, id string, change func(*client.Client) ([]activity.Event, error)) (*client.Client, error) {
	return retry(ctx, "update client "+id, client.ErrConflict, func() (*client.Client, bool, error) {
		snap := s.read()
		c, err := s.GetClient(ctx, orgID, id)
		if err != nil {
			return nil, true, err
		}
		events, err := change(c)
		if err != nil {
			return nil, true, err
		}
		done, err := s.commit(snap, func() error {
			stored := s.clients[k(orgID, id)]
			c.Version++
			c.Account, c.Balance = stored.Account, stored.Balance
			s.clients[k(orgID, id)] = cloneClient(c)
			s.events = append(s.events, events...)
			return nil
		})
		return c, done, err
	})
}

// ListClients lists clients by name; search matches the name, case folded.
func (s *Store) ListClients(_ context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error) {
	s.mu.Lock()
	var all []*client.Client
	for _, c := range s.clients {
		if c.OrgID == orgID && strings.Contains(strings.ToLower(c.Profile.Name), strings.ToLower(search)) {
			all = append(all, cloneClient(c))
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *client.Client) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Profile.Name), strings.ToLower(b.Profile.Name)), cmp.Compare(a.ID, b.ID))
	})
	return page(all, limit, cursor)
}

// page cuts one page of limit items after cursor (an offset).
func page[T any](all []T, limit int, cursor string) ([]T, string, error) {
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", fmt.Errorf("memstore: bad cursor %q", cursor)
		}
		from = n
	}
	if limit <= 0 {
		limit = 50
	}
	to := min(from+limit, len(all))
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return all[from:to], next, nil
}

// ----- invoices

// CreateInvoice stores a new draft with its events.
func (s *Store) CreateInvoice(_ context.Context, inv *invoice.Invoice, events ...activity.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.invoices[k(inv.OrgID, inv.ID)]; ok {
		return fmt.Errorf("create invoice %s: %w", inv.ID, invoice.ErrConflict)
	}
	if n := inv.ExternalNumber; n != "" {
		if _, taken := s.externalNumbers[k(inv.OrgID, strings.ToUpper(n))]; taken {
			return fmt.Errorf("create invoice %s: number %q: %w", inv.ID, n, invoice.ErrExternalNumberTaken)
		}
		s.externalNumbers[k(inv.OrgID, strings.ToUpper(n))] = inv.ID
	}
	inv.Version = 1
	s.invoices[k(inv.OrgID, inv.ID)] = cloneInvoice(inv)
	s.events = append(s.events, events...)
	s.gen++
	return nil
}

// ClientStatementID answers "": this store keeps no statements (cycles
// are closed only in DynamoDB), so no client has one to delete.
func (s *Store) ClientStatementID(context.Context, string, string, string) (string, error) {
	return "", nil
}

// GetInvoice reads an invoice.
func (s *Store) GetInvoice(_ context.Context, orgID, id string) (*invoice.Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, ok := s.invoices[k(orgID, id)]
	if !ok {
		return nil, fmt.Errorf("get invoice %s: %w", id, invoice.ErrNotFound)
	}
	return cloneInvoice(inv), nil
}

// changeInvoice is the shape of every invoice change: read the invoice
// (and its client), let change apply the domain change, post what it
// implies to the ledger, commit all of it.
func (s *Store) changeInvoice(ctx context.Context, orgID, id, what string,
	change func(c *client.Client, inv *invoice.Invoice) (doc ledger.Doc, extra []ledger.Entry, events []activity.Event, commit func(), err error)) (*invoice.Invoice, error) {
	return retry(ctx, what, invoice.ErrConflict, func() (*invoice.Invoice, bool, error) {
		snap := s.read()
		inv, err := s.GetInvoice(ctx, orgID, id)
		if err != nil {
			return nil, true, err
		}
		c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", what, err)
		}
		before, readSeq := *inv, c.Account.Seq
		doc, extra, events, then, err := change(c, inv)
		if err != nil {
			return nil, true, err
		}
		posted, err := s.post(c, append(ledger.Diff(&before, inv, doc), extra...), inv.UpdatedAt)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %w", what, err)
		}
		done, err := s.commit(snap, func() error {
			if err := s.checkAccount(c, readSeq); err != nil {
				return err
			}
			inv.Version++
			s.invoices[k(orgID, id)] = cloneInvoice(inv)
			s.keepClient(c, posted)
			s.events = append(s.events, events...)
			if then != nil {
				then()
			}
			return nil
		})
		return inv, done, err
	})
}

// UpdateInvoice applies change and stores the invoice with the ledger
// entries it implies (a void gives credit back) and its events.
func (s *Store) UpdateInvoice(ctx context.Context, orgID, id string, change func(*invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error) {
	return s.changeInvoice(ctx, orgID, id, "update invoice "+id, func(_ *client.Client, inv *invoice.Invoice) (ledger.Doc, []ledger.Entry, []activity.Event, func(), error) {
		events, err := change(inv)
		return ledger.Doc{}, nil, events, nil, err
	})
}

// DeleteInvoice deletes a draft after check approves it.
func (s *Store) DeleteInvoice(ctx context.Context, orgID, id string, check func(*invoice.Invoice) error) error {
	inv, err := s.GetInvoice(ctx, orgID, id)
	if err != nil {
		return err
	}
	if err := check(inv); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.invoices[k(orgID, id)]
	if !ok || stored.Version != inv.Version || stored.Status() != invoice.Draft {
		return fmt.Errorf("delete invoice %s: %w", id, invoice.ErrConflict)
	}
	delete(s.invoices, k(orgID, id))
	if n := stored.ExternalNumber; n != "" && s.externalNumbers[k(orgID, strings.ToUpper(n))] == id {
		delete(s.externalNumbers, k(orgID, strings.ToUpper(n)))
	}
	s.gen++
	return nil
}

// FinalizeInvoice numbers and opens a draft with the next invoice number
// and posts its ledger entries (finalized, credit applied).
func (s *Store) FinalizeInvoice(ctx context.Context, orgID, id string, finalize func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error)) (*invoice.Invoice, error) {
	return s.changeInvoice(ctx, orgID, id, "finalize invoice "+id, func(c *client.Client, inv *invoice.Invoice) (ledger.Doc, []ledger.Entry, []activity.Event, func(), error) {
		o, err := s.GetOrg(ctx, orgID)
		if err != nil {
			return ledger.Doc{}, nil, nil, nil, err
		}
		s.mu.Lock()
		last := s.counters[k(orgID, "invoice")]
		s.mu.Unlock()
		events, err := finalize(o, c, inv, last+1)
		if err != nil {
			return ledger.Doc{}, nil, nil, nil, err
		}
		return ledger.Doc{}, nil, events, func() {
			if inv.Seq == last+1 { // a re-issue under its old number takes none from the series
				s.counters[k(orgID, "invoice")] = last + 1
			}
		}, nil
	})
}

// ApplyClientCredit lets apply move client credit onto (or off) an open
// invoice, posting the entries with the client's balances.
func (s *Store) ApplyClientCredit(ctx context.Context, orgID, id string, apply func(*client.Client, *invoice.Invoice) ([]activity.Event, error)) (*invoice.Invoice, error) {
	return s.changeInvoice(ctx, orgID, id, "apply credit to "+id, func(c *client.Client, inv *invoice.Invoice) (ledger.Doc, []ledger.Entry, []activity.Event, func(), error) {
		events, err := apply(c, inv)
		return ledger.Doc{}, nil, events, nil, err
	})
}

// ListInvoices lists invoices newest first, of one client or status
// (overdue: open and due before Today) if asked, matching Search in the
// name, number or client name.
func (s *Store) ListInvoices(_ context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error) {
	s.mu.Lock()
	var all []*invoice.Invoice
	q := strings.ToLower(f.Search)
	for _, inv := range s.invoices {
		switch {
		case inv.OrgID != orgID, f.ClientID != "" && inv.Spec.ClientID != f.ClientID:
			continue
		case f.Status == invoice.StatusOverdue:
			if inv.Status() != invoice.Open || !inv.Spec.DueDate.Before(f.Today) {
				continue
			}
		case f.Status != "" && string(inv.Status()) != f.Status:
			continue
		}
		if q != "" && !strings.Contains(strings.ToLower(inv.Spec.Name+" "+inv.Number+" "+inv.ClientName), q) {
			continue
		}
		all = append(all, cloneInvoice(inv))
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *invoice.Invoice) int { return cmp.Compare(b.ID, a.ID) })
	return page(all, f.Limit, f.Cursor)
}

// ----- credit notes

// IssueCreditNote lets issue credit an invoice (taking paid money back off
// its payments, newest first, for a paid one) with the next credit-note
// number, and posts where the money went, as the DynamoDB adapter does.
func (s *Store) IssueCreditNote(ctx context.Context, orgID, invoiceID string,
	issue func(inv *invoice.Invoice, pays []*payment.Payment, seq int64) (*credit.Note, []activity.Event, error)) (*credit.Note, error) {
	var note *credit.Note
	_, err := s.changeInvoice(ctx, orgID, invoiceID, "issue credit note", func(c *client.Client, inv *invoice.Invoice) (ledger.Doc, []ledger.Entry, []activity.Event, func(), error) {
		pays := s.paymentsOf(inv)
		s.mu.Lock()
		last := s.counters[k(orgID, "credit")]
		s.mu.Unlock()
		n, events, err := issue(inv, pays, last+1)
		if err != nil {
			return ledger.Doc{}, nil, nil, nil, err
		}
		note = n
		cur, cli := inv.Spec.Currency, inv.Spec.ClientID
		doc := ledger.Doc{ID: n.ID, Number: n.Number}
		var extra []ledger.Entry
		if x := n.Parts.ClientCredit; x.IsPositive() {
			extra = append(extra, ledger.Entry{OrgID: orgID, ClientID: cli, Kind: ledger.PaymentReleased, Currency: cur,
				DocumentID: n.ID, Number: n.Number, InvoiceID: inv.ID, Owing: x, Credit: x, Memo: "kept as client credit"})
		}
		if x := n.Parts.Refund.Add(n.Parts.Outside); x.IsPositive() {
			e := ledger.Undone(ledger.PaymentRefunded, orgID, cli, cur, doc, x, decimal.Zero, "refunded for "+n.Number)
			e.InvoiceID = inv.ID
			extra = append(extra, e)
		}
		return doc, extra, events, func() {
			for _, p := range pays {
				s.payments[k(orgID, p.ID)] = clonePayment(p)
			}
			s.counters[k(orgID, "credit")] = last + 1
			s.notes[k(orgID, n.ID)] = cloneNote(n)
		}, nil
	})
	if err != nil {
		return nil, err
	}
	return note, nil
}

// paymentsOf is the client's payments allocated to inv, newest first.
func (s *Store) paymentsOf(inv *invoice.Invoice) []*payment.Payment {
	if !inv.Paid().IsPositive() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*payment.Payment
	for _, p := range s.payments {
		if p.OrgID == inv.OrgID && slices.ContainsFunc(p.Allocations, func(a payment.Allocation) bool { return a.InvoiceID == inv.ID }) {
			out = append(out, clonePayment(p))
		}
	}
	slices.SortFunc(out, func(a, b *payment.Payment) int { return cmp.Compare(b.ID, a.ID) })
	return out
}

// CreditNote reads one credit note.
func (s *Store) CreditNote(_ context.Context, orgID, id string) (*credit.Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.notes[k(orgID, id)]
	if !ok {
		return nil, fmt.Errorf("get credit note %s: %w", id, credit.ErrNotFound)
	}
	return cloneNote(n), nil
}

// InvoiceCreditNotes reads the credit notes issued against one invoice,
// oldest first, voided ones included.
func (s *Store) InvoiceCreditNotes(_ context.Context, orgID, invoiceID string) ([]*credit.Note, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*credit.Note
	for _, n := range s.notes {
		if n.OrgID == orgID && n.InvoiceID == invoiceID {
			out = append(out, cloneNote(n))
		}
	}
	slices.SortFunc(out, func(a, b *credit.Note) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// VoidCreditNote lets void mark a credit note void and put its amount back
// on its invoice, posting the entry; a note already void is refused by
// void itself, and the commit keeps a second void from winning a race.
func (s *Store) VoidCreditNote(ctx context.Context, orgID, id string, void func(n *credit.Note, inv *invoice.Invoice) ([]activity.Event, error)) (*credit.Note, error) {
	n, err := s.CreditNote(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	_, err = s.changeInvoice(ctx, orgID, n.InvoiceID, "void credit note "+id, func(_ *client.Client, inv *invoice.Invoice) (ledger.Doc, []ledger.Entry, []activity.Event, func(), error) {
		fresh, err := s.CreditNote(ctx, orgID, id)
		if err != nil {
			return ledger.Doc{}, nil, nil, nil, err
		}
		n = fresh
		events, err := void(n, inv)
		if err != nil {
			return ledger.Doc{}, nil, nil, nil, err
		}
		return ledger.Doc{ID: n.ID, Number: n.Number}, nil, events, func() { s.notes[k(orgID, id)] = cloneNote(n) }, nil
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// ----- payments

// RecordPayment reads the client's open invoices and the receipt counter,
// lets allocate decide where the money goes, and commits the payment,
// the invoices it paid, its ledger entry and the events together. A
// second payment for one card intent is payment.ErrAlreadyRecorded.
func (s *Store) RecordPayment(ctx context.Context, orgID, clientID string,
	allocate func(open []*invoice.Invoice, receiptSeq int64) (*payment.Payment, []activity.Event, error)) (*payment.Payment, error) {
	return retry(ctx, "record payment", payment.ErrConflict, func() (*payment.Payment, bool, error) {
		snap := s.read()
		c, err := s.GetClient(ctx, orgID, clientID)
		if err != nil {
			return nil, true, err
		}
		s.mu.Lock()
		var open []*invoice.Invoice
		for _, inv := range s.invoices {
			if inv.OrgID == orgID && inv.Spec.ClientID == clientID && inv.Status() == invoice.Open {
				open = append(open, cloneInvoice(inv))
			}
		}
		last := s.counters[k(orgID, "receipt")]
		s.mu.Unlock()
		slices.SortFunc(open, func(a, b *invoice.Invoice) int {
			return cmp.Or(strings.Compare(a.Spec.DueDate.String(), b.Spec.DueDate.String()), cmp.Compare(a.Seq, b.Seq))
		})
		readSeq := c.Account.Seq
		p, events, err := allocate(open, last+1)
		if err != nil {
			return nil, true, err
		}
		allocated, byInvoice := decimal.Zero, map[string]decimal.Decimal{}
		for _, a := range p.Allocations {
			allocated = allocated.Add(a.Amount)
			byInvoice[a.InvoiceID] = byInvoice[a.InvoiceID].Add(a.Amount)
		}
		received := ledger.Received(p.OrgID, p.Input.ClientID, p.Input.Currency,
			ledger.Doc{ID: p.ID, Number: p.ReceiptNumber}, p.Input.Amount, allocated, string(p.Input.Method))
		received.Effective = p.Input.Date
		received.Splits = ledger.PaidSplits(nil, byInvoice)
		posted, err := s.post(c, []ledger.Entry{received}, p.CreatedAt)
		if err != nil {
			return nil, true, fmt.Errorf("record payment: %w", err)
		}
		done, err := s.commit(snap, func() error {
			if err := s.checkAccount(c, readSeq); err != nil {
				return err
			}
			if marker := paymentMarker(p); marker != "" {
				if _, ok := s.intents[k(orgID, marker)]; ok {
					return fmt.Errorf("record payment for %s: %w", marker, payment.ErrAlreadyRecorded)
				}
				s.intents[k(orgID, marker)] = p.ID
			}
			for _, inv := range open {
				if _, paid := byInvoice[inv.ID]; paid {
					inv.Version++
					s.invoices[k(orgID, inv.ID)] = cloneInvoice(inv)
				}
			}
			s.counters[k(orgID, "receipt")] = last + 1
			s.payments[k(orgID, p.ID)] = clonePayment(p)
			s.keepClient(c, posted)
			s.events = append(s.events, events...)
			return nil
		})
		return p, done, err
	})
}

// GetPayment reads a payment.
func (s *Store) GetPayment(_ context.Context, orgID, id string) (*payment.Payment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.payments[k(orgID, id)]
	if !ok {
		return nil, fmt.Errorf("get payment %s: %w", id, payment.ErrNotFound)
	}
	return clonePayment(p), nil
}

// paymentMarker names p's at-most-once marker in intents: its card
// intent, else its request key; "" when it has neither.
func paymentMarker(p *payment.Payment) string {
	switch {
	case p.IntentID != "":
		return p.IntentID
	case p.RequestKey != "":
		return "request#" + p.RequestKey
	}
	return ""
}

// PaymentByRequest reads the payment an API request with Idempotency-Key
// key recorded.
func (s *Store) PaymentByRequest(ctx context.Context, orgID, key string) (*payment.Payment, error) {
	s.mu.Lock()
	pid, ok := s.intents[k(orgID, "request#"+key)]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("payment for request %s: %w", key, payment.ErrNotFound)
	}
	return s.GetPayment(ctx, orgID, pid)
}

// PaymentByIntent reads the payment recorded for a card payment intent.
func (s *Store) PaymentByIntent(ctx context.Context, orgID, intentID string) (*payment.Payment, error) {
	s.mu.Lock()
	pid, ok := s.intents[k(orgID, intentID)]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("payment for intent %s: %w", intentID, payment.ErrNotFound)
	}
	return s.GetPayment(ctx, orgID, pid)
}

// ListPayments lists payments newest first, of one client if asked.
func (s *Store) ListPayments(_ context.Context, orgID, clientID string, limit int, cursor string) ([]*payment.Payment, string, error) {
	s.mu.Lock()
	var all []*payment.Payment
	for _, p := range s.payments {
		if p.OrgID == orgID && (clientID == "" || p.Input.ClientID == clientID) {
			all = append(all, clonePayment(p))
		}
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *payment.Payment) int { return cmp.Compare(b.ID, a.ID) })
	return page(all, limit, cursor)
}

// ChangePayment lets change take money back out of a payment (reversal,
// refund) and name its ledger entries; the payment, the invoices it
// changed, the entries and the events are committed together.
func (s *Store) ChangePayment(ctx context.Context, orgID, id string,
	change func(c *client.Client, p *payment.Payment, invoices map[string]*invoice.Invoice) ([]ledger.Entry, []activity.Event, error)) (*payment.Payment, error) {
	return retry(ctx, "change payment "+id, payment.ErrConflict, func() (*payment.Payment, bool, error) {
		snap := s.read()
		p, err := s.GetPayment(ctx, orgID, id)
		if err != nil {
			return nil, true, err
		}
		c, err := s.GetClient(ctx, orgID, p.Input.ClientID)
		if err != nil {
			return nil, true, fmt.Errorf("change payment %s: %w", id, err)
		}
		invoices, paidBefore := map[string]*invoice.Invoice{}, map[string]decimal.Decimal{}
		for _, a := range p.Allocations {
			inv, err := s.GetInvoice(ctx, orgID, a.InvoiceID)
			if err != nil {
				return nil, true, fmt.Errorf("change payment %s: %w", id, err)
			}
			invoices[inv.ID], paidBefore[inv.ID] = inv, inv.Paid()
		}
		readSeq := c.Account.Seq
		entries, events, err := change(c, p, invoices)
		if err != nil {
			return nil, true, err
		}
		paidAfter := map[string]decimal.Decimal{}
		for iid, inv := range invoices {
			paidAfter[iid] = inv.Paid()
		}
		if splits := ledger.PaidSplits(paidBefore, paidAfter); len(entries) == 1 {
			entries[0].Splits = splits
		}
		posted, err := s.post(c, entries, p.UpdatedAt())
		if err != nil {
			return nil, true, fmt.Errorf("change payment %s: %w", id, err)
		}
		done, err := s.commit(snap, func() error {
			if err := s.checkAccount(c, readSeq); err != nil {
				return err
			}
			p.Version++
			s.payments[k(orgID, id)] = clonePayment(p)
			for iid, inv := range invoices {
				inv.Version++
				s.invoices[k(orgID, iid)] = cloneInvoice(inv)
			}
			s.keepClient(c, posted)
			s.events = append(s.events, events...)
			return nil
		})
		return p, done, err
	})
}

// ----- pay links

// CreatePayLink stores a link; rotate revokes the invoice's earlier ones.
func (s *Store) CreatePayLink(_ context.Context, l paylink.Link, rotate bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rotate {
		for h, old := range s.links {
			if old.OrgID == l.OrgID && old.InvoiceID == l.InvoiceID {
				delete(s.links, h)
			}
		}
	}
	s.links[k(l.OrgID, l.Hash)] = l
	s.gen++
	return nil
}

// PayLink finds a live link by its secret's hash.
func (s *Store) PayLink(_ context.Context, orgID, hash string) (paylink.Link, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[k(orgID, hash)]
	if !ok {
		return paylink.Link{}, paylink.ErrInvalid
	}
	return l, nil
}

// ----- activity and ledgers

// AppendActivity records events that go with no other change.
func (s *Store) AppendActivity(_ context.Context, events ...activity.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, events...)
	s.gen++
	return nil
}

// ListActivity lists events newest first, of an invoice, a client or the org.
func (s *Store) ListActivity(_ context.Context, orgID string, f activity.Filter) ([]activity.Event, string, error) {
	s.mu.Lock()
	var all []activity.Event
	q := strings.ToLower(f.Search)
	for _, e := range s.events {
		switch {
		case e.OrgID != orgID, f.InvoiceID != "" && e.InvoiceID != f.InvoiceID, f.ClientID != "" && e.ClientID != f.ClientID:
			continue
		case q != "" && !strings.Contains(strings.ToLower(e.SearchText()), q):
			continue
		}
		all = append(all, e)
	}
	s.mu.Unlock()
	slices.SortStableFunc(all, func(a, b activity.Event) int { return cmp.Compare(b.ID, a.ID) })
	return page(all, f.Limit, f.Cursor)
}

// AllLedgerEntries is every entry of a client's ledger in sequence order.
func (s *Store) AllLedgerEntries(_ context.Context, orgID, clientID string) ([]ledger.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ledgers[k(orgID, clientID)]), nil
}
