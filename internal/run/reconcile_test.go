package run

import (
	"strings"
	"testing"
)

func TestResultsMatchColumnsByName(t *testing.T) {
	t.Parallel()
	// Columns out of order, spelt loosely, with a byte order mark.
	file := "\ufeffPayment Request Status,Error Message,Claim Reference,Capped Price Applied,Paid Total Amount\r\n" +
		"SUCCESSFUL,,INV-00001-01,N,150.21\r\n" +
		"ERROR,C15 Provider not registered for item,INV-00001-02,,0\r\n" +
		"SUCCESSFUL,,INV-00002-01,Y,\"$1,000.00\"\r\n"
	rs, err := ParseResults(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || !rs[0].Successful || !rs[0].Paid.Equal(amt("150.21")) || rs[1].Successful || rs[1].Code != "C15" || !rs[2].Capped || !rs[2].Paid.Equal(amt("1000")) {
		t.Fatalf("results = %+v", rs)
	}
	if Fixes[rs[1].Code] == "" {
		t.Error("C15 has no fix in words")
	}
	for name, bad := range map[string]string{
		"no ref column": "Status,Paid\nSUCCESSFUL,1\n",
		"bad status":    "ClaimReference,Status\nX,MAYBE\n",
		"bad amount":    "ClaimReference,Status,PaidTotalAmount\nX,SUCCESSFUL,1.2.3\n",
		"empty":         "",
	} {
		if _, err := ParseResults(strings.NewReader(bad)); !isValidation(err) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestRemittanceReadsBothDateOrders(t *testing.T) {
	t.Parallel()
	file := "PayeeBP,Z4No,FinYrs,PayReqNum,PayReqDocDate,ProvClaimRef,ItemID,ItemQty,UnitPrice,AmountClaimed,AmountPaid,ParticipantBP,ParticipantName,SupportStartDate,SupportEndDate,ServiceBookingNum,BulkClmId,ClaimType,CancelRsn\n" +
		"1,2,2026,9,05122026,INV-00001-01,07_002_0106_8_3,1.5,100.14,150.21,150.21,3,Ada,2026-11-05,2026-11-05,,N261130ABCD-01.csv,,\n" +
		"1,2,2026,9,20261205,INV-00002-01,07_002_0106_8_3,1.5,100.14,150.21,140.00,3,Ben,2026-11-05,2026-11-05,,N261130ABCD-01.csv,,\n"
	rs, err := ParseRemittance(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].DocDate != day("2026-12-05") || rs[1].DocDate != day("2026-12-05") || !rs[1].Paid.Equal(amt("140")) || !rs[1].Claimed.Equal(amt("150.21")) || rs[0].BulkClaimID != "N261130ABCD-01.csv" {
		t.Fatalf("remittance = %+v", rs)
	}
	// Reordered columns match by name.
	rs, err = ParseRemittance(strings.NewReader("AmountPaid,ProvClaimRef\n10.00,INV-00003-01\n"))
	if err != nil || rs[0].Ref != "INV-00003-01" || !rs[0].Paid.Equal(amt("10")) {
		t.Fatalf("reordered: %+v %v", rs, err)
	}
	if _, err := ParseRemittance(strings.NewReader("ProvClaimRef,AmountPaid,PayReqDocDate\nX,1,31312026\n")); !isValidation(err) {
		t.Errorf("bad date: %v", err)
	}
}

// The trial's file had an error code column before the message: the
// message was lost and the code shown twice.
func TestResultsKeepCodeAndMessageApart(t *testing.T) {
	t.Parallel()
	for _, header := range []string{
		"ClaimReference,PaymentRequestStatus,ErrorCode,ErrorMessage",
		"Claim Reference,Status,Error Code,Error Description",
		"ClaimRef,Claim Status,Rejection Code,Rejection Reason",
		"ProvClaimRef,Status,Code,Message",
		"Claim Reference,Status,Reason Code,Error",
	} {
		rs, err := ParseResults(strings.NewReader(header + "\nINV-00001-01,ERROR,C09,Service booking does not include the item\n"))
		if err != nil {
			t.Fatalf("%s: %v", header, err)
		}
		if len(rs) != 1 || rs[0].Code != "C09" || rs[0].Message != "Service booking does not include the item" {
			t.Errorf("%s: results = %+v", header, rs)
		}
	}
	// Echoed bulk columns are not the message.
	rs, err := ParseResults(strings.NewReader("ClaimReference,CancellationReason,Status,ErrorMessage\nX,,ERROR,C22 no plan\n"))
	if err != nil || rs[0].Code != "C22" || rs[0].Message != "C22 no plan" {
		t.Fatalf("results = %+v, %v", rs, err)
	}
	_, err = ParseResults(strings.NewReader("Reference,Status,ErrorCode,ErrorMessage\nX,ERROR,C09,m\n"))
	if !isValidation(err) || !strings.Contains(err.Error(), "ClaimReference, Claim Reference, ClaimRef, ProvClaimRef") {
		t.Fatalf("no claim reference column: err = %v", err)
	}
}
