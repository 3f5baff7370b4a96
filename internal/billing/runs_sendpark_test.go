package billing_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/run"
)

// An invoice the run makes but cannot send (the participant has no email
// address) is parked on the run with the reason, not marked routed; once
// the client is fixed, a re-queue sends that same invoice: no second
// invoice, no new number.
func TestARunParksAnUnsendableInvoiceAndTheRequeueSendsIt(t *testing.T) {
	t.Parallel()
	w := newRunWorld(t, nil)
	ok := w.participant("Ada Ngata", client.SelfManaged, "431234567", 3)
	noEmail := w.participant("Ben Ruiz", client.SelfManaged, "431234568", 4)
	if _, err := w.svc.UpdateClient(ctx, w.admin, noEmail, func(p *client.Profile) error {
		p.Contacts[0].Email = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rn := w.start(false)
	w.drain()
	w.drain() // a redelivered message parks nothing twice

	v := w.view(rn.ID)
	if v.Status != run.CompleteWithUnsent || v.Counts.Invoiced != 2 || v.Counts.Unsent != 1 || v.Counts.Parked != 0 {
		t.Fatalf("run %s %+v", v.Status, v.Counts)
	}
	// The unsent invoice went nowhere: only the sent one counts as routed.
	if v.Counts.ByRouting[run.ToParticipant] != 1 || v.Counts.Routed()+v.Counts.Unsent != v.Counts.Invoiced {
		t.Fatalf("routed while unsent: %+v", v.Counts)
	}
	var parked *run.ClientResult
	for _, c := range v.Clients {
		if c.ClientID == noEmail {
			parked = c
		} else if c.ClientID != ok || !c.Routed || c.SendParked() {
			t.Errorf("%s: routed %v, parked send %v", c.ClientName, c.Routed, c.SendParked())
		}
	}
	if parked == nil || !parked.SendParked() || parked.Routed || parked.Number == "" || !strings.Contains(parked.RouteError, "no email or phone for ") || strings.Contains(parked.RouteError, ": send invoice") {
		t.Fatalf("unsendable client: %+v", parked)
	}
	if ds := w.deliveries(parked.InvoiceID); len(ds) != 0 {
		t.Fatalf("%d deliveries for an invoice that could not go", len(ds))
	}
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{ok}); !errors.Is(err, run.ErrAlreadyOnRun) {
		t.Errorf("re-queue of a sent client: %v", err)
	}

	if _, err := w.svc.UpdateClient(ctx, w.admin, noEmail, func(p *client.Profile) error {
		p.Contacts[0].Email = "ben@example.com"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.runs.Requeue(ctx, w.admin, rn.ID, []string{noEmail}); err != nil {
		t.Fatal(err)
	}
	if v := w.view(rn.ID); v.Counts.Unsent != 0 || !slices.ContainsFunc(v.Clients, func(c *run.ClientResult) bool { return c.ClientID == noEmail && !c.SendParked() && !c.Routed }) {
		t.Errorf("re-queued: %s %+v", v.Status, v.Counts)
	}
	w.drain()
	v = w.view(rn.ID)
	if v.Status != run.Complete || v.Counts.Invoiced != 2 || v.Counts.Unsent != 0 || v.Counts.ByRouting[run.ToParticipant] != 2 {
		t.Fatalf("after the re-queue: %s %+v", v.Status, v.Counts)
	}
	for _, c := range v.Clients {
		if c.ClientID == noEmail && (!c.Routed || c.SendParked() || c.InvoiceID != parked.InvoiceID || c.Number != parked.Number) {
			t.Errorf("re-queued send: %+v", c)
		}
	}
	ds := w.deliveries(parked.InvoiceID)
	if len(ds) != 2 || !slices.ContainsFunc(ds, func(d *delivery.Delivery) bool { return d.Recipient == "ben@example.com" }) {
		t.Fatalf("deliveries after the re-queue: %+v", ds)
	}
	if got := w.numbers(); !slices.Equal(got, gapless(2)) {
		t.Fatalf("numbers %v", got)
	}
	invs, _, err := w.store.ListInvoices(ctx, w.org.ID, invoice.ListFilter{ClientID: noEmail, Limit: 10})
	if err != nil || len(invs) != 1 {
		t.Fatalf("%d invoices for the re-queued client (%v)", len(invs), err)
	}
}
