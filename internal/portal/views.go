package portal

// The pages are pages.templ; after editing it, regenerate pages_templ.go
// (make test fails while it is stale) with
//
//go:generate go tool templ generate -f pages.templ

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
)

// brand is how an org looks on its pages.
type brand struct {
	Name       string // legal name
	TaxIDLabel string
	TaxID      string
	Email      string
	Phone      string
	LogoURL    string // https only
	Colour     string // #RRGGBB
	Ink        string // text colour readable on Colour
}

const defaultColour = "#1F6FEB"

var colourRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

func brandOf(o *org.Org) brand {
	b := brand{Name: "carebill", Colour: defaultColour}
	if o != nil {
		st := o.Settings
		b.Name, b.TaxIDLabel, b.TaxID, b.Email, b.Phone = st.LegalName, st.TaxIDLabel, st.TaxID, st.Email, st.Phone
		if strings.HasPrefix(st.LogoURL, "https://") {
			b.LogoURL = st.LogoURL
		}
		if colourRE.MatchString(st.Colour) {
			b.Colour = strings.ToUpper(st.Colour)
		}
	}
	b.Ink = inkOn(b.Colour)
	return b
}

// Style is the page's one style block: the brand colours as CSS custom
// properties, which the stylesheet uses. Its content is fixed by a
// validated colour, so its hash can be allowed by the CSP.
func (b brand) Style() string {
	return ":root{--brand:" + b.Colour + ";--brand-ink:" + b.Ink + "}"
}

// footer is the org's name and tax id, as the page's footer reads.
func (b brand) footer() string {
	if b.TaxID == "" {
		return b.Name
	}
	return b.Name + " · " + b.TaxIDLabel + " " + b.TaxID
}

// inkOn picks near-black or white text for a background colour, whichever
// contrasts more by WCAG's relative luminance. (Colour arithmetic, not
// money: floating point is right here.)
func inkOn(hex string) string {
	var lum float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	const dark = 0.0056 // #111111
	if 1.05/(lum+0.05) >= (lum+0.05)/(dark+0.05) {
		return "#FFFFFF"
	}
	return "#111111"
}

const dateLayout = "2 Jan 2006"

func date(d calendar.Date) string { return d.Format(dateLayout) }

// status is an invoice's state as a client reads it.
type status struct {
	Label string
	Class string // open, overdue, paid, void
}

func statusOf(inv *invoice.Invoice, overdue bool) status {
	switch {
	case inv.Status() == invoice.Paid:
		return status{"Paid", "paid"}
	case inv.Status() == invoice.Void:
		return status{"Void", "void"}
	case overdue:
		return status{"Overdue", "overdue"}
	}
	return status{"Open", "open"}
}

// row is a label and an amount in a totals table.
type row struct {
	Label  string
	Amount string
	Strong bool
}

// line is a line item as shown.
type line struct {
	Description string
	Period      string
	Detail      string // "40 hours × $50.00"
	Discount    string
	Ref         string // NDIS support item
	Amount      string
}

// invoiceView is an invoice laid out for the pay page.
type invoiceView struct {
	Kind      string // "Invoice" or "Tax invoice"
	Number    string
	Name      string
	Client    string
	IssueDate string
	DueDate   string
	Status    status
	Lines     []line
	Totals    []row
	Balance   string
	Owing     bool
	Memo      string
	PONumber  string
}

func viewOf(inv *invoice.Invoice, overdue bool, st org.Settings) invoiceView {
	sp, cur := inv.Spec, inv.Spec.Currency
	tot := inv.Totals()
	v := invoiceView{
		Kind: inv.DocumentKind(st.TaxID != ""), Number: inv.Number, Name: sp.Name, Client: inv.ClientName,
		IssueDate: date(sp.IssueDate), DueDate: date(sp.DueDate), Status: statusOf(inv, overdue),
		Balance: cur.Display(inv.Balance()), Owing: inv.Status() == invoice.Open && inv.Balance().IsPositive(),
		Memo: sp.Memo, PONumber: sp.PONumber,
	}
	for _, l := range sp.Lines {
		ln := line{Description: l.Description, Period: period(l.PeriodStart, l.PeriodEnd), Ref: l.SupportItem, Amount: cur.Display(l.Amount(cur))}
		if l.Type == invoice.Variable {
			ln.Detail = quantity(l.Quantity, l.Unit) + " × " + cur.DisplayRate(l.Rate)
		}
		if l.Discount.IsPositive() {
			ln.Discount = "less " + cur.Display(l.Discount) + " discount"
		}
		v.Lines = append(v.Lines, ln)
	}
	v.Totals = totalRows(inv, tot, cur, st)
	return v
}

func totalRows(inv *invoice.Invoice, tot invoice.Totals, cur money.Currency, st org.Settings) []row {
	taxName := "Tax"
	if st.TaxIDLabel == "ABN" {
		taxName = "GST"
	}
	rows := []row{{Label: "Subtotal", Amount: cur.Display(tot.Subtotal)}}
	for _, t := range tot.TaxByRate {
		rows = append(rows, row{Label: taxName + " " + t.Rate.String() + "%", Amount: cur.Display(t.Tax)})
	}
	if len(tot.TaxByRate) == 0 {
		rows = append(rows, row{Label: taxName, Amount: cur.Display(decimal.Zero)})
	}
	for _, f := range inv.Spec.Fees {
		rows = append(rows, row{Label: f.Description, Amount: cur.Display(f.Amount)})
	}
	if len(inv.Spec.Fees) == 0 {
		rows = append(rows, row{Label: "Fees", Amount: cur.Display(decimal.Zero)})
	}
	rows = append(rows, row{Label: "Total " + cur.Code(), Amount: cur.Display(tot.Total), Strong: true})
	paid := cur.Display(inv.Paid())
	if inv.Paid().IsPositive() {
		paid = "−" + paid
	}
	rows = append(rows, row{Label: "Paid", Amount: paid})
	if inv.Credit().IsPositive() {
		rows = append(rows, row{Label: "Credited", Amount: "−" + cur.Display(inv.Credit())})
	}
	return rows
}

// quantity is "40 hours", "1 each", "2.5 km".
func quantity(q decimal.Decimal, u invoice.Unit) string {
	s := q.String()
	if u == "" {
		return s
	}
	return s + " " + string(u)
}

func period(start, end calendar.Date) string {
	switch {
	case start.IsZero() && end.IsZero():
		return ""
	case end.IsZero() || start == end:
		return date(start)
	case start.IsZero():
		return "until " + date(end)
	}
	return date(start) + " – " + date(end)
}
