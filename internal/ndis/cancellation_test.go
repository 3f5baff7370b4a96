package ndis

import (
	"testing"
	"time"
)

// TestShortNoticeCancellationRules: which support items may claim a
// short notice cancellation and when notice is short (NDIS Pricing
// Arrangements: 7 clear days for disability support worker supports, 2
// clear business days for the rest that may claim; none for things).
func TestShortNoticeCancellationRules(t *testing.T) {
	t.Parallel()
	for item, want := range map[string]string{
		"07_002_0106_8_3": "2 clear business days", // support coordination
		"15_056_0128_1_3": "2 clear business days", // therapy
		"01_011_0107_1_1": "7 clear days",          // a support worker's daily life support
		"04_104_0125_6_1": "7 clear days",          // community participation
		"03_222_0100_1_1": "",                      // consumables: nothing booked to cancel
		"02_051_0108_1_1": "",                      // transport
		"":                "",
		"not an item":     "",
	} {
		n, ok := CancellationNotice(item)
		if got := map[bool]string{true: n.String(), false: ""}[ok]; got != want {
			t.Errorf("%q: %q, want %q", item, got, want)
		}
	}

	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, syd)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start := at("2026-11-16 10:00") // a Monday
	week, business := Notice{Days: 7}, Notice{Days: 2, Business: true}
	for _, tc := range []struct {
		n    Notice
		told string
		want bool
	}{
		{week, "2026-11-08 09:00", false}, // 9th–15th: 7 clear days
		{week, "2026-11-08 23:59", false},
		{week, "2026-11-09 08:00", true},      // 6 clear days
		{week, "2026-11-16 09:59", true},      // on the day
		{week, "2026-11-16 10:30", true},      // after the start: a no-show
		{business, "2026-11-11 17:00", false}, // Thu and Fri clear
		{business, "2026-11-12 09:00", true},  // Fri only: the weekend is not business days
		{business, "2026-11-13 09:00", true},
		{business, "2026-11-02 09:00", false},
	} {
		if got := ShortNotice(tc.n, start, at(tc.told), syd); got != tc.want {
			t.Errorf("%s told %s for Mon 16 Nov 10:00: short %v, want %v", tc.n, tc.told, got, tc.want)
		}
	}
	// Days are the org's: 08:00 on the 9th in Sydney is still the 8th in
	// UTC, where 7 clear days would remain.
	if !ShortNotice(week, start, at("2026-11-09 08:00").UTC(), syd) {
		t.Error("notice read in UTC instead of the org's zone")
	}
}
