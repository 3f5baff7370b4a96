package httpapi_test

import "testing"

// balances reads a client's owing and credit.
func balances(s *session, cid string) (owing, credit string) {
	c := s.must(200, "GET", "/v1/clients/"+cid, nil)
	return c.str("balance", "owing"), c.str("balance", "credit")
}

func wantBalances(t *testing.T, s *session, cid, owing, credit, when string) {
	t.Helper()
	if o, c := balances(s, cid); o != owing || c != credit {
		t.Fatalf("%s: owing %s credit %s, want %s and %s", when, o, c, owing, credit)
	}
	verifyLedger(t, s, cid)
}

func TestReversePaymentRestoresBalances(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Reversal Care")
	cid := clientWith(s, "Jo Reverse", nil)
	iid := fixedInvoice(s, cid, "100.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	pay := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "150.00", "method": "bank_transfer"})
	wantBalances(t, s, cid, "0.00", "50.00", "after an overpayment")

	// The credit it left pays most of a second invoice: reversing now would
	// take credit the client no longer holds.
	second := fixedInvoice(s, cid, "80.00", "")
	s.must(200, "POST", "/v1/invoices/"+second+"/finalize", nil)
	pid := pay.str("id")
	if r := s.must(422, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "entered twice"}); r.str("error", "code") != "credit_spent" {
		t.Fatalf("reverse with spent credit: %s", r.raw)
	}
	wantBalances(t, s, cid, "30.00", "0.00", "after the refused reversal")

	inv := s.must(200, "POST", "/v1/invoices/"+second+"/unapply-credit", nil)
	if inv.str("balance") != "80.00" || inv.str("amountCredited") != "0.00" {
		t.Fatalf("unapplied credit: %s", inv.raw)
	}
	wantBalances(t, s, cid, "80.00", "50.00", "after un-applying credit")

	s.must(400, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": ""})
	rev := s.must(200, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "entered twice"})
	if rev.body["reversed"] != true || len(rev.body["allocations"].([]any)) != 0 || rev.str("credit") != "0.00" {
		t.Fatalf("reversed payment: %s", rev.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "100.00" || inv.str("amountPaid") != "0.00" {
		t.Fatalf("invoice after the reversal: %s", inv.raw)
	}
	wantBalances(t, s, cid, "180.00", "0.00", "after the reversal")
	if r := s.must(409, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "again"}); r.str("error", "code") != "payment_reversed" {
		t.Fatalf("second reversal: %s", r.raw)
	}
	s.must(409, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "1.00", "reason": "x"})
	other := a.signup("Other Reversal Care")
	other.must(404, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "x"})
}

func TestRefundPayment(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Refund Care")
	cid := clientWith(s, "Kit Refund", nil)
	iid := fixedInvoice(s, cid, "100.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	pid := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "150.00", "method": "cash"}).str("id")

	p := s.must(200, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "30.00", "reason": "overpaid"})
	if p.str("refunded") != "30.00" || p.str("left") != "120.00" || p.str("credit") != "20.00" {
		t.Fatalf("refund from credit: %s", p.raw)
	}
	wantBalances(t, s, cid, "0.00", "20.00", "after refunding from credit")

	p = s.must(200, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "50.00", "reason": "session not delivered"})
	if p.str("refunded") != "80.00" || p.str("credit") != "0.00" || p.body["allocations"].([]any)[0].(map[string]any)["amount"] != "70.00" {
		t.Fatalf("refund past the credit: %s", p.raw)
	}
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "30.00" {
		t.Fatalf("invoice reopened by the refund: %s", inv.raw)
	}
	wantBalances(t, s, cid, "30.00", "0.00", "after refunding an allocation")

	r := s.must(422, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "70.01", "reason": "too much"})
	if r.str("error", "code") != "refund_exceeds_payment" || r.str("error", "message") != "a refund of 70.01 is more than the 70.00 left of this payment" {
		t.Fatalf("over-refund: %s", r.raw)
	}
	s.must(400, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "1.001", "reason": "x"})
	s.must(400, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "1.00"})
	wantBalances(t, s, cid, "30.00", "0.00", "after refused refunds")

	s.must(200, "POST", "/v1/payments/"+pid+"/refund", map[string]any{"amount": "70.00", "reason": "closing the account"})
	wantBalances(t, s, cid, "100.00", "0.00", "after refunding everything")
	if r := s.must(422, "POST", "/v1/payments/"+pid+"/reverse", map[string]any{"reason": "x"}); r.str("error", "code") != "payment_refunded" {
		t.Fatalf("reverse a fully refunded payment: %s", r.raw)
	}
}

