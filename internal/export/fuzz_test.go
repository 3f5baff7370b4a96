package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCSVCell: any free text written to an export cell reads back from
// the CSV exactly as Text made it, and no cell a spreadsheet would run
// as a formula (=, +, -, @, TAB, CR, LF, NUL first) leaves Text unquoted
// by its apostrophe.
func FuzzCSVCell(f *testing.F) {
	for _, s := range []string{"=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "a,b", "say \"hi\"", "line\nbreak", "Zoë", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cell := Text(s)
		if cell != s && cell != "'"+s {
			t.Fatalf("Text(%q) = %q: it may only prefix an apostrophe", s, cell)
		}
		if cell != "" && strings.ContainsRune("=+-@\t\r\n\x00", rune(cell[0])) {
			t.Fatalf("Text(%q) = %q starts a formula", s, cell)
		}
		if strings.ContainsAny(s, "\r\x00") || !utf8.ValidString(s) {
			return // encoding/csv folds CR LF to LF and cannot carry NUL faithfully; exports fold line breaks first (oneLine)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		if err := w.Write([]string{cell, oneLine(s)}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		rec, err := csv.NewReader(&buf).Read()
		if err != nil || len(rec) != 2 || rec[0] != cell || rec[1] != oneLine(s) {
			t.Fatalf("cell %q read back as %q (%v)", cell, rec, err)
		}
		if strings.ContainsAny(oneLine(s), "\n\t") {
			t.Fatalf("oneLine(%q) = %q keeps a break", s, oneLine(s))
		}
	})
}
