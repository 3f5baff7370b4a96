// Package org is the business that bills: its legal identity, branding and
// the defaults every invoice starts from.
package org

import (
	"errors"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // Lambda's provided runtime has no zoneinfo; orgs name their zone.

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/reminder"
	"github.com/carebill/carebill/internal/validation"
)

// ErrNotFound is returned when the org does not exist.
var ErrNotFound = errors.New("org not found")

// ErrConflict is returned when a concurrent write won.
var ErrConflict = errors.New("org settings were changed by someone else; reload and try again")

// StatementsAtClose is whether a cycle's close sends the statements it
// writes, and how: "" or StatementsKept (not sent; someone sends them),
// StatementsByEmail (the PDF and a pay-all link to the billing email),
// StatementsByEmailAndText (that, and the link by text to the billing
// phone).
type StatementsAtClose string

// The ways a close may send its statements.
const (
	StatementsKept           StatementsAtClose = "off"
	StatementsByEmail        StatementsAtClose = "email"
	StatementsByEmailAndText StatementsAtClose = "email_and_text"
)

// LockingPolicy says when invoices lock against change.
type LockingPolicy string

// Locking policies.
const (
	LockManually    LockingPolicy = "manual"
	LockOnStatement LockingPolicy = "on_statement"
	LockOnCycle     LockingPolicy = "on_cycle_close"
	LockOnCreation  LockingPolicy = "on_creation"
)

// Settings are what an admin edits.
type Settings struct {
	Name             string
	LegalName        string
	TaxIDLabel       string // "ABN" in Australia
	TaxID            string
	Email            string
	Phone            string
	Address          string
	Currency         money.Currency
	TaxRate          decimal.Decimal // percent
	PaymentTermsDays int
	NumberPrefix     string
	LogoURL          string
	Colour           string // brand colour, #RRGGBB
	Timezone         string // IANA zone; decides "today" for due dates and overdue
	LockingPolicy    LockingPolicy
	FeePolicy        FeePolicy   // who pays card processing fees
	Accounting       Accounting  // tax rounding and export codes
	AutoInvoice      AutoInvoice // what marking a session attended does
	// NoStandaloneInvoices turns off invoices made by hand (POST
	// /v1/invoices): a case-based lab's invoices come only from cases.
	// The zero value, allowed, suits therapists.
	NoStandaloneInvoices bool
	// NoCardReceipts stops card payments made online from emailing their
	// receipt to the client's billing contact (on by default: the zero
	// value emails them).
	NoCardReceipts bool
	// StatementsAtClose says whether closing a billing cycle also sends
	// each statement it writes to the client's billing contact: not at
	// all (the zero value), by email, or by email and text.
	StatementsAtClose StatementsAtClose
	// StripeAccountID is the org's Stripe connected account ("acct_…"),
	// which card payments are transferred to. Operators set it; admins
	// cannot change it through the API, and no Stripe key is ever an
	// org's.
	StripeAccountID string
	// Cycles is the billing-cycle plan: the schedules in force over time.
	// Empty means calendar months from the org's first day (see Plan).
	Cycles cycle.Plan
	// Reminders is the schedule of overdue reminders (off by default).
	Reminders reminder.Schedule
	// ReissueSameNumber lets "void and re-issue" keep the voided invoice's
	// number with a revision suffix, as plan managers often ask.
	ReissueSameNumber bool
	// Bank is where clients pay by bank transfer; printed on invoices.
	Bank BankAccount
}

