package run

import (
	"strings"
	"testing"
)

// FuzzParseResults: an NDIA results file is whatever a coordinator
// uploads. ParseResults never panics, refuses what it cannot read with a
// validation error (a 400 naming the file, never a 500), and what it
// accepts has a claim reference and a paid amount of whole cents that is
// not negative on every row.
func FuzzParseResults(f *testing.F) {
	for _, s := range []string{
		"\ufeffPayment Request Status,Error Message,Claim Reference,Capped Price Applied,Paid Total Amount\r\nSUCCESSFUL,,INV-00001-01,N,150.21\r\nERROR,C15 Provider not registered,INV-00001-02,,0\r\n",
		"ClaimReference,Status,Code,Message\nX,ERROR,A01,\"quoted, comma\"\n",
		"Status,Paid\nSUCCESSFUL,1\n",
		"ClaimReference,Status,PaidTotalAmount\nX,SUCCESSFUL,\"$1,000.00\"\n",
		"ClaimReference,Status\nX,MAYBE\n",
		"",
		"\"unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		rs, err := ParseResults(strings.NewReader(file))
		if err != nil {
			if !isValidation(err) {
				t.Fatalf("ParseResults(%q) = %v, want a validation error", file, err)
			}
			return
		}
		for i, r := range rs {
			if r.Ref == "" || r.Paid.IsNegative() || !r.Paid.Equal(r.Paid.Truncate(2)) {
				t.Fatalf("ParseResults(%q) row %d = %+v", file, i, r)
			}
		}
	})
}

// FuzzParseRemittance: the NDIA's remittance advice, uploaded as it came.
// ParseRemittance never panics, refuses what it cannot read with a
// validation error, and every row it accepts has a claim reference and
// amounts of whole cents that are not negative.
func FuzzParseRemittance(f *testing.F) {
	for _, s := range []string{
		"PayReqDocDate,ProvClaimRef,AmountClaimed,AmountPaid,BulkClmId\n05122026,INV-00001-01,150.21,150.21,N261130ABCD-01.csv\n20261205,INV-00002-01,150.21,140.00,\n",
		"AmountPaid,ProvClaimRef\n10.00,INV-00003-01\n",
		"ProvClaimRef,AmountPaid,PayReqDocDate\nX,1,31312026\n",
		"ProvClaimRef,AmountPaid\nX,-1\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		rs, err := ParseRemittance(strings.NewReader(file))
		if err != nil {
			if !isValidation(err) {
				t.Fatalf("ParseRemittance(%q) = %v, want a validation error", file, err)
			}
			return
		}
		for i, r := range rs {
			if r.Ref == "" || r.Paid.IsNegative() || r.Claimed.IsNegative() ||
				!r.Paid.Equal(r.Paid.Truncate(2)) || !r.Claimed.Equal(r.Claimed.Truncate(2)) {
				t.Fatalf("ParseRemittance(%q) row %d = %+v", file, i, r)
			}
		}
	})
}
