package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/statement"
)

// A statement's email and text name the balance as at the statement's
// date and say that the pay-all link shows, and charges, what is open
// now, which payments made since lower (a trial found the two amounts
// read as one). The default letter, as a statement sent at close has it.
func TestStatementWordingTellsStatementBalanceFromToday(t *testing.T) {
	t.Parallel()
	o := &org.Org{ID: "org_1", Settings: org.Defaults("Harbour Care")}
	st := &statement.Statement{Kind: statement.Activity, From: calendar.MustParse("2026-10-01"), To: calendar.MustParse("2026-10-31"),
		Currency: money.MustCurrency("AUD"), Closing: decimal.RequireFromString("2260.50")}
	d := &delivery.Delivery{Channel: delivery.Email, Recipient: "mia@example.com", ClientName: "Mia Tran", PayLinkURL: "https://pay.example/pay-all/org_1.secret"}
	m, err := composeStatementEmail(o, st, d, []byte("%PDF-"), "statements@carebill.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"showing $2,260.50 owing as at 31 Oct 2026.",
		"The link below shows what is open now, with any payment made since 31 Oct 2026 taken off, and pays it all at once.",
		"Balance:     $2,260.50 owing as at 31 Oct 2026",
		"What is open now (payments since 31 Oct 2026 taken off), and paying it all online:\nhttps://pay.example/pay-all/org_1.secret",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("email text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"Balance as at 31 Oct 2026", "See and pay what is open now", "any payment made since 31 Oct 2026 is already taken off"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("email HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	sms := composeStatementSMS(o, st, d)
	if want := "Harbour Care: your statement 1 Oct 2026 – 31 Oct 2026 shows $2,260.50 owing as at 31 Oct 2026. See and pay what is open now: https://pay.example/pay-all/org_1.secret"; sms != want {
		t.Errorf("text %q, want %q", sms, want)
	}
}
