package credit

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/validation"
)

func TestIssue(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	now := time.Now()
	inv, _ := invoice.NewDraft("inv_1", "org_1", invoice.Spec{ClientID: "cli_1", Name: "n", Currency: money.MustCurrency("AUD"),
		Lines: []invoice.Line{{Type: invoice.Fixed, Description: "x", Price: d("100")}}}, now)
	if _, err := Issue("crn_1", inv, d("10"), "goodwill", 1, now); !errors.Is(err, invoice.ErrNotFinalized) {
		t.Fatalf("credit on a draft: %v", err)
	}
	_ = inv.Finalize("INV-", 1, calendar.MustParse("2026-11-25"), now)
	n, err := Issue("crn_1", inv, d("30"), "Session cancelled", 7, now)
	if err != nil || n.Number != "CN-00007" || n.Invoice != "INV-00001" || !inv.Balance().Equal(d("70")) {
		t.Fatalf("issue: %v %+v balance %s", err, n, inv.Balance())
	}
	if _, err := Issue("crn_2", inv, d("70.01"), "too much", 8, now); !errors.Is(err, invoice.ErrExceedsBalance) {
		t.Fatalf("credit beyond the balance: %v", err)
	}
	if _, err := Issue("crn_2", inv, d("1"), "", 8, now); err == nil {
		t.Fatal("credit without reason accepted")
	}
	if _, err := Issue("crn_2", inv, d("0.001"), "x", 8, now); func() bool { _, ok := validation.As(err); return !ok }() {
		t.Fatalf("sub-cent credit: %v", err)
	}
	if _, err := Issue("crn_2", inv, d("70"), "rest", 8, now); err != nil || inv.Status() != invoice.Paid {
		t.Fatalf("full credit: %v %s", err, inv.Status())
	}
	if _, err := Issue("crn_3", inv, d("1"), "on a paid invoice", 9, now); !errors.Is(err, invoice.ErrSettled) {
		t.Fatalf("credit on a paid invoice: %v", err)
	}
}
