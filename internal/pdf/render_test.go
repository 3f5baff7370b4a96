package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/pdf/pdftest"
)

// tableHead is the table's header row as pdftotext lays it out.
var tableHead = regexp.MustCompile(`(?m)^\s*Description\s+Qty\s+Unit\s+Rate\s+Amount\s*$`)

func TestRenderInvoice(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 10, 200} {
		t.Run(fmt.Sprintf("lines=%d", n), func(t *testing.T) {
			t.Parallel()
			d := pdftest.Invoice(n)
			r := render(t, d)
			text := r.text()
			contains(t, "text", text,
				"Tax invoice", "INV-00042", "Client invoice – November",
				"Søren & Łukasz Care Coordination Pty Ltd", "ABN 51 824 753 556",
				"Zoë Müller-Ng", "zoe.muller-ng@example.com",
				"Issue date", "1 Dec 2025", "Due date", "15 Dec 2025",
				"NDIS number", "430123456", "PO number", "PO-7781", "07_002_0106_8_3",
				pdftest.PayLink, "Sessions are billed per the NDIS Pricing",
			)
			for _, tot := range d.Totals {
				if !regexp.MustCompile(regexp.QuoteMeta(tot.Label) + `\s+` + regexp.QuoteMeta(tot.Value)).MatchString(text) {
					t.Errorf("total %q %q not on one line", tot.Label, tot.Value)
				}
			}
			// Each line's description, quantity, unit, rate and amount read
			// as one row.
			for i := 1; i <= n; i++ {
				row := fmt.Sprintf(`(?m)^\s*Support coordination session %d\s+1\.00\s+hours\s+\$100\.14\s+%s\s*$`, i, regexp.QuoteMeta(pdftest.Amount(i)))
				if !regexp.MustCompile(row).MatchString(text) {
					t.Errorf("line %d not found as a row (%s)", i, row)
				}
			}
			contains(t, "pdffonts", r.fonts(), "DejaVuSans", "DejaVuSans-Bold")
			if fonts := r.fonts(); strings.Contains(fonts, " no ") {
				t.Errorf("every font must be embedded, subset and have a ToUnicode map:\n%s", fonts)
			}
		})
	}
}

func TestLongInvoicePaginates(t *testing.T) {
	t.Parallel()
	r := render(t, pdftest.Invoice(200))
	pages := r.pages()
	if pages < 3 {
		t.Fatalf("200 lines on %d pages, want several", pages)
	}
	seen := map[int]int{}
	lineNo := regexp.MustCompile(`Support coordination session (\d+)\s`)
	for p := 1; p <= pages; p++ {
		text := r.pageText(p)
		if !tableHead.MatchString(text) {
			t.Errorf("page %d has no table header:\n%s", p, text)
		}
		contains(t, fmt.Sprintf("page %d", p), text, fmt.Sprintf("Page %d of %d", p, pages), "Søren & Łukasz Care Coordination Pty Ltd")
		last := p == pages
		for _, label := range []string{"Subtotal", "Balance due", "PAY ONLINE"} {
			if got := strings.Contains(text, label); got != last {
				t.Errorf("page %d of %d: %q present = %v, want totals on the last page only", p, pages, label, got)
			}
		}
		if first := p == 1; strings.Contains(text, "BILL TO") != first {
			t.Errorf("page %d: the bill-to block belongs on the first page only", p)
		}
		for _, m := range lineNo.FindAllStringSubmatch(text, -1) {
			var i int
			fmt.Sscan(m[1], &i)
			seen[i]++
		}
	}
	for i := 1; i <= 200; i++ {
		if seen[i] != 1 {
			t.Errorf("line %d printed %d times", i, seen[i])
		}
	}
}

func TestStamp(t *testing.T) {
	t.Parallel()
	for _, stamp := range []string{"PAID", "VOID"} {
		d := pdftest.Invoice(3)
		d.Stamp = stamp
		r := render(t, d)
		text := r.pageText(1)
		at := strings.Index(text, stamp)
		if at < 0 || at > strings.Index(text, "BILL TO") {
			t.Errorf("stamp %q not in the heading:\n%s", stamp, text)
		}
		if strings.Count(r.text(), stamp) != 1 {
			t.Errorf("stamp %q printed more than once", stamp)
		}
	}
}

