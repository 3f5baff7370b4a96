package org

import (
	"regexp"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

// FeeMode says who pays the card processing fee of a payment by card.
type FeeMode string

// Fee modes.
const (
	// FeeAbsorb: the business pays the fee; the client pays the balance.
	FeeAbsorb FeeMode = "absorb"
	// FeePassThrough: the client pays a fee on top of the balance.
	FeePassThrough FeeMode = "pass_through"
)

// Limits of a pass-through fee, so a typo cannot charge a client a fortune.
var (
	MaxFeePercent = decimal.NewFromInt(10)
	MaxFeeFixed   = decimal.NewFromInt(100)
)

// FeePolicy decides the processing fee a client pays on top of what they
// owe when paying by card. The zero value absorbs fees.
type FeePolicy struct {
	Mode    FeeMode
	Percent decimal.Decimal // of the amount paid: "1.75" is 1.75%
	Fixed   decimal.Decimal // per payment, in the invoice's currency
}

// Fee is what a client paying amount by card pays on top of it: nothing
// when the business absorbs fees, else amount × Percent / 100 + Fixed,
// rounded once to the currency's minor unit, half away from zero. The fee
// is not grossed up: it is a price the business sets, shown to the client
// before paying, not a reconstruction of the processor's own fee.
func (p FeePolicy) Fee(amount decimal.Decimal, c money.Currency) decimal.Decimal {
	if p.Mode != FeePassThrough || !amount.IsPositive() {
		return decimal.Zero
	}
	return c.Round(amount.Mul(p.Percent).Div(decimal.NewFromInt(100)).Add(p.Fixed))
}

// Validate checks the policy against the org's currency, in which the
// fixed part must be a whole number of minor units.
func (p FeePolicy) Validate(c money.Currency) error {
	switch p.Mode {
	case FeeAbsorb, "":
		if !p.Percent.IsZero() || !p.Fixed.IsZero() {
			return validation.Errorf("feePolicy", "an absorbed fee has no percent or fixed amount")
		}
	case FeePassThrough:
		switch {
		case p.Percent.IsNegative() || p.Percent.GreaterThan(MaxFeePercent):
			return validation.Errorf("feePolicy.percent", "must be between 0 and %s", MaxFeePercent)
		case p.Fixed.IsNegative() || p.Fixed.GreaterThan(MaxFeeFixed):
			return validation.Errorf("feePolicy.fixed", "must be between 0 and %s", MaxFeeFixed)
		case !p.Fixed.Equal(p.Fixed.Truncate(c.MinorUnits())):
			return validation.Errorf("feePolicy.fixed", "has more decimal places than %s allows", c.Code())
		case p.Percent.IsZero() && p.Fixed.IsZero():
			return validation.Errorf("feePolicy", "a pass-through fee needs a percent or a fixed amount")
		}
	default:
		return validation.Errorf("feePolicy.mode", "must be absorb or pass_through")
	}
	return nil
}

// stripeAccountRE matches a Stripe connected account id. Only the id is
// ever stored: orgs never hold Stripe keys.
// Compiled on first use, not at every function's cold start.
var stripeAccountRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^acct_[A-Za-z0-9]{1,64}$`) })

// ValidStripeAccount reports whether s looks like a connected account id.
func ValidStripeAccount(s string) bool { return stripeAccountRE().MatchString(s) }
