package money

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseCurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code  string
		minor int32
	}{{"AUD", 2}, {"JPY", 0}, {"KWD", 3}, {"EUR", 2}} {
		c, err := ParseCurrency(tc.code)
		if err != nil || c.MinorUnits() != tc.minor || c.Code() != tc.code {
			t.Errorf("ParseCurrency(%s) = %v %v, want minor %d", tc.code, c, err, tc.minor)
		}
	}
	for _, bad := range []string{"", "aud", "XXX", "AUDD", "ZZZ"} {
		if _, err := ParseCurrency(bad); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("ParseCurrency(%q) err = %v, want ErrUnknownCurrency", bad, err)
		}
	}
}

func TestRoundAndFormat(t *testing.T) {
	t.Parallel()
	aud, jpy := MustCurrency("AUD"), MustCurrency("JPY")
	for _, tc := range []struct {
		cur  Currency
		in   string
		want string
		disp string
	}{
		{aud, "2.345", "2.35", "$2.35"},
		{aud, "-2.345", "-2.35", "-$2.35"},
		{aud, "2.344", "2.34", "$2.34"},
		{aud, "2055", "2055.00", "$2,055.00"},
		{aud, "1234567.5", "1234567.50", "$1,234,567.50"},
		{jpy, "1200.5", "1201", "¥1,201"},
		{jpy, "-0.5", "-1", "-¥1"},
		{MustCurrency("CHF"), "10.5", "10.50", "CHF 10.50"},
	} {
		d := decimal.RequireFromString(tc.in)
		if got := tc.cur.String(d); got != tc.want {
			t.Errorf("%s String(%s) = %s, want %s", tc.cur.Code(), tc.in, got, tc.want)
		}
		if got := tc.cur.Display(d); got != tc.disp {
			t.Errorf("%s Display(%s) = %s, want %s", tc.cur.Code(), tc.in, got, tc.disp)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	lim := Limits{MaxPlaces: 4, Max: decimal.NewFromInt(1_000_000)}
	good := map[string]string{"0": "0", "0.25": "0.25", "2055.00": "2055", "1000000": "1000000", "007.5": "7.5"}
	for in, want := range good {
		d, err := ParseDecimal(in, lim)
		if err != nil || !d.Equal(decimal.RequireFromString(want)) {
			t.Errorf("ParseDecimal(%q) = %s, %v; want %s", in, d, err, want)
		}
	}
	bad := []string{"", "-1", "1e3", "1.", ".5", "+1", "1,000", " 1", "NaN", "Infinity", "0x10",
		"1.23456", "1000000.01", "12345678901234567890123456789", "--1", "1.2.3"}
	for _, in := range bad {
		if _, err := ParseDecimal(in, lim); !errors.Is(err, ErrInvalidDecimal) {
			t.Errorf("ParseDecimal(%q) err = %v, want ErrInvalidDecimal", in, err)
		}
	}
	neg := Limits{MaxPlaces: 2, AllowNegative: true}
	if d, err := ParseDecimal("-3.5", neg); err != nil || d.String() != "-3.5" {
		t.Errorf("negative allowed: %s %v", d, err)
	}
}

// FuzzParseDecimal checks that whatever text arrives, ParseDecimal either
// rejects it or returns a value inside the limits that prints back to the
// same number.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "2055.00", "0.25", "-1", "1e9", "99999999999.9999", "", ".", "1.2.3"} {
		f.Add(s)
	}
	lim := Limits{MaxPlaces: 4, Max: decimal.NewFromInt(10_000_000_000)}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s, lim)
		if err != nil {
			if !errors.Is(err, ErrInvalidDecimal) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if d.IsNegative() || d.GreaterThan(lim.Max) || -d.Exponent() > lim.MaxPlaces && !d.Equal(d.Truncate(lim.MaxPlaces)) {
			t.Fatalf("%q parsed to %s outside limits", s, d)
		}
		back, err := ParseDecimal(d.String(), lim)
		if err != nil || !back.Equal(d) {
			t.Fatalf("%q → %s does not round-trip: %v", s, d, err)
		}
	})
}

// TestDisplayRate is the fourth failing input: a rate prints as
// entered, so quantity × rate visibly gives the amount.
func TestDisplayRate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ cur, rate, want string }{
		{"JPY", "4.5", "¥4.5"},
		{"AUD", "334.416", "$334.416"},
		{"AUD", "50", "$50.00"},
		{"AUD", "0.25", "$0.25"},
		{"KWD", "1.5", "KWD 1.500"},
		{"AUD", "1234.5678", "$1,234.5678"},
	} {
		if got := MustCurrency(c.cur).DisplayRate(decimal.RequireFromString(c.rate)); got != c.want {
			t.Errorf("%s %s: got %q, want %q", c.cur, c.rate, got, c.want)
		}
	}
}
