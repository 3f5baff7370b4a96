package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
)

func composeFixture(status invoice.Status) (*org.Org, *invoice.Invoice, *delivery.Delivery) {
	o := &org.Org{ID: "org_1", Settings: org.Defaults(`Bright "Path" <Care>`)}
	o.Settings.Colour = "#0A7F5C"
	stored := invoice.Invoice{
		ID: "inv_1", Number: "INV/2026/00042", ClientName: "Zoë & Co",
		Spec: invoice.Spec{
			Currency: money.MustCurrency("AUD"), DueDate: calendar.MustParse("2026-12-09"),
			Lines: []invoice.Line{{Type: invoice.Fixed, Description: "Session", Price: decimal.RequireFromString("1234.5")}},
		},
	}
	st := invoice.State{Status: status}
	if status == invoice.Paid {
		st.Paid = decimal.RequireFromString("1234.5")
	}
	inv, err := invoice.Restore(stored, st)
	if err != nil {
		panic(err)
	}
	d := &delivery.Delivery{Channel: delivery.Email, Recipient: "client@example.com", Subject: "Your invoice", PayLinkURL: "https://pay.example/pay/org_1.secret"}
	return o, inv, d
}

func TestComposeEmail(t *testing.T) {
	t.Parallel()
	o, inv, d := composeFixture(invoice.Open)
	m, err := composeEmail(o, inv, d, []byte("%PDF-"), "invoices@carebill.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Attachments[0].Name != "INV-2026-00042.pdf" {
		t.Errorf("attachment name %q: a number's slashes cannot be in a file name", m.Attachments[0].Name)
	}
	if m.From.Name != `Bright "Path" <Care>` || m.From.Address != "invoices@carebill.example" || len(m.ReplyTo) != 0 || m.Subject != "Your invoice" {
		t.Errorf("headers: from %v, reply-to %v, subject %q", m.From, m.ReplyTo, m.Subject)
	}
	for _, want := range []string{"$1,234.50", "9 Dec 2026", "https://pay.example/pay/org_1.secret", "Zoë & Co", "INV-2026-00042.pdf"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"Bright &#34;Path&#34; &lt;Care&gt;", "Zoë &amp; Co", "#0A7F5C", `href="https://pay.example/pay/org_1.secret"`, "View and pay invoice"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "ZgotmplZ") || strings.Contains(m.HTML, "<Care>") {
		t.Errorf("HTML escaping went wrong:\n%s", m.HTML)
	}

	d.Body = "Hi Zoë,\nthanks for the session.\n\n<b>See you</b> next week."
	d.ReplyTo = "office@bright.example"
	m, _ = composeEmail(o, inv, d, nil, "invoices@carebill.example", time.Now())
	if !strings.HasPrefix(m.Text, "Hi Zoë,\nthanks for the session.\n\n<b>See you</b> next week.\n\n") || !strings.Contains(m.Text, "$1,234.50") {
		t.Errorf("a coordinator's message replaces the greeting, the details stay:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, "Hi Zoë,<br>thanks for the session.</p>") || !strings.Contains(m.HTML, "&lt;b&gt;See you&lt;/b&gt;") {
		t.Errorf("the message's lines and escaping in HTML:\n%s", m.HTML)
	}
	if len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "office@bright.example" {
		t.Errorf("Reply-To %v", m.ReplyTo)
	}
}

func TestComposePaidAndSMS(t *testing.T) {
	t.Parallel()
	o, inv, d := composeFixture(invoice.Open)
	if got, want := composeSMS(o, inv, d), `Bright "Path" <Care>: invoice INV/2026/00042 for $1,234.50 is due 9 Dec 2026. View and pay: https://pay.example/pay/org_1.secret`; got != want {
		t.Errorf("SMS\n got %q\nwant %q", got, want)
	}
	o, inv, d = composeFixture(invoice.Paid)
	if got := composeSMS(o, inv, d); !strings.Contains(got, "is paid in full") || strings.Contains(got, "due") {
		t.Errorf("paid SMS %q", got)
	}
	m, _ := composeEmail(o, inv, d, nil, "invoices@carebill.example", time.Now())
	if !strings.Contains(m.Text, "Paid in full") || strings.Contains(m.Text, "Amount due") || strings.Contains(m.HTML, "View and pay") {
		t.Errorf("paid email still asks for money:\n%s", m.Text)
	}
}
