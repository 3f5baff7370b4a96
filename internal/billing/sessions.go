package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// SessionStore is what session use cases store (internal/dynamo).
type SessionStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	CreateSession(ctx context.Context, s *session.Session) error
	GetSession(ctx context.Context, orgID, id string) (*session.Session, error)
	UpdateSession(ctx context.Context, orgID, id string, change func(*session.Session) (bool, error)) (*session.Session, error)
	ListSessions(ctx context.Context, orgID, clientID string, from, to time.Time, limit int, cursor string) ([]*session.Session, string, error)
	UpdateSessionAndDraft(ctx context.Context, orgID, sessionID, invoiceID string, change func(*session.Session, *invoice.Invoice) (bool, error)) (*session.Session, *invoice.Invoice, error)
	ListInvoices(ctx context.Context, orgID string, f invoice.ListFilter) ([]*invoice.Invoice, string, error)
}

// Sessions are the session use cases: booking, and attendance that bills
// itself through the invoice use cases (draft, finalize, void) that every
// other invoice goes through.
type Sessions struct {
	svc    *Service
	store  SessionStore
	sender *Sender
}

// NewSessions builds the session use cases; sender sends session invoices
// when the org asks for it.
func NewSessions(svc *Service, store SessionStore, sender *Sender) (*Sessions, error) {
	if svc == nil || store == nil || sender == nil {
		return nil, errors.New("billing: sessions need the service, a session store and a sender")
	}
	return &Sessions{svc: svc, store: store, sender: sender}, nil
}

// BookSession stores a new, scheduled session for one of the org's clients.
func (w *Sessions) BookSession(ctx context.Context, p auth.Principal, sp session.Spec) (_ *session.Session, err error) {
	defer usecase.Name(&err, "book session")
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	if sp.ClientID == "" {
		return nil, validation.Errorf("clientId", "is required")
	}
	if _, err := w.store.GetClient(ctx, p.OrgID, sp.ClientID); err != nil {
		return nil, fmt.Errorf("book session: %w", err)
	}
	o, err := w.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, fmt.Errorf("book session: %w", err)
	}
	now := w.svc.now()
	s, err := session.New(w.svc.newID("ses", now), p.OrgID, sp, o.Settings.Currency, now)
	if err != nil {
		return nil, err
	}
	if err := w.store.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("book session: %w", err)
	}
	return s, nil
}

// Session reads one of the org's sessions.
func (w *Sessions) Session(ctx context.Context, p auth.Principal, id string) (_ *session.Session, err error) {
	defer usecase.Name(&err, "session %s", id)
	return w.store.GetSession(ctx, p.OrgID, id)
}

// ListSessions lists sessions starting in [from, to), optionally one
// client's: the day list or calendar of a coordinator.
func (w *Sessions) ListSessions(ctx context.Context, p auth.Principal, clientID string, from, to time.Time, limit int, cursor string) (_ []*session.Session, _ string, err error) {
	defer usecase.Name(&err, "list sessions %s", clientID)
	if !to.After(from) {
		return nil, "", validation.Errorf("to", "must be after from")
	}
	return w.store.ListSessions(ctx, p.OrgID, clientID, from, to, limit, cursor)
}

// Attendance is the outcome of marking attendance: the session, the
// invoice it made (nil when none) and, when the org sends session
// invoices, why sending failed ("" when it did not).
type Attendance struct {
	Session   *session.Session
	Invoice   *InvoiceView
	SendError string
}

// MarkAttendance records what happened to a session. Marking it attended,
// or cancelled at short notice (an NDIS reason, judged by
// session.CheckCancellation: refused when the item cannot claim it or
// notice was not short), with auto-invoicing on bills it once: the
// session's invoice id is chosen in the same conditional write that
// marks it attended, so a second click
// (or two at once, or a retry after a crash) finds the id and finishes the
// same invoice instead of making another. Moving an attended session to
// anything else first voids the open invoice it made (or deletes it while
// still a draft); an invoice with payments or a lock stays, and so does
// the attendance (409/422). base is where pay links point when the org
// sends session invoices.
func (w *Sessions) MarkAttendance(ctx context.Context, p auth.Principal, id string, to session.Attendance, reason, base string) (_ Attendance, err error) {
	defer usecase.Name(&err, "mark attendance %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return Attendance{}, err
	}
	if err := session.CheckAttendance(to, reason); err != nil {
		return Attendance{}, err
	}
	cur, err := w.store.GetSession(ctx, p.OrgID, id)
	if err != nil {
		return Attendance{}, err
	}
	if to == session.Cancelled && reason != "" {
		o, err := w.store.GetOrg(ctx, p.OrgID)
		if err != nil {
			return Attendance{}, err
		}
		if err := session.CheckCancellation(cur, reason, w.svc.now(), o.Location()); err != nil {
			return Attendance{}, err
		}
	}
	next := *cur
	next.Attendance, next.CancellationReason = to, reason
	if !next.Billable() {
		return w.revert(ctx, p, cur, to, reason)
	}
	if cur.InvoiceID != "" && (cur.Attendance != to || cur.CancellationReason != reason) {
		// Billed as something else (attended, or another cancellation):
		// that bill is taken back first, then this one made.
		if _, err := w.revert(ctx, p, cur, session.Scheduled, ""); err != nil {
			return Attendance{}, err
		}
		if cur, err = w.store.GetSession(ctx, p.OrgID, id); err != nil {
			return Attendance{}, err
		}
	}
	return w.attend(ctx, p, cur, to, reason, base)
}

