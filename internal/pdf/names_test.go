package pdf_test

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/carebill/carebill/internal/pdf"
	"github.com/carebill/carebill/internal/pdf/pdftest"
)

// names are clients' names in the scripts carebill's users bill: Latin
// with Vietnamese stacked diacritics, Chinese, Korean, Greek, Cyrillic,
// Arabic (joined letters, a lam-alef ligature) and Hebrew (right to left).
var names = []string{
	"Nguyễn Thị Hằng", "Trần Văn Đức", "陈小明", "김민준", "Σοφία", "Олена",
	"محمد الأحمد", "דוד כהן",
}

// kinds are the documents names are printed on; all share one layout.
var kinds = []string{"Tax invoice", "Receipt", "Credit note", "Statement"}

// stripBidi drops the embedding marks pdftotext wraps right-to-left text in.
func stripBidi(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' || r == '\u200E' || r == '\u200F' {
			return -1
		}
		return r
	}, s)
}

// TestEveryNamePrints puts the names where a client's name goes (bill
// to, in bold, and the participant lines under it), in line descriptions
// and in the memo (oblique), on every kind of document, and reads them back
// with pdftotext: each must extract exactly, in logical order, with no
// replacement mark.
func TestEveryNamePrints(t *testing.T) {
	t.Parallel()
	for i, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			d := pdftest.Invoice(0)
			d.Kind = kind
			d.BillTo.Name = names[i]
			d.BillTo.Lines = nil
			for _, name := range names {
				d.BillTo.Lines = append(d.BillTo.Lines, "For participant: "+name)
				d.Lines = append(d.Lines, pdf.Line{Description: "Sessions with " + name, Quantity: "1", Unit: "hours", Rate: "$100.00", Amount: "$100.00"})
			}
			d.Memo = "Thank you, " + strings.Join(names, ", ") + "."
			text := stripBidi(render(t, d).text())
			if strings.Contains(text, "\uFFFD") {
				t.Errorf("replacement marks in the text:\n%s", grep(text, "\uFFFD"))
			}
			for j, name := range names {
				want := 3 // participant line, description, memo
				if j == i {
					want++ // and the bill-to name
				}
				if got := strings.Count(text, name); got < want {
					t.Errorf("%s: extracted %d times, want %d:\n%s", name, got, want, text)
				}
			}
		})
	}
}

// TestNamesLookRight rasterises page 1 with poppler and compares the name
// as drawn against the same page with the name left out and with the name
// as the Go fonts printed it before (one U+FFFD per letter): the name must
// put ink on the page, and not the ink of replacement marks.
func TestNamesLookRight(t *testing.T) {
	t.Parallel()
	page := func(t *testing.T, n string) *image.Gray {
		d := pdftest.Invoice(1)
		d.BillTo.Name = n
		return raster(t, render(t, d), 72)
	}
	blank := page(t, "")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			page := func(n string) *image.Gray { return page(t, n) }
			drawn := page(name)
			tofu := page(strings.Repeat("\uFFFD", utf8.RuneCountInString(name)))
			ink := diff(drawn, blank)
			if ink < 40 {
				t.Errorf("%s drew %d pixels, want a name's worth", name, ink)
			}
			if d := diff(drawn, tofu); d < ink/3 {
				t.Errorf("%s looks like replacement marks: %d pixels differ of %d inked", name, d, ink)
			}
		})
	}
}

// TestRightToLeftVisualOrder checks glyph order on the page itself: in
// "שו" (shin, then the narrow vav) read right to left, shin is drawn
// rightmost, so the right end of the name's ink matches shin drawn alone.
func TestRightToLeftVisualOrder(t *testing.T) {
	t.Parallel()
	page := func(n string) *image.Gray {
		d := pdftest.Invoice(1)
		d.BillTo.Name = n
		return raster(t, render(t, d), 150)
	}
	blank := page("")
	shin, pair := inkColumns(page("ש"), blank), inkColumns(page("שו"), blank)
	if len(shin) == 0 || len(pair) <= len(shin) {
		t.Fatalf("ink widths: shin %d, shin+vav %d", len(shin), len(pair))
	}
	right, left := sad(pair[len(pair)-len(shin):], shin), sad(pair[:len(shin)], shin)
	if right >= left {
		t.Errorf("shin is not the rightmost letter: right end differs by %d, left end by %d", right, left)
	}
}

// inkColumns is, for each column between the first and last inked one, how
// many pixels of img differ from blank.
func inkColumns(img, blank *image.Gray) []int {
	b := img.Bounds()
	cols := make([]int, b.Dx())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if d := int(img.GrayAt(x, y).Y) - int(blank.GrayAt(x, y).Y); d > 64 || d < -64 {
				cols[x-b.Min.X]++
			}
		}
	}
	first, last := -1, -1
	for x, c := range cols {
		if c > 0 {
			if first < 0 {
				first = x
			}
			last = x
		}
	}
	if first < 0 {
		return nil
	}
	return cols[first : last+1]
}

func sad(a, b []int) int {
	s := 0
	for i := range a {
		d := a[i] - b[i]
		if d < 0 {
			d = -d
		}
		s += d
	}
	return s
}

// raster renders page 1 in grey at dpi.
func raster(t *testing.T, r *rendered, dpi int) *image.Gray {
	t.Helper()
	out := filepath.Join(t.TempDir(), "p")
	if b, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", r.path, out).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g
}

// diff counts pixels whose grey differs by more than a quarter.
func diff(a, b *image.Gray) int {
	if a.Bounds() != b.Bounds() {
		panic(fmt.Sprintf("page sizes differ: %v %v", a.Bounds(), b.Bounds()))
	}
	n := 0
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d > 64 || d < -64 {
			n++
		}
	}
	return n
}
