package run

import (
	"strings"
	"testing"
	"time"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/session"
)

// TestBuildClaimsShortNoticeCancellations: a session cancelled at short
// notice is claimed in the NDIA bulk file as booked, claim type CANC with
// its reason and the booked hours at the agreed rate; a cancellation with
// enough notice (no reason) is not claimed.
func TestBuildClaimsShortNoticeCancellations(t *testing.T) {
	t.Parallel()
	ses := func(id string, d int, reason string) *session.Session {
		s := &session.Session{ID: id, Attendance: session.Cancelled, CancellationReason: reason, Spec: session.Spec{ClientID: "cli_1",
			Start: time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC), Minutes: 90,
			Service: session.Service{Description: "Support coordination", Rate: amt("100.14"), SupportItem: "07_002_0106_8_3"}}}
		return s
	}
	in := input(client.NDIAManaged)
	in.Location = time.UTC
	in.Sessions = []*session.Session{ses("ses_short", 10, "NSDH"), ses("ses_notice", 12, "")}
	d, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Claims) != 1 || strings.Join(d.SessionIDs, ",") != "ses_short" {
		t.Fatalf("claims %+v, sessions %v", d.Claims, d.SessionIDs)
	}
	c := d.Claims[0]
	if c.ClaimType != ndis.Cancellation || c.CancellationReason != "NSDH" || c.Minutes != 90 || !c.UnitPrice.Equal(amt("100.14")) ||
		c.Amount.String() != "150.21" || c.SupportItem != "07_002_0106_8_3" || c.From != day("2026-11-10") {
		t.Errorf("claim %+v", c)
	}
	if d.Preview.Lines[0].ClaimType != ndis.Cancellation || !strings.Contains(d.Spec.Lines[0].Description, "CANC short notice cancellation (NSDH)") {
		t.Errorf("preview %+v, line %q", d.Preview.Lines[0], d.Spec.Lines[0].Description)
	}
	d.Claims[0].Ref = "INV-00001-01" // set when the invoice is numbered
	files, err := BulkFiles(in.Provider, d.Claims, FileOptions{}, "carebill")
	if err != nil || len(files) != 1 {
		t.Fatalf("bulk file: %v", err)
	}
	if row := strings.Split(strings.TrimSpace(string(files[0].Data)), "\r\n")[1]; !strings.Contains(row, ",INV-00001-01,,1:30,100.14,P2,,,,CANC,NSDH,51824753556") {
		t.Errorf("bulk file row %q", row)
	}
}