// attend bills a session marked billable: attended, or cancelled at short
// notice (claimed as booked, at 100% of the agreed price, claim type
// CANC with its reason).
func (w *Sessions) attend(ctx context.Context, p auth.Principal, cur *session.Session, to session.Attendance, reason, base string) (Attendance, error) {
	o, err := w.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Attendance{}, fmt.Errorf("mark attended: %w", err)
	}
	auto := o.Settings.AutoInvoice
	ses, err := w.store.UpdateSession(ctx, p.OrgID, cur.ID, func(s *session.Session) (bool, error) {
		if s.Attendance == to && s.CancellationReason == reason {
			return false, nil // already: finish what the first click started, below
		}
		if s.InvoiceID != "" {
			return false, fmt.Errorf("mark attended: session %s still holds invoice %s: %w", s.ID, s.InvoiceID, session.ErrConflict)
		}
		s.Attendance, s.CancellationReason, s.UpdatedAt = to, reason, w.svc.now()
		switch {
		case auto.Enabled && auto.Mode == org.AutoDraft:
			s.InvoiceMode = string(org.AutoDraft) // the draft is found, and linked, below
		case auto.Enabled:
			s.InvoiceID, s.InvoiceMode = w.svc.newID("inv", w.svc.now()), string(org.AutoFinalize)
		}
		return true, nil
	})
	if err != nil {
		return Attendance{}, err
	}
	out := Attendance{Session: ses}
	if ses.InvoiceMode == string(org.AutoDraft) {
		out.Session, out.Invoice, err = w.addToDraft(ctx, p, o, ses)
		return out, err
	}
	if ses.InvoiceID == "" {
		return out, nil
	}
	inv, finalizedNow, err := w.ensureInvoice(ctx, p, o, ses)
	if err != nil {
		return out, err
	}
	out.Invoice = inv
	if finalizedNow && auto.Send {
		if _, err := w.sender.Send(ctx, p, inv.ID, base, SendRequest{Channels: []delivery.Channel{delivery.Email}}); err != nil {
			out.SendError = err.Error()
			var v *validation.Error
			if !errors.As(err, &v) && !errors.Is(err, delivery.ErrNoEmail) && !errors.Is(err, delivery.ErrNDIAManaged) {
				return out, fmt.Errorf("send session invoice: %w", err)
			}
		}
	}
	return out, nil
}

// ensureInvoice makes the session's invoice exist and be finalized: the
// draft under the id the session holds (a concurrent or earlier attempt's
// draft is taken as it is), then the one finalize path. finalizedNow says
// this call numbered it.
func (w *Sessions) ensureInvoice(ctx context.Context, p auth.Principal, o *org.Org, ses *session.Session) (*InvoiceView, bool, error) {
	inv, err := w.store.GetInvoice(ctx, p.OrgID, ses.InvoiceID)
	if errors.Is(err, invoice.ErrNotFound) {
		line := ses.Line(o.Settings.Currency, o.Location())
		in := DraftInput{
			ClientID: ses.Spec.ClientID, Name: "Session " + line.PeriodStart.Format("2 Jan 2006"),
			Lines: []LineInput{{Line: line, TaxRate: ses.Spec.Service.TaxRate}},
		}
		inv, err = w.svc.createDraftWithID(ctx, p, ses.InvoiceID, in)
	}
	if err != nil {
		return nil, false, fmt.Errorf("invoice session %s: %w", ses.ID, err)
	}
	if inv.Status() != invoice.Draft {
		v, err := w.svc.viewRef(ctx, inv)
		return v, false, err
	}
	v, err := w.svc.FinalizeInvoice(ctx, p, inv.ID)
	if errors.Is(err, invoice.ErrNotDraft) { // a concurrent click finalized it
		inv, err := w.store.GetInvoice(ctx, p.OrgID, ses.InvoiceID)
		if err != nil {
			return nil, false, fmt.Errorf("invoice session %s: %w", ses.ID, err)
		}
		v, err := w.svc.viewRef(ctx, inv)
		return v, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("invoice session %s: %w", ses.ID, err)
	}
	return &v, true, nil
}

