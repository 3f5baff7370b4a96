// Package cases is case-based work: a lab or surgical case billed to a
// facility or office once its purchase orders arrive. A case's products
// carry their manufacturer; one PO for all manufacturers makes one
// invoice, separate POs make one invoice per manufacturer. It knows
// nothing of AWS or HTTP.
package cases

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// Expected outcomes callers act on.
var (
	ErrNotFound = errors.New("case not found")
	ErrConflict = errors.New("case was changed by someone else; reload and try again")
	// ErrState is returned for an action the case's status does not allow.
	ErrState = errors.New("the case's status does not allow this")
	// ErrInvoicePaid is returned when un-invoicing finds a paid invoice.
	ErrInvoicePaid = errors.New("an invoice of this case has payments; credit or refund them before un-invoicing")
)

// Status is where a case is in billing.
type Status string

// Statuses: pending_po until PO numbers are entered, pending_payment
// until invoiced, invoiced, then invoice_paid when marked so.
const (
	PendingPO      Status = "pending_po"
	PendingPayment Status = "pending_payment"
	Invoiced       Status = "invoiced"
	InvoicePaid    Status = "invoice_paid"
)

// MaxProducts caps the products on one case.
const MaxProducts = 200

// Product is a product or device used in a case.
type Product struct {
	Description  string
	Manufacturer string
	Lot          string
	Quantity     decimal.Decimal
	Rate         decimal.Decimal
	Discount     decimal.Decimal // an amount off this product, before tax
}

// Spec is what a coordinator or rep enters about a case.
type Spec struct {
	ClientID     string // the billing account: facility or office
	Doctor       string // doctor or surgeon
	Patient      string // optional reference (initials, chart number)
	EventDate    calendar.Date
	Products     []Product
	BillingNotes string // becomes the invoice memo
}

// POs are a case's purchase order numbers: one for all manufacturers, or
// one per manufacturer.
type POs struct {
	All            string
	ByManufacturer map[string]string
}

// Billed is one invoice a case made: for one manufacturer's products
// ("" = all of them) under one PO.
type Billed struct {
	InvoiceID    string
	Manufacturer string
	PO           string
}

