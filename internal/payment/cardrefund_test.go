package payment

import (
	"testing"
	"time"
)

// TestNewCardRefundByTotal: a report without refund ids records what the
// cumulative total adds, never the pass-through fee, and an older total
// arriving late adds nothing.
func TestNewCardRefundByTotal(t *testing.T) {
	p := &Payment{Input: Input{Amount: d("100.00"), Currency: aud}, Credit: d("100.00")}
	report := func(total string) CardRefunded {
		return CardRefunded{OrgID: "o", IntentID: "pi", ChargeID: "ch_1", Currency: aud, Total: d(total), At: time.Now()}
	}
	r, ok := p.NewCardRefund(report("30.00"), "card")
	if !ok || !r.Amount.Equal(d("30.00")) || r.Source != "stripe:ch_1" {
		t.Fatalf("first: %+v %v", r, ok)
	}
	if _, err := p.RefundPart(r, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.NewCardRefund(report("30.00"), "card"); ok {
		t.Fatal("the same total refunded twice")
	}
	if _, ok := p.NewCardRefund(report("20.00"), "card"); ok {
		t.Fatal("an older total refunded")
	}
	r, ok = p.NewCardRefund(report("102.50"), "card") // fee included
	if !ok || !r.Amount.Equal(d("70.00")) {
		t.Fatalf("rest: %+v %v", r, ok)
	}
}
