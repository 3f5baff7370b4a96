package run

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/validation"
)

func TestNewReclaim(t *testing.T) {
	t.Parallel()
	aud, err := money.ParseCurrency("AUD")
	if err != nil {
		t.Fatal(err)
	}
	prev := Claim{Ref: "INV-00007-02", NDISNumber: "431234569", SupportItem: "07_002_0106_8_3", From: calendar.MustParse("2026-11-12"),
		To: calendar.MustParse("2026-11-12"), Minutes: 50, UnitPrice: decimal.RequireFromString("100.14"), Amount: decimal.RequireFromString("83.45"),
		GSTCode: GSTFree, ClaimType: ndis.Telehealth}
	today := calendar.MustParse("2026-12-08")
	c, err := NewReclaim("INV-00007-02", 1, prev, "431234570", Correction{UnitPrice: decimal.RequireFromString("80.06")}, aud, today)
	if err != nil {
		t.Fatal(err)
	}
	// 80.06 × 50 ÷ 60 = 66.7166… → 66.72; the rest of the line as sent.
	if c.Ref != "INV-00007-02-R1" || c.NDISNumber != "431234570" || !c.Amount.Equal(decimal.RequireFromString("66.72")) ||
		c.SupportItem != prev.SupportItem || c.ClaimType != ndis.Telehealth || c.Minutes != 50 {
		t.Errorf("re-claim %+v", c)
	}
	var ve *validation.Error
	for name, tc := range map[string]struct {
		ndis  string
		fix   Correction
		today string
		field string
	}{
		"bad support item":  {"431234569", Correction{SupportItem: "07-002"}, "2026-12-08", "supportItem"},
		"bad NDIS number":   {"4312", Correction{}, "2026-12-08", "ndisNumber"},
		"past two years":    {"431234569", Correction{}, "2028-11-13", "claimReference"},
		"price over limits": {"431234569", Correction{UnitPrice: decimal.RequireFromString("10000000")}, "2026-12-08", "unitPrice"},
	} {
		if _, err := NewReclaim("INV-00007-02", 2, prev, tc.ndis, tc.fix, aud, calendar.MustParse(tc.today)); !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v", name, err)
		}
	}
	perSession := prev
	perSession.Quantity, perSession.UnitPrice = decimal.NewFromInt(1), decimal.RequireFromString("150.00")
	if c, err := NewReclaim("INV-00007-02", 1, perSession, "431234569", Correction{UnitPrice: decimal.RequireFromString("140.50")}, aud, today); err != nil ||
		!c.Amount.Equal(decimal.RequireFromString("140.5")) {
		t.Errorf("a per-session re-claim: %+v %v", c, err)
	}
	if _, err := NewReclaim("INV-00007-02", 1, prev, "431234569", Correction{}, aud, calendar.MustParse("2028-11-12")); err != nil {
		t.Errorf("on the last day of the window: %v", err)
	}
}

func TestReclaimFrom(t *testing.T) {
	t.Parallel()
	queued := &Reclaim{Root: "R", Attempt: 1, FromRun: "run_a", FromRef: "R", State: ReclaimQueued}
	taken := &Reclaim{Root: "R", Attempt: 1, FromRun: "run_a", FromRef: "R", State: ReclaimClaimed, RunID: "run_b", Claim: Claim{Ref: "R-R1"}}
	again := &Reclaim{Root: "R", Attempt: 1, FromRun: "run_a", FromRef: "R", State: ReclaimRejected, RunID: "run_b", Claim: Claim{Ref: "R-R1"}}
	for _, tc := range []struct {
		rec      *Reclaim
		run, ref string
		attempt  int
		err      error
	}{
		{nil, "run_a", "R", 1, nil},
		{queued, "run_a", "R", 1, nil},
		{queued, "run_b", "R", 0, ErrReclaimTaken},
		{taken, "run_a", "R", 0, ErrReclaimTaken},
		{taken, "run_b", "R-R1", 0, ErrReclaimTaken},
		{again, "run_b", "R-R1", 2, nil},
		{again, "run_a", "R", 0, ErrReclaimTaken},
		{&Reclaim{State: ReclaimPaid, RunID: "run_b", Claim: Claim{Ref: "R-R1"}}, "run_b", "R-R1", 0, ErrReclaimTaken},
	} {
		n, err := ReclaimFrom(tc.rec, tc.run, tc.ref)
		if n != tc.attempt || !errors.Is(err, tc.err) {
			t.Errorf("%+v from %s/%s: %d %v, want %d %v", tc.rec, tc.run, tc.ref, n, err, tc.attempt, tc.err)
		}
		l := Line{RunID: tc.run, Ref: tc.ref, State: LineRejected, Reclaim: tc.rec}
		if l.CanReclaim() != (tc.err == nil) {
			t.Errorf("%+v: can re-claim %s/%s = %v", tc.rec, tc.run, tc.ref, l.CanReclaim())
		}
		if l.State = LinePaid; l.CanReclaim() {
			t.Errorf("a paid line can be re-claimed")
		}
	}
}
