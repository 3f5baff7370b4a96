package org

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

func TestFee(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	aud, jpy := money.MustCurrency("AUD"), money.MustCurrency("JPY")
	pass := func(pct, fixed string) FeePolicy {
		return FeePolicy{Mode: FeePassThrough, Percent: d(pct), Fixed: d(fixed)}
	}
	for _, c := range []struct {
		name   string
		policy FeePolicy
		amount string
		cur    money.Currency
		want   string
	}{
		{"absorbed", FeePolicy{Mode: FeeAbsorb}, "2260.50", aud, "0"},
		{"zero value absorbs", FeePolicy{}, "2260.50", aud, "0"},
		{"percent and fixed, rounded once", pass("1.75", "0.30"), "2260.50", aud, "39.86"},
		{"half a cent rounds away from zero", pass("1.5", "0"), "1.00", aud, "0.02"},
		{"fixed only", pass("0", "0.50"), "10.00", aud, "0.5"},
		{"no decimals in yen", pass("3.6", "0"), "10001", jpy, "360"},
		{"nothing owed, no fee", pass("1.75", "0.30"), "0", aud, "0"},
	} {
		if got := c.policy.Fee(d(c.amount), c.cur); !got.Equal(d(c.want)) {
			t.Errorf("%s: fee %s, want %s", c.name, got, c.want)
		}
	}
}

func TestFeePolicyValidation(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	aud := money.MustCurrency("AUD")
	for name, c := range map[string]struct {
		p     FeePolicy
		field string
	}{
		"unknown mode":       {FeePolicy{Mode: "sometimes"}, "feePolicy.mode"},
		"absorb with values": {FeePolicy{Mode: FeeAbsorb, Percent: d("1")}, "feePolicy"},
		"negative percent":   {FeePolicy{Mode: FeePassThrough, Percent: d("-1")}, "feePolicy.percent"},
		"huge percent":       {FeePolicy{Mode: FeePassThrough, Percent: d("25")}, "feePolicy.percent"},
		"sub-cent fixed":     {FeePolicy{Mode: FeePassThrough, Fixed: d("0.305")}, "feePolicy.fixed"},
		"huge fixed":         {FeePolicy{Mode: FeePassThrough, Fixed: d("500")}, "feePolicy.fixed"},
		"pass nothing":       {FeePolicy{Mode: FeePassThrough}, "feePolicy"},
	} {
		v, ok := validation.As(c.p.Validate(aud))
		if !ok || v.Field != c.field {
			t.Errorf("%s: got %v, want an error on %s", name, v, c.field)
		}
	}
	if err := (FeePolicy{Mode: FeePassThrough, Percent: d("1.75"), Fixed: d("0.30")}).Validate(aud); err != nil {
		t.Fatal(err)
	}
	s := Defaults("A")
	s.StripeAccountID = "sk_live_oops"
	if v, ok := validation.As(s.Validate()); !ok || v.Field != "stripeAccountId" {
		t.Fatalf("a key as account id: %v", v)
	}
	s.StripeAccountID = "acct_1Nv0FGQ9RKHgCVdK"
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}