func TestPayLinkIsClickableOnlyForHTTP(t *testing.T) {
	t.Parallel()
	d := pdftest.Invoice(1)
	r := render(t, d)
	if !bytes.Contains(r.bytes, []byte("/S /URI /URI ("+pdftest.PayLink+")")) {
		t.Error("pay link has no URI link annotation")
	}
	d.PayLink = "javascript:alert(1)"
	r = render(t, d)
	contains(t, "text", r.text(), "javascript:alert(1)")
	if bytes.Contains(r.bytes, []byte("/URI")) {
		t.Error("a javascript: pay link became clickable")
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	d := pdftest.Invoice(20)
	var a, b bytes.Buffer
	if err := pdf.Render(&a, d); err != nil {
		t.Fatal(err)
	}
	if err := pdf.Render(&b, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same document rendered to different bytes")
	}
	if bytes.Contains(a.Bytes(), []byte("/CreationDate")) {
		t.Error("creation date written though Created is zero")
	}
	d.Created = time.Date(2025, 12, 1, 9, 30, 0, 0, time.FixedZone("AEDT", 11*3600))
	r := render(t, d)
	if !bytes.Contains(r.bytes, []byte("/CreationDate (D:20251201093000+11'00')")) {
		t.Error("creation date missing or malformed")
	}
}

func TestInvalidBranding(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"blue", "#12345", "#1234567", "#GG0000", "123456", "#12 456"} {
		d := pdftest.Invoice(1)
		d.Colour = c
		if err := pdf.Render(new(bytes.Buffer), d); !errors.Is(err, pdf.ErrInvalidColour) {
			t.Errorf("colour %q: got %v, want ErrInvalidColour", c, err)
		}
	}
	good := pngBytes(t, image.NewNRGBA(image.Rect(0, 0, 4, 4)))
	huge := append([]byte(nil), pngBytes(t, image.NewGray(image.Rect(0, 0, 1, 1)))...)
	// IHDR width and height are bytes 16..24; claim 100000 × 100000 pixels.
	copy(huge[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	for name, logo := range map[string][]byte{
		"garbage":   []byte("not a png"),
		"truncated": good[:len(good)/2],
		"jpeg":      {0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F'},
		"huge":      huge,
	} {
		d := pdftest.Invoice(1)
		d.LogoPNG = logo
		if err := pdf.Render(new(bytes.Buffer), d); !errors.Is(err, pdf.ErrInvalidLogo) {
			t.Errorf("logo %s: got %v, want ErrInvalidLogo", name, err)
		}
	}
}

func TestLogo(t *testing.T) {
	t.Parallel()
	translucent := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		for y := range 20 {
			translucent.Set(x, y, color.NRGBA{R: 255, G: uint8(6 * x), B: 80, A: uint8(12 * y)})
		}
	}
	gray := image.NewGray(image.Rect(0, 0, 10, 30))
	paletted := image.NewPaletted(image.Rect(0, 0, 300, 20), color.Palette{color.White, color.NRGBA{0, 0, 200, 255}})
	for name, img := range map[string]image.Image{"translucent": translucent, "gray": gray, "paletted": paletted} {
		d := pdftest.Invoice(2)
		d.LogoPNG = pngBytes(t, img)
		d.Colour = "#F6E05E" // light: the band's text turns dark
		r := render(t, d)
		if !bytes.Contains(r.bytes, []byte("/Subtype /Image")) {
			t.Errorf("%s: no image in the PDF", name)
		}
		if got := bytes.Contains(r.bytes, []byte("/SMask")); got != (name == "translucent") {
			t.Errorf("%s: soft mask present = %v", name, got)
		}
		contains(t, name, r.text(), "Søren & Łukasz Care Coordination Pty Ltd")
	}
}

func pngBytes(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
