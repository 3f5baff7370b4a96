package invoice

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// LineType says how a line's amount is found.
type LineType string

// Line types: variable lines are quantity × rate, fixed lines a set amount.
const (
	Variable LineType = "variable"
	Fixed    LineType = "fixed"
)

// Unit is what a variable line's quantity counts.
type Unit string

// Units a variable line may count.
const (
	Hours Unit = "hours"
	Miles Unit = "miles"
	Km    Unit = "km"
	Each  Unit = "each"
)

// Limits on what one line may hold. They keep every total far inside what
// DynamoDB's 38-digit numbers and a person's eye can handle.
var (
	MaxQuantity  = decimal.NewFromInt(100_000)
	MaxRate      = decimal.NewFromInt(1_000_000)
	MaxAmount    = decimal.NewFromInt(10_000_000)
	MaxTotal     = decimal.NewFromInt(100_000_000)
	MaxTaxRate   = decimal.NewFromInt(100)
	hundred      = decimal.NewFromInt(100)
	QuantityPlcs = int32(4) // quantities and rates may carry 4 decimal places
)

// Line is one charge on an invoice.
type Line struct {
	Type        LineType
	Description string
	PeriodStart calendar.Date
	PeriodEnd   calendar.Date
	Quantity    decimal.Decimal // variable lines
	Unit        Unit            // variable lines
	Rate        decimal.Decimal // variable lines, per unit
	Price       decimal.Decimal // fixed lines
	Discount    decimal.Decimal // taken off this line, before tax
	TaxRate     decimal.Decimal // percent, e.g. 10 for 10%
	SupportItem string          // NDIS support catalogue number
}

// gross is the line before discount and rounding.
func (l Line) gross() decimal.Decimal {
	if l.Type == Variable {
		return l.Quantity.Mul(l.Rate)
	}
	return l.Price
}

// Amount is the line's amount: (quantity × rate or price) − discount,
// rounded once to the currency's minor unit, half away from zero.
func (l Line) Amount(cur money.Currency) decimal.Decimal {
	return cur.Round(l.gross().Sub(l.Discount))
}

func (l Line) validate(cur money.Currency) error {
	if err := validation.Text("description", l.Description, true, 500); err != nil {
		return err
	}
	if err := validation.Text("supportItem", l.SupportItem, false, 40); err != nil {
		return err
	}
	switch l.Type {
	case Variable:
		switch l.Unit {
		case Hours, Miles, Km, Each:
		default:
			return validation.Errorf("unit", "must be one of hours, miles, km, each")
		}
		if err := bounded("quantity", l.Quantity, MaxQuantity, QuantityPlcs); err != nil {
			return err
		}
		if err := bounded("rate", l.Rate, MaxRate, QuantityPlcs); err != nil {
			return err
		}
		if !l.Price.IsZero() {
			return validation.Errorf("amount", "is only for fixed lines; a variable line is quantity × rate")
		}
	case Fixed:
		if err := bounded("amount", l.Price, MaxAmount, cur.MinorUnits()); err != nil {
			return err
		}
		if !l.Quantity.IsZero() || !l.Rate.IsZero() {
			return validation.Errorf("quantity", "quantity and rate are only for variable lines")
		}
	default:
		return validation.Errorf("type", `must be "variable" or "fixed"`)
	}
	if err := bounded("discount", l.Discount, MaxAmount, cur.MinorUnits()); err != nil {
		return err
	}
	if l.Discount.GreaterThan(l.gross()) {
		return validation.Errorf("discount", "%s is more than the line's %s", l.Discount, cur.String(l.gross()))
	}
	if l.gross().GreaterThan(MaxAmount) {
		return validation.Errorf("amount", "the line comes to more than %s", MaxAmount)
	}
	if err := bounded("taxRate", l.TaxRate, MaxTaxRate, 4); err != nil {
		return err
	}
	if !l.PeriodStart.IsZero() && !l.PeriodEnd.IsZero() && l.PeriodEnd.Before(l.PeriodStart) {
		return validation.Errorf("periodEnd", "is before periodStart")
	}
	return nil
}

// bounded checks 0 ≤ d ≤ max with at most places decimal places.
func bounded(field string, d, max decimal.Decimal, places int32) error {
	switch {
	case d.IsNegative():
		return validation.Errorf(field, "must not be negative")
	case d.GreaterThan(max):
		return validation.Errorf(field, "must be at most %s", max)
	case !d.Equal(d.Truncate(places)):
		return validation.Errorf(field, "must have at most %d decimal places", places)
	}
	return nil
}

// Fee is a charge added after tax, such as a payment processing fee.
type Fee struct {
	Description string
	Amount      decimal.Decimal
}

func (f Fee) validate(cur money.Currency) error {
	if err := validation.Text("description", f.Description, true, 200); err != nil {
		return err
	}
	return bounded("amount", f.Amount, MaxAmount, cur.MinorUnits())
}

// TaxLine is the tax charged at one rate.
type TaxLine struct {
	Rate decimal.Decimal // percent
	Base decimal.Decimal // sum of the line amounts at this rate
	Tax  decimal.Decimal
}

// Totals are an invoice's sums. Invariants: Subtotal is the sum of the
// line amounts, Tax the sum of TaxByRate, Total = Subtotal + Tax + Fees.
type Totals struct {
	Subtotal  decimal.Decimal
	TaxByRate []TaxLine // ascending by rate, zero rates left out
	Tax       decimal.Decimal
	Fees      decimal.Decimal
	Total     decimal.Decimal
}

// ComputeTotals adds up lines and fees with tax rounded once per rate
// (PerRate); ComputeTotalsRounded takes the method.
func ComputeTotals(cur money.Currency, lines []Line, fees []Fee) Totals {
	return ComputeTotalsRounded(cur, PerRate, lines, fees)
}

func lineField(i int) string { return fmt.Sprintf("lineItems[%d]", i) }
