package run

import "testing"

// TestUnsentInvoicesAreNotRouted: the trial's self-managed participant
// with no email or phone was invoiced but not sent; the run must not say
// the invoice went to the participant. Routed and Unsent add up to
// Invoiced, and the status says some invoices were not sent.
func TestUnsentInvoicesAreNotRouted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		c      Counts
		routed int
		want   Status
	}{
		{"one unsent", Counts{Total: 1, Invoiced: 1, Unsent: 1, ByRouting: map[Routing]int{ToParticipant: 0}}, 0, CompleteWithUnsent},
		{"sent and unsent", Counts{Total: 3, Invoiced: 3, Unsent: 1, ByRouting: map[Routing]int{ToParticipant: 1, ToNDIA: 1}}, 2, CompleteWithUnsent},
		{"all routed", Counts{Total: 2, Invoiced: 2, ByRouting: map[Routing]int{ToPlanManager: 1, ToNDIA: 1}}, 2, Complete},
	} {
		r := Run{Counts: tc.c}
		if got := tc.c.Routed(); got != tc.routed || got+tc.c.Unsent != tc.c.Invoiced {
			t.Errorf("%s: routed %d, want %d (invoiced %d, unsent %d)", tc.name, got, tc.routed, tc.c.Invoiced, tc.c.Unsent)
		}
		if got := r.Status(); got != tc.want {
			t.Errorf("%s: status %s, want %s", tc.name, got, tc.want)
		}
	}
}
