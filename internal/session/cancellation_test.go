package session

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestShortNoticeCancellationIsClaimedAsBooked: a session of a support
// item that may claim a cancellation, cancelled at short notice with an
// NDIS reason, is billable at 100% of its agreed price as booked, its
// line naming claim type CANC and the reason; with enough notice, or for
// an item that cannot claim one, the reason is refused; without a reason
// (or without a support item) a cancellation bills nothing.
func TestShortNoticeCancellationIsClaimedAsBooked(t *testing.T) {
	t.Parallel()
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 16, 10, 0, 0, 0, syd) // a Monday
	book := func(item string) *Session {
		return &Session{ID: "ses_1", Attendance: Scheduled, Spec: Spec{ClientID: "cli_1", Start: start, Minutes: 60,
			Service: Service{Description: "Support coordination", Rate: decimal.RequireFromString("100.14"), SupportItem: item}}}
	}

	s := book("07_002_0106_8_3")
	if err := CheckCancellation(s, "NSDH", time.Date(2026, 11, 13, 9, 0, 0, 0, syd), syd); err != nil {
		t.Fatalf("one clear business day's notice: %v", err)
	}
	attended := *s
	attended.Attendance = Attended
	s.Attendance, s.CancellationReason = Cancelled, "NSDH"
	if !s.ShortNoticeCancellation() || !s.Billable() {
		t.Fatal("a short notice cancellation is not billable")
	}
	l, full := s.Line(aud, syd), attended.Line(aud, syd)
	if !l.Amount(aud).Equal(full.Amount(aud)) || l.Amount(aud).String() != "100.14" || !l.Quantity.Equal(decimal.NewFromInt(1)) {
		t.Errorf("cancellation line %s × %s = %s, want the booked hour at 100%% (%s)", l.Quantity, l.Rate, l.Amount(aud), full.Amount(aud))
	}
	if !strings.Contains(l.Description, "claim type CANC short notice cancellation (NSDH)") || l.SupportItem != "07_002_0106_8_3" {
		t.Errorf("cancellation line %q %s", l.Description, l.SupportItem)
	}

	var nsn *NotShortNoticeError
	if err := CheckCancellation(book("07_002_0106_8_3"), "NSDH", time.Date(2026, 11, 11, 17, 0, 0, 0, syd), syd); !errors.As(err, &nsn) ||
		!errors.Is(err, ErrNotShortNotice) || !strings.Contains(err.Error(), "2 clear business days") {
		t.Errorf("two clear business days' notice: %v", err)
	}
	if err := CheckCancellation(book("03_222_0100_1_1"), "NSDH", start, syd); !errors.Is(err, ErrCancellationNotClaimable) {
		t.Errorf("consumables: %v", err)
	}
	if err := CheckCancellation(book(""), "NSDH", start, syd); err != nil {
		t.Errorf("a session without a support item keeps its reason as a note: %v", err)
	}

	for name, c := range map[string]*Session{
		"enough notice (no reason)": {Attendance: Cancelled, Spec: book("07_002_0106_8_3").Spec},
		"no support item":           {Attendance: Cancelled, CancellationReason: "NSDH", Spec: book("").Spec},
		"no-show":                   {Attendance: NoShow, Spec: book("07_002_0106_8_3").Spec},
		"scheduled":                 {Attendance: Scheduled, Spec: book("07_002_0106_8_3").Spec},
	} {
		if c.Billable() {
			t.Errorf("%s: billable", name)
		}
	}
}
