package org

import (
	"strings"

	"github.com/carebill/carebill/internal/validation"
)

// BankAccount is where clients pay by bank transfer, printed on invoices:
// an Australian BSB and account number, or an IBAN, and the account's
// name. The zero value means no bank details are printed.
type BankAccount struct {
	AccountName   string // as the bank holds it, e.g. "Bright Care Pty Ltd"
	BSB           string // six digits, stored "063-000"
	AccountNumber string // 5 to 9 digits
	IBAN          string // ISO 13616, stored upper case without spaces
}

// IsZero reports whether no bank details are set.
func (b BankAccount) IsZero() bool { return b == BankAccount{} }

// Normalize returns b with its numbers in their stored form: a BSB as
// "063-000", an account number and IBAN without spaces, an IBAN in upper
// case. Invalid values are left for Validate to report.
func (b BankAccount) Normalize() BankAccount {
	b.AccountName = strings.TrimSpace(b.AccountName)
	if d := strings.NewReplacer("-", "", " ", "").Replace(b.BSB); len(d) == 6 && digits(d) {
		b.BSB = d[:3] + "-" + d[3:]
	}
	b.AccountNumber = strings.NewReplacer(" ", "", "-", "").Replace(b.AccountNumber)
	b.IBAN = strings.ToUpper(strings.ReplaceAll(b.IBAN, " ", ""))
	return b
}

// Validate checks normalized bank details: an account name with either a
// BSB (6 digits) and an account number (5–9 digits, as Australian banks
// issue them), or an IBAN whose ISO 7064 mod 97-10 check digits are right.
func (b BankAccount) Validate() error {
	if b.IsZero() {
		return nil
	}
	if err := validation.Text("bankAccount.accountName", b.AccountName, true, 140); err != nil {
		return err
	}
	domestic := b.BSB != "" || b.AccountNumber != ""
	switch {
	case domestic && b.IBAN != "":
		return validation.Errorf("bankAccount", "give a BSB and account number, or an IBAN, not both")
	case !domestic && b.IBAN == "":
		return validation.Errorf("bankAccount", "needs a BSB and account number, or an IBAN")
	case domestic && (len(b.BSB) != 7 || b.BSB[3] != '-' || !digits(b.BSB[:3]+b.BSB[4:])):
		return validation.Errorf("bankAccount.bsb", "must be 6 digits, such as 063-000")
	case domestic && (len(b.AccountNumber) < 5 || len(b.AccountNumber) > 9 || !digits(b.AccountNumber)):
		return validation.Errorf("bankAccount.accountNumber", "must be 5 to 9 digits")
	case b.IBAN != "" && !ValidIBAN(b.IBAN):
		return validation.Errorf("bankAccount.iban", "is not a valid IBAN (country code, check digits, account; the check digits do not match)")
	}
	return nil
}

// ValidIBAN checks an IBAN without spaces (ISO 13616): two letters of
// country, two check digits, 11 to 30 letters or digits, and the whole,
// rotated and with letters as 10–35, leaves 1 modulo 97 (ISO 7064).
func ValidIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 || !letter(s[0]) || !letter(s[1]) || !digits(s[2:4]) {
		return false
	}
	rem := 0
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func letter(c byte) bool { return c >= 'A' && c <= 'Z' }
