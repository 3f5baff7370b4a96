package pdf_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/pdf/pdftest"
)

func TestZeroDocument(t *testing.T) {
	t.Parallel()
	r := render(t, pdf.Document{})
	contains(t, "text", r.text(), "Page 1 of 1", "Description", "Amount")
}

// TestOddStrings feeds text a form or an import could plausibly carry.
// Nothing may fail or panic; what can be drawn must extract as given, and
// what cannot (emoji, scripts the fonts lack) is replaced, not dropped
// silently.
func TestOddStrings(t *testing.T) {
	t.Parallel()
	words := make([]string, 1500)
	for i := range words {
		words[i] = fmt.Sprintf("w%04d", i)
	}
	longWords := strings.Join(words, " ")
	noSpaces := strings.Repeat("Løremipsum", 200)
	emoji := "Zoë 🌸 👨‍👩‍👧 👍🏽"

	d := pdftest.Invoice(3)
	d.Org.Name = strings.Repeat("Very Long Legal Name Pty Ltd ", 12)
	d.Org.TaxID = "" // empty fields are left out
	d.Title = "\u202Eevil\u202C title\x00\x1b[31m with controls\ttab"
	d.BillTo = pdf.Party{Name: "Zoe\u0308 Mu\u0308ller-Ng", Lines: []string{"", "שלום עולם", "مرحبا", "日本語", "ꯀꯁ", "\xff\xfe invalid"}}
	d.Refs = nil
	for i := range 40 {
		d.Refs = append(d.Refs, pdf.Field{Label: fmt.Sprintf("PO %d", i), Value: strings.Repeat("9", i*5)})
	}
	d.Lines = []pdf.Line{
		{Description: longWords, Amount: "$1.00"},
		{Description: noSpaces, Quantity: strings.Repeat("8", 80), Amount: strings.Repeat("$9,999,999.99", 10)},
		{Description: emoji, Period: "1–2 Nov", Ref: "", Amount: "$2.00"},
		{Description: "", Amount: ""},
		{Description: "first\nsecond\r\nthird", Discount: "$0.50", Amount: "$3.00"},
	}
	d.Totals = append(d.Totals, pdf.Field{}, pdf.Field{Label: "Fees", Value: ""})
	d.Memo = strings.Repeat("A memo line that goes on.\n", 400)
	d.PayLink = "https://pay.carebill.example/p/" + strings.Repeat("x", 300)
	d.Footer = strings.Repeat("Footer ", 100)
	d.Stamp = strings.Repeat("VOID ", 30)

	r := render(t, d)
	text := r.text()
	all := strings.Join(strings.Fields(text), " ")
	for _, w := range []string{"w0000", "w0777", "w1499"} {
		if !strings.Contains(all, w) {
			t.Errorf("long description lost %q", w)
		}
	}
	if got := strings.Count(strings.ReplaceAll(strings.Join(strings.Fields(text), ""), "\n", ""), "Løremipsum"); got < 190 {
		t.Errorf("description without spaces: %d of 200 repeats extracted", got)
	}
	contains(t, "text", text, "Zoë Müller-Ng", "evil title[31m with controls tab", "first", "second", "third", "Discount", "$0.50", "VOID")
	if strings.ContainsAny(text, "\u202E\x00\x1b") {
		t.Error("control characters reached the page")
	}
	if !strings.Contains(text, "Zoë � � �") {
		t.Errorf("emoji not replaced one for one:\n%s", grep(text, "Zoë"))
	}
	for _, s := range []string{"שלום", "עולם", "مرحبا", "日本語"} {
		if !strings.Contains(stripBidi(text), s) {
			t.Errorf("%q not drawn", s)
		}
	}
	if strings.Contains(text, "ꯀ") || !strings.Contains(text, "��") {
		t.Error("Meetei Mayek, in no font, should print as replacement marks")
	}
	if r.pages() < 2 {
		t.Errorf("a 1,500-word description fits on %d page", r.pages())
	}
	for p := 1; p <= r.pages(); p++ {
		if !regexp.MustCompile(`(?m)^\s*Description\s+Qty\s+Discount\s+Amount\s*$`).MatchString(r.pageText(p)) {
			t.Errorf("page %d has no table header", p)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if len([]rune(line)) > 250 {
			t.Errorf("text runs off the page: %q", line)
		}
	}
}

func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// FuzzRender checks that no text makes Render fail or panic. `go test` runs
// the seeds; `go test -fuzz FuzzRender ./internal/pdf` explores further.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "Zoë Müller-Ng", "🌸", "\x00\xff", "a\nb", strings.Repeat("x", 3000), "\u202E", "e\u0301\u0301\u0301"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		d := pdftest.Invoice(2)
		d.Org.Name, d.BillTo.Name, d.Title, d.Memo, d.Stamp, d.Footer = a, b, a, b, a, b
		d.Lines = append(d.Lines, pdf.Line{Description: a, Period: b, Quantity: a, Amount: b})
		d.Dates = append(d.Dates, pdf.Field{Label: a, Value: b})
		d.Totals = append(d.Totals, pdf.Field{Label: b, Value: a})
		var buf bytes.Buffer
		if err := pdf.Render(&buf, d); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || !bytes.HasSuffix(buf.Bytes(), []byte("%%EOF\n")) {
			t.Fatal("not a PDF")
		}
	})
}