func TestVoidCreditNoteRestoresBalance(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Credit Void Care")
	cid := clientWith(s, "Lu Note", nil)
	iid := fixedInvoice(s, cid, "100.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	n := s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "100.00", "reason": "not delivered"})
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "paid" {
		t.Fatalf("fully credited invoice: %s", inv.raw)
	}
	wantBalances(t, s, cid, "0.00", "0.00", "after the credit note")

	s.must(400, "POST", "/v1/credit-notes/"+n.str("id")+"/void", map[string]any{"reason": ""})
	s.must(200, "POST", "/v1/credit-notes/"+n.str("id")+"/void", map[string]any{"reason": "it was delivered after all"})
	if inv := s.must(200, "GET", "/v1/invoices/"+iid, nil); inv.str("status") != "open" || inv.str("balance") != "100.00" {
		t.Fatalf("invoice after voiding its credit note: %s", inv.raw)
	}
	wantBalances(t, s, cid, "100.00", "0.00", "after voiding the credit note")
	if r := s.must(409, "POST", "/v1/credit-notes/"+n.str("id")+"/void", map[string]any{"reason": "again"}); r.str("error", "code") != "credit_note_void" {
		t.Fatalf("second void: %s", r.raw)
	}
	var kinds []string
	for _, e := range s.must(200, "GET", "/v1/clients/"+cid+"/ledger", nil).list() {
		kinds = append(kinds, e["kind"].(string))
	}
	if len(kinds) != 3 || kinds[2] != "credit_note_voided" {
		t.Fatalf("ledger kinds: %v", kinds)
	}
}

// TestCreditNoteOnPaidInvoiceSaysWhereMoneyGoes: a credit note on a paid
// invoice must say where the paid money goes; its parts sum to its amount.
func TestCreditNoteOnPaidInvoiceSaysWhereMoneyGoes(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	s := a.signup("Paid Credit Care")
	cid := clientWith(s, "Mo Paid", nil)
	iid := fixedInvoice(s, cid, "100.00", "")
	s.must(200, "POST", "/v1/invoices/"+iid+"/finalize", nil)
	pid := s.must(201, "POST", "/v1/payments", map[string]any{"clientId": cid, "amount": "80.00", "method": "bank_transfer"}).str("id")

	r := s.must(422, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "30.00", "reason": "overcharged"})
	if r.str("error", "code") != "credit_note_excess" {
		t.Fatalf("no destination for the paid part: %s", r.raw)
	}
	r = s.must(422, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "100.01", "reason": "x", "excessTo": "refund"})
	if r.str("error", "code") != "amount_exceeds_balance" || r.str("error", "message") != "100.01 is more than the invoice's balance of 20.00 (and 80.00 paid)" {
		t.Fatalf("above everything: %s", r.raw)
	}
	wantBalances(t, s, cid, "20.00", "0.00", "after refused notes")

	n := s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "30.00", "reason": "overcharged", "excessTo": "client_credit"})
	if n.str("parts", "balance") != "20.00" || n.str("parts", "clientCredit") != "10.00" || n.str("parts", "refund") != "0.00" {
		t.Fatalf("parts: %s", n.raw)
	}
	wantBalances(t, s, cid, "0.00", "10.00", "after a note into client credit")
	if p := s.must(200, "GET", "/v1/payments/"+pid, nil); p.str("credit") != "10.00" {
		t.Fatalf("payment after the note: %s", p.raw)
	}

	n = s.must(201, "POST", "/v1/credit-notes", map[string]any{"invoiceId": iid, "amount": "25.00", "reason": "session cancelled", "excessTo": "refund"})
	if n.str("parts", "balance") != "0.00" || n.str("parts", "refund") != "25.00" {
		t.Fatalf("refund parts: %s", n.raw)
	}
	p := s.must(200, "GET", "/v1/payments/"+pid, nil)
	if p.str("refunded") != "25.00" || p.body["allocations"].([]any)[0].(map[string]any)["amount"] != "45.00" {
		t.Fatalf("payment after the refund note: %s", p.raw)
	}
	inv := s.must(200, "GET", "/v1/invoices/"+iid, nil)
	if inv.str("status") != "paid" || inv.str("amountPaid") != "45.00" || inv.str("amountCredited") != "55.00" || inv.str("balance") != "0.00" {
		t.Fatalf("invoice: %s", inv.raw)
	}
	wantBalances(t, s, cid, "0.00", "10.00", "after a refund note")
}
