package httpapi

import "github.com/carebill/carebill/internal/org"

// bankJSON is an org's bank account for transfers, printed on invoices:
// {"accountName","bsb","accountNumber"} or {"accountName","iban"}. A PATCH
// replaces it whole (null removes it); numbers may carry spaces or a BSB
// hyphen and come back normalized ("063-000", "12345678", an IBAN in
// upper case without spaces).
type bankJSON struct {
	AccountName   string `json:"accountName"`
	BSB           string `json:"bsb,omitempty"`
	AccountNumber string `json:"accountNumber,omitempty"`
	IBAN          string `json:"iban,omitempty"`
}

func bankOf(st org.Settings) *bankJSON {
	b := st.Bank
	if b.IsZero() {
		return nil
	}
	return &bankJSON{AccountName: b.AccountName, BSB: b.BSB, AccountNumber: b.AccountNumber, IBAN: b.IBAN}
}

func applyBank(st *org.Settings, p opt[bankJSON]) {
	if !p.Set {
		return
	}
	if p.Null {
		st.Bank = org.BankAccount{}
		return
	}
	st.Bank = org.BankAccount{AccountName: p.V.AccountName, BSB: p.V.BSB, AccountNumber: p.V.AccountNumber, IBAN: p.V.IBAN}.Normalize()
}