func (w *Sessions) revert(ctx context.Context, p auth.Principal, cur *session.Session, to session.Attendance, reason string) (Attendance, error) {
	out := Attendance{}
	if cur.InvoiceMode == run.SessionInvoiceMode && cur.InvoiceID != "" {
		// An invoice run billed it beside the participant's other work:
		// voiding that invoice would take back all of it.
		return Attendance{}, fmt.Errorf("change attendance: session %s is billed on run invoice %s: %w", cur.ID, cur.InvoiceID, session.ErrBilledByRun)
	}
	if cur.InvoiceMode == string(org.AutoDraft) && cur.InvoiceID != "" {
		return w.removeFromDraft(ctx, p, cur, to, reason)
	}
	if cur.InvoiceID != "" {
		inv, err := w.undoInvoice(ctx, p, cur, to)
		if err != nil {
			return Attendance{}, err
		}
		out.Invoice = inv
	}
	undone := cur.InvoiceID
	ses, err := w.store.UpdateSession(ctx, p.OrgID, cur.ID, func(s *session.Session) (bool, error) {
		if s.InvoiceID != undone {
			return false, fmt.Errorf("change attendance: %w", session.ErrConflict)
		}
		if s.Attendance == to && s.CancellationReason == reason && s.InvoiceID == "" {
			return false, nil
		}
		s.Attendance, s.CancellationReason, s.InvoiceID, s.InvoiceMode, s.UpdatedAt = to, reason, "", "", w.svc.now()
		return true, nil
	})
	if err != nil {
		return Attendance{}, err
	}
	out.Session = ses
	return out, nil
}

// undoInvoice takes back the invoice a session's attendance made: a draft
// is deleted, an open invoice voided (keeping its number); one already
// void or gone is left as it is. Paid invoices stay: ErrInvoiceKept.
func (w *Sessions) undoInvoice(ctx context.Context, p auth.Principal, ses *session.Session, to session.Attendance) (*InvoiceView, error) {
	inv, err := w.store.GetInvoice(ctx, p.OrgID, ses.InvoiceID)
	if errors.Is(err, invoice.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("undo session invoice: %w", err)
	}
	switch inv.Status() {
	case invoice.Draft:
		if err := w.svc.DeleteInvoice(ctx, p, inv.ID); err != nil && !errors.Is(err, invoice.ErrNotFound) {
			return nil, fmt.Errorf("undo session invoice: %w", err)
		}
		return nil, nil
	case invoice.Open:
		v, err := w.svc.VoidInvoice(ctx, p, inv.ID, fmt.Sprintf("Session attendance changed to %s", to))
		if errors.Is(err, invoice.ErrHasPayments) {
			return nil, session.ErrInvoiceKept
		}
		if err != nil {
			return nil, fmt.Errorf("undo session invoice: %w", err)
		}
		return &v, nil
	case invoice.Void:
		return w.svc.viewRef(ctx, inv)
	}
	return nil, session.ErrInvoiceKept
}