// Org is a tenant.
type Org struct {
	ID       string
	Settings Settings
	// ClosedThrough is the last day of the last billing cycle closed: an
	// invoice, payment or credit-note date on or before it is refused.
	ClosedThrough calendar.Date
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Defaults for a new Australian care business.
func Defaults(name string) Settings {
	return Settings{
		Name: name, LegalName: name, TaxIDLabel: "ABN",
		Currency: money.MustCurrency("AUD"), TaxRate: decimal.NewFromInt(10),
		PaymentTermsDays: 14, NumberPrefix: "INV-", Colour: "#1F6FEB",
		Timezone: "Australia/Sydney", LockingPolicy: LockManually,
		FeePolicy: FeePolicy{Mode: FeeAbsorb}, Reminders: reminder.Default(), Accounting: DefaultAccounting(),
		AutoInvoice: DefaultAutoInvoice(),
	}
}

// New makes an org with s, which must be valid.
func New(id string, s Settings, now time.Time) (*Org, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &Org{ID: id, Settings: s, CreatedAt: now, UpdatedAt: now}, nil
}

// Update replaces the settings.
func (o *Org) Update(s Settings, now time.Time) error {
	if err := s.Validate(); err != nil {
		return err
	}
	o.Settings, o.UpdatedAt = s, now
	return nil
}

// Location is the org's time zone (validated, so never nil).
func (o *Org) Location() *time.Location {
	loc, err := time.LoadLocation(o.Settings.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

var (
	colourRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9/_-]{0,12}$`)
)

// Validate checks settings.
func (s Settings) Validate() error {
	for _, f := range []struct {
		name, v  string
		required bool
		max      int
	}{
		{"name", s.Name, true, 200}, {"legalName", s.LegalName, true, 200},
		{"taxIdLabel", s.TaxIDLabel, false, 20}, {"taxId", s.TaxID, false, 40},
		{"email", s.Email, false, 254}, {"phone", s.Phone, false, 40},
		{"address", s.Address, false, 500}, {"logoUrl", s.LogoURL, false, 2000},
	} {
		if err := validation.Text(f.name, f.v, f.required, f.max); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{
		{"name", s.Name}, {"legalName", s.LegalName}, {"taxIdLabel", s.TaxIDLabel}, {"taxId", s.TaxID},
		{"email", s.Email}, {"phone", s.Phone}, {"logoUrl", s.LogoURL},
	} {
		if err := validation.FreeText(f.name, f.v, false); err != nil {
			return err
		}
	}
	if err := validation.FreeText("address", s.Address, true); err != nil {
		return err
	}
	if s.Email != "" {
		if err := validation.Email("email", s.Email); err != nil {
			return err
		}
	}
	if s.Phone != "" {
		if err := validation.Phone("phone", s.Phone); err != nil {
			return err
		}
	}
	if s.Currency.IsZero() {
		return validation.Errorf("currency", "is required")
	}
	if s.TaxRate.IsNegative() || s.TaxRate.GreaterThan(decimal.NewFromInt(100)) {
		return validation.Errorf("taxRate", "must be between 0 and 100")
	}
	if s.PaymentTermsDays < 0 || s.PaymentTermsDays > 365 {
		return validation.Errorf("paymentTermsDays", "must be between 0 and 365")
	}
	if !prefixRE.MatchString(s.NumberPrefix) {
		return validation.Errorf("numberPrefix", "must be up to 12 letters, digits, '/', '_' or '-'")
	}
	if s.Colour != "" && !colourRE.MatchString(s.Colour) {
		return validation.Errorf("colour", "must be a colour such as #1F6FEB")
	}
	if s.LogoURL != "" && !strings.HasPrefix(s.LogoURL, "https://") {
		return validation.Errorf("logoUrl", "must be an https:// address")
	}
	if _, err := time.LoadLocation(s.Timezone); err != nil || s.Timezone == "" || s.Timezone == "Local" {
		return validation.Errorf("timezone", "must be an IANA time zone such as Australia/Sydney")
	}
	switch s.LockingPolicy {
	case LockManually, LockOnStatement, LockOnCycle, LockOnCreation:
	default:
		return validation.Errorf("lockingPolicy", "must be manual, on_statement, on_cycle_close or on_creation")
	}
	switch s.StatementsAtClose {
	case "", StatementsKept, StatementsByEmail, StatementsByEmailAndText:
	default:
		return validation.Errorf("sendStatementsAtClose", "must be off, email or email_and_text")
	}
	if err := s.FeePolicy.Validate(s.Currency); err != nil {
		return err
	}
	if err := s.Accounting.Validate(); err != nil {
		return err
	}
	if err := s.AutoInvoice.Validate(); err != nil {
		return err
	}
	if s.StripeAccountID != "" && !ValidStripeAccount(s.StripeAccountID) {
		return validation.Errorf("stripeAccountId", "must be a Stripe connected account id such as acct_1Nv0FGQ9RKHgCVdK")
	}
	for _, c := range s.Cycles {
		if err := c.Schedule.Validate(); err != nil {
			return validation.Errorf("billingCycle", "%s", strings.TrimPrefix(err.Error(), cycle.ErrInvalid.Error()+": "))
		}
	}
	if err := s.Reminders.Validate(); err != nil {
		return validation.Errorf("reminders", "%s", strings.TrimPrefix(err.Error(), reminder.ErrInvalid.Error()+": "))
	}
	if err := s.Bank.Validate(); err != nil {
		return err
	}
	if s.TaxIDLabel == "ABN" && s.TaxID != "" && !ValidABN(s.TaxID) {
		return validation.Errorf("taxId", "is not a valid ABN (11 digits with a correct checksum)")
	}
	return nil
}

// NormalizeABN is an ABN as files and claims carry it: digits only (the
// spaces it may be typed and shown with, as in "51 824 753 556", dropped).
func NormalizeABN(s string) string { return strings.ReplaceAll(s, " ", "") }

// ValidABN checks an Australian Business Number: 11 digits (spaces
// allowed) whose weighted checksum, after subtracting 1 from the first
// digit, is divisible by 89.
func ValidABN(s string) bool {
	digits := NormalizeABN(s)
	if len(digits) != 11 {
		return false
	}
	weights := [11]int{10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19}
	sum := 0
	for i, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
		n := int(r - '0')
		if i == 0 {
			n--
		}
		sum += n * weights[i]
	}
	return sum%89 == 0
}