// Case is one lab or surgical case.
type Case struct {
	ID                 string
	OrgID              string
	Spec               Spec
	Currency           money.Currency // the org's when the case was opened
	POs                POs
	Status             Status
	Invoices           []Billed
	CommissionPaid     bool
	CommissionPaidDate calendar.Date
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Validate checks a spec for its billing currency.
func (s Spec) Validate(cur money.Currency) error {
	if s.ClientID == "" {
		return validation.Errorf("clientId", "is required (the facility or office billed)")
	}
	for _, f := range []struct {
		name, v  string
		required bool
		max      int
	}{{"doctor", s.Doctor, true, 200}, {"patient", s.Patient, false, 100}, {"billingNotes", s.BillingNotes, false, 2000}} {
		if err := validation.Text(f.name, f.v, f.required, f.max); err != nil {
			return err
		}
	}
	if s.EventDate.IsZero() {
		return validation.Errorf("eventDate", "is required (YYYY-MM-DD)")
	}
	if len(s.Products) == 0 || len(s.Products) > MaxProducts {
		return validation.Errorf("products", "give 1 to %d products", MaxProducts)
	}
	for i, p := range s.Products {
		if err := p.validate(cur); err != nil {
			return validation.Prefix(fmt.Sprintf("products[%d]", i), err)
		}
	}
	return nil
}

func (p Product) validate(cur money.Currency) error {
	if err := validation.Text("description", p.Description, true, 500); err != nil {
		return err
	}
	if err := validation.Text("manufacturer", p.Manufacturer, true, 100); err != nil {
		return err
	}
	if err := validation.Text("lot", p.Lot, false, 60); err != nil {
		return err
	}
	l := p.line()
	l.TaxRate = decimal.Zero
	sp := invoice.Spec{ClientID: "x", Name: "x", Currency: cur, Lines: []invoice.Line{l}}
	if err := sp.Validate(); err != nil {
		if v, ok := validation.As(err); ok {
			return validation.Errorf(stripLine(v.Field), "%s", v.Message)
		}
		return err
	}
	return nil
}

// stripLine turns "lineItems[0].rate" into "rate".
func stripLine(field string) string {
	const pre = "lineItems[0]."
	if len(field) > len(pre) && field[:len(pre)] == pre {
		return field[len(pre):]
	}
	return field
}

// line is the invoice line of a product; the tax rate is left to the
// billing account's defaults.
func (p Product) line() invoice.Line {
	desc := p.Description
	if p.Lot != "" {
		desc += " (lot " + p.Lot + ")"
	}
	return invoice.Line{Type: invoice.Variable, Description: p.Manufacturer + " – " + desc, Quantity: p.Quantity,
		Unit: invoice.Each, Rate: p.Rate, Discount: p.Discount}
}

// Value is the case's products before tax, rounded per line: what the
// pending-PO list totals.
func (c *Case) Value() decimal.Decimal {
	var v decimal.Decimal
	for _, p := range c.Spec.Products {
		v = v.Add(p.line().Amount(c.Currency))
	}
	return v
}

// New opens a case, pending its PO.
func New(id, orgID string, s Spec, cur money.Currency, now time.Time) (*Case, error) {
	if err := s.Validate(cur); err != nil {
		return nil, err
	}
	return &Case{ID: id, OrgID: orgID, Spec: s, Currency: cur, Status: PendingPO, CreatedAt: now, UpdatedAt: now}, nil
}

// Edit replaces the spec of a case not yet invoiced; its POs are checked
// again against the new manufacturers.
func (c *Case) Edit(s Spec, now time.Time) error {
	if c.Status == Invoiced || c.Status == InvoicePaid {
		return fmt.Errorf("edit case %s (%s): un-invoice it first: %w", c.ID, c.Status, ErrState)
	}
	if err := s.Validate(c.Currency); err != nil {
		return err
	}
	c.Spec, c.UpdatedAt = s, now
	if c.Status == PendingPayment && c.checkPOs(c.POs) != nil {
		c.Status = PendingPO
	}
	return nil
}

// Manufacturers are the case's manufacturers, sorted.
func (c *Case) Manufacturers() []string {
	var ms []string
	for _, p := range c.Spec.Products {
		if !slices.Contains(ms, p.Manufacturer) {
			ms = append(ms, p.Manufacturer)
		}
	}
	slices.Sort(ms)
	return ms
}

// poRE is a purchase order number: letters, digits, spaces and . _ / # -,
// starting with a letter or digit (it goes on invoices and into CSVs as is).
// Compiled on first use: the bounded repeat makes a large program, which
// was the costliest package init of the invoicing function.
var poRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._/#-]{0,99}$`) })

func checkPO(field, po string) error {
	if !poRE().MatchString(po) {
		return validation.Errorf(field, "must be 1 to 100 letters, digits, spaces or . _ / # -, starting with a letter or digit")
	}
	return nil
}

// checkPOs checks that pos cover every manufacturer exactly one way.
func (c *Case) checkPOs(pos POs) error {
	if pos.All != "" {
		if err := checkPO("purchaseOrders.all", pos.All); err != nil {
			return err
		}
	}
	ms := c.Manufacturers()
	if pos.All != "" {
		if len(pos.ByManufacturer) > 0 {
			return validation.Errorf("purchaseOrders", "give one PO for all manufacturers or one per manufacturer, not both")
		}
		return nil
	}
	if len(pos.ByManufacturer) == 0 {
		return validation.Errorf("purchaseOrders", "give a PO for all manufacturers or one for each of %v", ms)
	}
	for m, po := range pos.ByManufacturer {
		if !slices.Contains(ms, m) {
			return validation.Errorf("purchaseOrders.byManufacturer", "%q has no products on this case", m)
		}
		if err := checkPO("purchaseOrders.byManufacturer."+m, po); err != nil {
			return err
		}
	}
	for _, m := range ms {
		if pos.ByManufacturer[m] == "" {
			return validation.Errorf("purchaseOrders.byManufacturer", "needs a PO for %q too", m)
		}
	}
	return nil
}

// SetPOs records the case's purchase orders: pending_po → pending_payment.
// They may be corrected until the case is invoiced.
func (c *Case) SetPOs(pos POs, now time.Time) error {
	if c.Status != PendingPO && c.Status != PendingPayment {
		return fmt.Errorf("set POs of case %s (%s): un-invoice it first: %w", c.ID, c.Status, ErrState)
	}
	if err := c.checkPOs(pos); err != nil {
		return err
	}
	c.POs, c.Status, c.UpdatedAt = pos, PendingPayment, now
	return nil
}

// Group is the products one invoice bills.
type Group struct {
	Manufacturer string // "" = all manufacturers under one PO
	PO           string
	Lines        []invoice.Line
}

// Groups are the case's invoices to be: one for all manufacturers under
// POs.All, else one per manufacturer (sorted by name) under its PO.
func (c *Case) Groups() []Group {
	if c.POs.All != "" {
		g := Group{PO: c.POs.All}
		for _, p := range c.Spec.Products {
			g.Lines = append(g.Lines, p.line())
		}
		return []Group{g}
	}
	var out []Group
	for _, m := range c.Manufacturers() {
		g := Group{Manufacturer: m, PO: c.POs.ByManufacturer[m]}
		for _, p := range c.Spec.Products {
			if p.Manufacturer == m {
				g.Lines = append(g.Lines, p.line())
			}
		}
		out = append(out, g)
	}
	return out
}

// StartInvoicing moves a case with its POs to invoiced under the given
// invoice ids, one per group (newID makes them). The ids are fixed here,
// in the case's own conditional write, so a repeated request finishes
// the same invoices.
func (c *Case) StartInvoicing(newID func() string, now time.Time) error {
	if c.Status != PendingPayment {
		if c.Status == PendingPO {
			return fmt.Errorf("invoice case %s: enter its purchase orders first: %w", c.ID, ErrState)
		}
		return fmt.Errorf("invoice case %s (%s): %w", c.ID, c.Status, ErrState)
	}
	c.Invoices = nil
	for _, g := range c.Groups() {
		c.Invoices = append(c.Invoices, Billed{InvoiceID: newID(), Manufacturer: g.Manufacturer, PO: g.PO})
	}
	c.Status, c.UpdatedAt = Invoiced, now
	return nil
}

// Release returns an un-invoiced case to pending_payment, its POs kept;
// invoicing it again issues new invoices and numbers.
func (c *Case) Release(now time.Time) error {
	if c.Status != Invoiced {
		return fmt.Errorf("un-invoice case %s (%s): %w", c.ID, c.Status, ErrState)
	}
	c.Invoices, c.Status, c.UpdatedAt = nil, PendingPayment, now
	return nil
}

// MarkInvoicePaid records that the case's invoices were paid.
func (c *Case) MarkInvoicePaid(now time.Time) error {
	if c.Status != Invoiced {
		return fmt.Errorf("mark case %s paid (%s): %w", c.ID, c.Status, ErrState)
	}
	c.Status, c.UpdatedAt = InvoicePaid, now
	return nil
}

// MarkCommissionPaid records the rep's commission as paid on date.
func (c *Case) MarkCommissionPaid(date calendar.Date, now time.Time) error {
	if date.IsZero() {
		return validation.Errorf("date", "is required (YYYY-MM-DD)")
	}
	if c.Status != Invoiced && c.Status != InvoicePaid {
		return fmt.Errorf("mark commission of case %s (%s): invoice it first: %w", c.ID, c.Status, ErrState)
	}
	c.CommissionPaid, c.CommissionPaidDate, c.UpdatedAt = true, date, now
	return nil
}