// createDraftWithID is CreateInvoice under a chosen id: work that bills
// itself picks the id first and records it, so that a retry finds the same
// draft. A draft already stored under the id (by a concurrent attempt) is
// returned as it is.
func (s *Service) createDraftWithID(ctx context.Context, p auth.Principal, id string, in DraftInput) (*invoice.Invoice, error) {
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	sp, clientName, err := s.resolve(ctx, p, in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	inv, err := invoice.NewDraft(id, p.OrgID, sp, now)
	if err != nil {
		return nil, err
	}
	inv.ClientName = clientName
	inv.Origin, inv.ExternalNumber, inv.ExternalReference = in.Origin, in.ExternalNumber, in.ExternalReference
	if err := s.store.CreateInvoice(ctx, inv, s.invoiceEvent(p, activity.Created, inv)); err != nil {
		if existing, gerr := s.store.GetInvoice(ctx, p.OrgID, id); gerr == nil {
			return existing, nil
		}
		return nil, err
	}
	return inv, nil
}

// periodName names a client's draft of a month's sessions.
func periodName(d calendar.Date) string { return "Sessions – " + d.Format("January 2006") }

// addToDraft puts an attended session's line on the client's draft for
// the session's month (started, empty, when there is none) and links the
// session to it, both in one transaction: a repeat finds the link and adds
// nothing. Two sessions of a client attended at the very same moment may
// start two drafts for the month; each line still lands exactly once.
func (w *Sessions) addToDraft(ctx context.Context, p auth.Principal, o *org.Org, ses *session.Session) (*session.Session, *InvoiceView, error) {
	if ses.InvoiceID != "" {
		inv, err := w.store.GetInvoice(ctx, p.OrgID, ses.InvoiceID)
		if err != nil {
			return ses, nil, fmt.Errorf("add session to draft: %w", err)
		}
		v, err := w.svc.viewRef(ctx, inv)
		return ses, v, err
	}
	c, err := w.store.GetClient(ctx, p.OrgID, ses.Spec.ClientID)
	if err != nil {
		return ses, nil, fmt.Errorf("add session to draft: %w", err)
	}
	line := ses.Line(o.Settings.Currency, o.Location())
	resolved := specFor(o, c, DraftInput{ClientID: c.ID, Lines: []LineInput{{Line: line, TaxRate: ses.Spec.Service.TaxRate}}}).Lines[0]
	name := periodName(line.PeriodStart)
	for range 3 { // a draft finalized under us is passed over for a fresh one
		draftID, err := w.svc.periodDraft(ctx, w.store, p, c.ID, name, "session")
		if err != nil {
			return ses, nil, err
		}
		var gone bool
		s2, inv, err := w.store.UpdateSessionAndDraft(ctx, p.OrgID, ses.ID, draftID, func(s *session.Session, inv *invoice.Invoice) (bool, error) {
			switch {
			case s.InvoiceID != "":
				return false, nil // linked by a concurrent click
			case !s.Billable() || s.InvoiceMode != string(org.AutoDraft):
				return false, fmt.Errorf("add session to draft: %w", session.ErrConflict)
			case inv.Status() != invoice.Draft:
				gone = true
				return false, nil
			}
			sp := inv.Spec
			sp.Lines = append(append([]invoice.Line{}, sp.Lines...), resolved)
			if err := inv.Edit(sp, w.svc.now()); err != nil {
				return false, err
			}
			s.InvoiceID, s.UpdatedAt = inv.ID, w.svc.now()
			return true, nil
		})
		if err != nil {
			return ses, nil, err
		}
		if gone {
			continue
		}
		if s2.InvoiceID != inv.ID {
			linked, err := w.store.GetInvoice(ctx, p.OrgID, s2.InvoiceID)
			if err != nil {
				return s2, nil, fmt.Errorf("add session to draft: %w", err)
			}
			inv = linked
		}
		v, err := w.svc.viewRef(ctx, inv)
		return s2, v, err
	}
	return ses, nil, fmt.Errorf("add session to draft: %w", session.ErrConflict)
}

// removeFromDraft takes a session's line off its period's draft and
// records the new attendance in one transaction. A draft already
// finalized keeps the line: ErrInvoiceKept.
func (w *Sessions) removeFromDraft(ctx context.Context, p auth.Principal, cur *session.Session, to session.Attendance, reason string) (Attendance, error) {
	o, err := w.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return Attendance{}, fmt.Errorf("remove session from draft: %w", err)
	}
	want := cur.Line(o.Settings.Currency, o.Location())
	ses, inv, err := w.store.UpdateSessionAndDraft(ctx, p.OrgID, cur.ID, cur.InvoiceID, func(s *session.Session, inv *invoice.Invoice) (bool, error) {
		if s.InvoiceID != cur.InvoiceID {
			return false, fmt.Errorf("remove session from draft: %w", session.ErrConflict)
		}
		if inv.Status() != invoice.Draft {
			return false, session.ErrInvoiceKept
		}
		sp := inv.Spec
		sp.Lines = nil
		removed := false
		for _, l := range inv.Spec.Lines {
			if !removed && sameCharge(l, want) {
				removed = true
				continue
			}
			sp.Lines = append(sp.Lines, l)
		}
		if err := inv.Edit(sp, w.svc.now()); err != nil {
			return false, err
		}
		s.Attendance, s.CancellationReason, s.InvoiceID, s.InvoiceMode, s.UpdatedAt = to, reason, "", "", w.svc.now()
		return true, nil
	})
	if err != nil {
		return Attendance{}, err
	}
	v, err := w.svc.viewRef(ctx, inv)
	if err != nil {
		return Attendance{}, err
	}
	return Attendance{Session: ses, Invoice: v}, nil
}

// sameCharge reports whether a draft line is the one a session put there
// (its tax rate came from the defaults, so it is not compared).
func sameCharge(l, want invoice.Line) bool {
	return l.Type == want.Type && l.Description == want.Description && l.SupportItem == want.SupportItem &&
		l.Quantity.Equal(want.Quantity) && l.Rate.Equal(want.Rate) && l.Price.Equal(want.Price)
}
