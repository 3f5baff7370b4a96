// Package billing holds the use cases that span concepts: signing up an
// org, keeping clients, building, finalizing and voiding invoices. Each
// method is one use case the transport layer calls; the rules live in the
// domain packages, the storage in the Store.
package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/member"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/usecase"
)

// ErrForbidden is returned when the caller's role does not allow the action.
var ErrForbidden = errors.New("your role does not allow this")

// OrgStore is the storage the org use cases in this file (sign-up,
// settings) and the org lookups of every use case (orgInfo) use; it is
// part of Store.
type OrgStore interface {
	CreateOrg(ctx context.Context, o *org.Org) error
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	UpdateOrg(ctx context.Context, id string, change func(*org.Org) error) (*org.Org, error)
	DeleteOrg(ctx context.Context, id string) error
}

// Store is the storage Service needs (internal/dynamo and internal/memstore
// implement it): the narrow store of each group of its use cases, each
// declared beside the use cases that call it and naming only what they
// call (TestServiceStoreUse checks that against the code). Use cases with
// their own struct (Sender, Receipts, Statements, ...) take their own
// narrow store instead.
type Store interface {
	OrgStore
	ClientStore
	InvoiceStore
	CreditNoteStore
	PaymentStore
	CardPaymentStore
	PayLinkStore
	ActivityStore
}

// Directory is the sign-in directory (Cognito).
type Directory interface {
	CreateAdmin(ctx context.Context, email, password, orgID string) (userID string, err error)
	// DeleteUser undoes CreateAdmin when the org's first member cannot be recorded.
	DeleteUser(ctx context.Context, email string) error
}

// Service runs the use cases.
type Service struct {
	store Store
	dir   Directory
	now   func() time.Time
	newID func(prefix string, now time.Time) string

	orgs sync.Map // org id → orgEntry: zone and currency, cached briefly per container
}

type orgEntry struct {
	loc      *time.Location
	currency money.Currency
	taxID    bool // the org has a tax id: taxed invoices are tax invoices
	expires  time.Time
}

// New builds the service; now and newID are the clock and id source. dir
// may be nil in functions that never sign orgs up (the notifier), whose
// Signup then fails.
func New(store Store, dir Directory, now func() time.Time, newID func(string, time.Time) string) (*Service, error) {
	if store == nil || now == nil || newID == nil {
		return nil, errors.New("billing: store, clock and id source are required")
	}
	return &Service{store: store, dir: dir, now: now, newID: newID}, nil
}

// event starts an activity event done by p now.
func (s *Service) event(p auth.Principal, kind activity.Kind) activity.Event {
	now := s.now()
	return activity.Event{ID: s.newID("act", now), OrgID: p.OrgID, Kind: kind, Actor: p.Email, At: now}
}

// invoiceEvent is an event about inv.
func (s *Service) invoiceEvent(p auth.Principal, kind activity.Kind, inv *invoice.Invoice) activity.Event {
	e := s.event(p, kind)
	e.InvoiceID, e.Number, e.ClientID, e.ClientName = inv.ID, inv.Number, inv.Spec.ClientID, inv.ClientName
	return e
}

// allow checks the caller's role against the role matrix (auth.Action);
// every use case that changes something calls it first.
func allow(p auth.Principal, a auth.Action) error {
	if !p.Role.May(a) {
		return fmt.Errorf("%s: %w", a, ErrForbidden)
	}
	return nil
}

// orgInfo is the org's time zone and currency, cached for five minutes per
// container to save a read on every request; this container's own setting
// changes refresh it at once.
func (s *Service) orgInfo(ctx context.Context, orgID string) (orgEntry, error) {
	if e, ok := s.orgs.Load(orgID); ok && s.now().Before(e.(orgEntry).expires) {
		return e.(orgEntry), nil
	}
	o, err := s.store.GetOrg(ctx, orgID)
	if err != nil {
		return orgEntry{}, err
	}
	return s.remember(o), nil
}

func (s *Service) remember(o *org.Org) orgEntry {
	e := orgEntry{loc: o.Location(), currency: o.Settings.Currency, taxID: o.Settings.TaxID != "", expires: s.now().Add(5 * time.Minute)}
	s.orgs.Store(o.ID, e)
	return e
}

// today is the date in the org's time zone, which decides due dates and overdue.
func (s *Service) today(ctx context.Context, orgID string) (calendar.Date, error) {
	e, err := s.orgInfo(ctx, orgID)
	if err != nil {
		return calendar.Date{}, err
	}
	return calendar.Today(s.now(), e.loc), nil
}

// Signup creates an org with default settings and its first admin. If the
// admin cannot be created the org is removed again.
func (s *Service) Signup(ctx context.Context, orgName, email, password string) (_ *org.Org, err error) {
	defer usecase.Name(&err, "sign up")
	if s.dir == nil {
		return nil, errors.New("signup: this function has no sign-in directory")
	}
	now := s.now()
	o, err := org.New(s.newID("org", now), org.Defaults(orgName), now)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateOrg(ctx, o); err != nil {
		return nil, fmt.Errorf("signup: %w", err)
	}
	userID, err := s.dir.CreateAdmin(ctx, email, password, o.ID)
	if err == nil {
		if members, ok := s.store.(MemberStore); ok {
			err = members.AddMember(ctx, member.Member{OrgID: o.ID, UserID: userID, Email: email, Role: auth.RoleAdmin, CreatedAt: now})
			if err != nil {
				err = errors.Join(err, s.dir.DeleteUser(context.WithoutCancel(ctx), email))
			}
		}
	}
	if err != nil {
		if derr := s.store.DeleteOrg(context.WithoutCancel(ctx), o.ID); derr != nil {
			return nil, errors.Join(fmt.Errorf("signup: %w", err), derr)
		}
		return nil, fmt.Errorf("signup: %w", err)
	}
	return o, nil
}

// Org returns the caller's org.
func (s *Service) Org(ctx context.Context, p auth.Principal) (_ *org.Org, err error) {
	defer usecase.Name(&err, "org")
	return s.store.GetOrg(ctx, p.OrgID)
}

// UpdateOrg lets an admin change the org's settings.
func (s *Service) UpdateOrg(ctx context.Context, p auth.Principal, edit func(*org.Settings) error) (_ *org.Org, err error) {
	defer usecase.Name(&err, "update org")
	if err := allow(p, auth.ChangeSettings); err != nil {
		return nil, err
	}
	return s.EditOrg(ctx, p, func(o *org.Org, _ time.Time) error { return edit(&o.Settings) })
}

// EditOrg is UpdateOrg for edits that need the org itself and the time,
// such as a new billing cycle, which starts after the cycle running today
// in the org's zone. The edited settings are validated before anything is
// written. Admins only.
func (s *Service) EditOrg(ctx context.Context, p auth.Principal, edit func(o *org.Org, now time.Time) error) (_ *org.Org, err error) {
	defer usecase.Name(&err, "edit org")
	if err := allow(p, auth.ChangeSettings); err != nil {
		return nil, err
	}
	o, err := s.store.UpdateOrg(ctx, p.OrgID, func(o *org.Org) error {
		now := s.now()
		if err := edit(o, now); err != nil {
			return err
		}
		return o.Update(o.Settings, now)
	})
	if err != nil {
		return nil, fmt.Errorf("edit org settings: %w", err)
	}
	s.remember(o)
	return o, nil
}
