// Package client is the billing account: who a business bills, how to reach
// them, on what terms, and who pays under NDIS funding.
package client

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// ErrNotFound is returned when the client does not exist in the caller's org.
var ErrNotFound = errors.New("client not found")

// ErrCurrencyLocked is returned when a client's billing currency would
// change after money has moved on its account.
var ErrCurrencyLocked = errors.New("the client's currency cannot change once invoices, payments or credit are on its account")

// ErrConflict is returned when a concurrent write won.
var ErrConflict = errors.New("client was changed by someone else; reload and try again")

// FundingType says who pays for an NDIS participant's supports.
type FundingType string

// Funding types.
const (
	SelfManaged FundingType = "self_managed"
	PlanManaged FundingType = "plan_managed"
	NDIAManaged FundingType = "ndia_managed"
)

// Contact is a person at the client.
type Contact struct {
	ID      string
	Name    string
	Email   string
	Phone   string
	Primary bool
}

// PlanManager is the plan-management business that pays a plan-managed participant's invoices.
type PlanManager struct {
	Name  string
	Email string
}

// Funding is how the client's supports are paid for.
type Funding struct {
	Type        FundingType
	NDISNumber  string
	PlanManager *PlanManager
}

// Profile is what a coordinator edits about a client.
type Profile struct {
	Name             string
	Contacts         []Contact
	BillingContactID string
	PaymentTermsDays *int             // overrides the org's terms
	TaxRate          *decimal.Decimal // overrides the org's rate, percent
	Funding          Funding
	// NoReminders excludes the client from the org's reminder schedule.
	NoReminders bool
	// Currency is what the client bills in: every invoice, payment and
	// credit of theirs is in it. Zero means the org's, until set or until
	// money first moves; it may change only while the ledger is empty.
	Currency money.Currency
}

// Balance is what the client owes on open invoices and the credit they
// hold, in the client's currency.
type Balance struct {
	Owing  decimal.Decimal
	Credit decimal.Decimal
}

