package portal

import (
	"context"
	"html"
	"strings"
	"testing"

	"github.com/a-h/templ"
)

// hostile is a name a client or an org could type: markup, quotes that
// would end an attribute, and text in several scripts.
const hostile = `Zoë "陈小明" <script>alert('محمد')</script> & <img src=x onerror=alert(1)>`

// TestPagesEscapeHostileNames renders every portal page and the sign-in
// email with hostile text in every field a person types (names, invoice
// titles, lines, memo, email, error) and a javascript: URL where a link
// is built from data: the text appears escaped, never as markup, and the
// URL is neutralised.
func TestPagesEscapeHostileNames(t *testing.T) {
	t.Parallel()
	b := brand{Name: hostile, TaxIDLabel: hostile, TaxID: hostile, Email: hostile, Phone: hostile, Colour: defaultColour, Ink: "#FFFFFF"}
	p := page{Title: hostile, Brand: b, CSS: "/portal/assets/portal.css", Icon: "/portal/assets/icon.svg"}
	listed := invoiceRow{ID: hostile, Number: hostile, Name: hostile, Issued: hostile, Due: hostile, Status: status{hostile, hostile}, Total: hostile, Balance: hostile}
	inv := invoiceView{Kind: hostile, Number: hostile, Name: hostile, Client: hostile, IssueDate: hostile, DueDate: hostile,
		Status: status{hostile, hostile}, Balance: hostile, Memo: hostile, PONumber: hostile,
		Lines:  []line{{Description: hostile, Period: hostile, Detail: hostile, Discount: hostile, Ref: hostile, Amount: hostile}},
		Totals: []row{{Label: hostile, Amount: hostile, Strong: true}}}
	offer := &cardOffer{Balance: hostile, Fee: hostile, Total: hostile}
	for name, c := range map[string]templ.Component{
		"message":    messagePage(message{Heading: hostile, Text: hostile, Action: &action{Label: hostile, Href: "javascript:alert(1)"}}),
		"signin":     signInPage(signInView{OrgID: hostile, Email: hostile, Error: hostile}),
		"checkemail": checkEmailPage(signInView{OrgID: hostile}),
		"pay":        payPage(payView{Invoice: inv, Token: hostile, OrgID: hostile, Pay: offer, Checkout: "success"}),
		"payall":     payAllPage(payAllView{Token: hostile, OrgID: hostile, Client: hostile, Today: hostile, Total: hostile, Invoices: []invoiceRow{listed}, Pay: offer}),
		"invoices": invoicesPage(invoicesView{OrgID: hostile, Email: hostile, CSRF: hostile, Multiple: true, Accounts: []accountView{{
			Name: hostile, Owing: []string{hostile}, Invoices: []invoiceRow{listed}, ClientID: hostile, Statements: []statementRow{{ID: hostile, Period: hostile, Closing: hostile}},
		}}}),
	} {
		var out strings.Builder
		if err := layout(p).Render(templ.WithChildren(context.Background(), c), &out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkEscaped(t, name, out.String())
	}
	var mail strings.Builder
	if err := signInEmail(signInEmailData{Org: hostile, URL: "javascript:alert(1)", Minutes: 15, Brand: b}).Render(context.Background(), &mail); err != nil {
		t.Fatal(err)
	}
	checkEscaped(t, "sign-in email", mail.String())
}

func checkEscaped(t *testing.T, name, out string) {
	t.Helper()
	if !strings.Contains(out, html.EscapeString(hostile)) {
		t.Errorf("%s: the name is not shown escaped:\n%s", name, out)
	}
	for _, bad := range []string{"<script", "<img src=x", `"陈小明"`, `href="javascript:`} {
		if strings.Contains(out, bad) {
			t.Errorf("%s: %q reached the page unescaped:\n%s", name, bad, out)
		}
	}
}
