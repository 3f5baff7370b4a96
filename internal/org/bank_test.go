package org

import (
	"testing"

	"github.com/carebill/carebill/internal/validation"
)

func TestValidIBAN(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"GB82WEST12345698765432":      true, // the ECBS example
		"DE89370400440532013000":      true,
		"FR1420041010050500013M02606": true,
		"GB82WEST12345698765433":      false, // one digit off
		"GB28WEST12345698765432":      false, // wrong check digits
		"gb82WEST12345698765432":      false, // normalized form is upper case
		"GB82WEST1234":                false,
		"1282WEST12345698765432":      false,
		"GB82WEST12345698765432!":     false,
	} {
		if ValidIBAN(s) != want {
			t.Errorf("ValidIBAN(%q) = %v", s, !want)
		}
	}
}

func TestBankAccount(t *testing.T) {
	t.Parallel()
	ok := []BankAccount{
		{},
		{AccountName: "Bright Care Pty Ltd", BSB: "063 000", AccountNumber: "1234 5678"},
		{AccountName: "Bright Care Pty Ltd", BSB: "063000", AccountNumber: "12345"},
		{AccountName: "Bright Care GmbH", IBAN: "de89 3704 0044 0532 0130 00"},
	}
	for _, b := range ok {
		if err := b.Normalize().Validate(); err != nil {
			t.Errorf("%+v: %v", b, err)
		}
	}
	if got := (BankAccount{BSB: "063 000", AccountNumber: "1234 5678", IBAN: "de89 3704"}).Normalize(); got.BSB != "063-000" || got.AccountNumber != "12345678" || got.IBAN != "DE893704" {
		t.Errorf("normalized: %+v", got)
	}
	bad := map[string]BankAccount{
		"bankAccount.accountName":   {BSB: "063-000", AccountNumber: "12345678"},
		"bankAccount.bsb":           {AccountName: "A", BSB: "06300", AccountNumber: "12345678"},
		"bankAccount.accountNumber": {AccountName: "A", BSB: "063-000", AccountNumber: "1234"},
		"bankAccount":               {AccountName: "A"},
		"bankAccount.iban":          {AccountName: "A", IBAN: "GB82WEST12345698765433"},
	}
	for field, b := range bad {
		v, ok := validation.As(b.Normalize().Validate())
		if !ok || v.Field != field {
			t.Errorf("%+v: got %v, want an error on %s", b, v, field)
		}
	}
	long := BankAccount{AccountName: "A", BSB: "063-000", AccountNumber: "1234567890"}
	if v, ok := validation.As(long.Normalize().Validate()); !ok || v.Field != "bankAccount.accountNumber" {
		t.Errorf("10-digit account: %v", v)
	}
	both := BankAccount{AccountName: "A", BSB: "063-000", AccountNumber: "12345678", IBAN: "DE89370400440532013000"}
	if v, ok := validation.As(both.Normalize().Validate()); !ok || v.Field != "bankAccount" {
		t.Errorf("both: %v", v)
	}
}