// Client is a billing account. A client bills in one currency
// (Profile.Currency); its Balance is the materialized sum of its ledger in
// that currency (Account holds every currency's, which the one-currency
// rule keeps to one).
type Client struct {
	ID      string
	OrgID   string
	Profile Profile
	Balance Balance
	Account ledger.Account
	Version int64
	// Reopened lists the closed billing cycles reopened for this client by
	// deleting its statement: dates in them are accepted again until the
	// statement is regenerated.
	Reopened  []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxContacts caps a client's contacts.
const MaxContacts = 20

// New makes a client from a profile; every contact gets an id from newID
// (ids are always carebill's: a contact sent with one is refused).
func New(id, orgID string, p Profile, newID func() string, now time.Time) (*Client, error) {
	if err := p.normalize(newID, nil); err != nil {
		return nil, err
	}
	return &Client{ID: id, OrgID: orgID, Profile: p, CreatedAt: now, UpdatedAt: now}, nil
}

// Update replaces the profile; balances are not the profile's to change,
// and the currency may change only while the client's ledger is empty
// (ErrCurrencyLocked). A contact keeps its id by sending it back; an id
// the client does not already have is refused, and contacts without one
// get new ids.
func (c *Client) Update(p Profile, newID func() string, now time.Time) error {
	known := map[string]bool{}
	for _, ct := range c.Profile.Contacts {
		known[ct.ID] = true
	}
	if err := p.normalize(newID, known); err != nil {
		return err
	}
	if p.Currency != c.Profile.Currency && c.Account.Seq > 0 {
		return ErrCurrencyLocked
	}
	c.Profile, c.UpdatedAt = p, now
	return nil
}

// BillingContact is who receives invoices: the chosen billing contact, else
// the primary contact.
func (c *Client) BillingContact() (Contact, bool) {
	for _, ct := range c.Profile.Contacts {
		if ct.ID == c.Profile.BillingContactID {
			return ct, true
		}
	}
	return Contact{}, false
}

// normalize validates p and fills defaults: ids for new contacts, exactly
// one primary contact, the billing contact defaulting to the primary.
func (p *Profile) normalize(newID func() string, known map[string]bool) error {
	p.Name = strings.TrimSpace(p.Name)
	if err := validation.Text("name", p.Name, true, 200); err != nil {
		return err
	}
	if len(p.Contacts) > MaxContacts {
		return validation.Errorf("contacts", "at most %d contacts", MaxContacts)
	}
	primaries := 0
	seen := map[string]bool{}
	for i := range p.Contacts {
		ct := &p.Contacts[i]
		if err := ct.validate(); err != nil {
			return validation.Prefix(fmt.Sprintf("contacts[%d]", i), err)
		}
		switch {
		case ct.ID == "":
			ct.ID = newID()
		case !known[ct.ID]:
			return validation.Errorf(fmt.Sprintf("contacts[%d].id", i), "is not one of this client's contacts; leave it out for a new contact (carebill assigns ids)")
		}
		if seen[ct.ID] {
			return validation.Errorf(fmt.Sprintf("contacts[%d].id", i), "is used twice")
		}
		seen[ct.ID] = true
		if ct.Primary {
			primaries++
		}
	}
	if primaries > 1 {
		return validation.Errorf("contacts", "only one contact can be primary")
	}
	if primaries == 0 && len(p.Contacts) > 0 {
		p.Contacts[0].Primary = true
	}
	switch {
	case p.BillingContactID != "" && !seen[p.BillingContactID]:
		return validation.Errorf("billingContactId", "is not one of this client's contacts")
	case p.BillingContactID == "":
		for _, ct := range p.Contacts {
			if ct.Primary {
				p.BillingContactID = ct.ID
			}
		}
	}
	if t := p.PaymentTermsDays; t != nil && (*t < 0 || *t > 365) {
		return validation.Errorf("paymentTermsDays", "must be between 0 and 365")
	}
	if r := p.TaxRate; r != nil && (r.IsNegative() || r.GreaterThan(decimal.NewFromInt(100))) {
		return validation.Errorf("taxRate", "must be between 0 and 100")
	}
	return p.Funding.validate()
}

func (ct *Contact) validate() error {
	ct.Name = strings.TrimSpace(ct.Name)
	if err := validation.Text("name", ct.Name, true, 200); err != nil {
		return err
	}
	if ct.Email != "" {
		if err := validation.Email("email", ct.Email); err != nil {
			return err
		}
	}
	if ct.Phone != "" {
		if err := validation.Phone("phone", ct.Phone); err != nil {
			return err
		}
	}
	return nil
}

func (f *Funding) validate() error {
	switch f.Type {
	case "":
		f.Type = SelfManaged
	case SelfManaged, PlanManaged, NDIAManaged:
	default:
		return validation.Errorf("funding.type", "must be self_managed, plan_managed or ndia_managed")
	}
	if f.NDISNumber != "" && !validNDISNumber(f.NDISNumber) {
		return validation.Errorf("funding.ndisNumber", "must be the participant's 9-digit NDIS number")
	}
	switch f.Type {
	case NDIAManaged:
		if f.NDISNumber == "" {
			return validation.Errorf("funding.ndisNumber", "is required for NDIA-managed participants")
		}
	case PlanManaged:
		pm := f.PlanManager
		if pm == nil {
			return validation.Errorf("funding.planManager", "is required for plan-managed participants")
		}
		if err := validation.Text("funding.planManager.name", pm.Name, true, 200); err != nil {
			return err
		}
		if err := validation.Email("funding.planManager.email", pm.Email); err != nil {
			return err
		}
	}
	if f.Type != PlanManaged && f.PlanManager != nil {
		return validation.Errorf("funding.planManager", "is only for plan-managed participants")
	}
	return nil
}

func validNDISNumber(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
