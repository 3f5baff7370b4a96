package cases

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/money"
)

var (
	aud = money.MustCurrency("AUD")
	d   = decimal.RequireFromString
	now = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
)

func twoMakers(t *testing.T) *Case {
	t.Helper()
	c, err := New("case_1", "org_1", Spec{ClientID: "cli_1", Doctor: "Dr A", EventDate: calendar.MustParse("2026-11-02"), Products: []Product{
		{Description: "Insert", Manufacturer: "Zimmer", Quantity: d("1"), Rate: d("800")},
		{Description: "Screw", Manufacturer: "Acme", Quantity: d("4"), Rate: d("25.125"), Discount: d("0.50")},
		{Description: "Plate", Manufacturer: "Acme", Quantity: d("1"), Rate: d("300")},
	}}, aud, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPOsMakeInvoiceGroups(t *testing.T) {
	t.Parallel()
	c := twoMakers(t)
	if got := c.Value().StringFixed(2); got != "1200.00" { // 800 + 100.50 − 0.50 + 300
		t.Fatalf("value %s", got)
	}
	if err := c.StartInvoicing(func() string { return "inv" }, now); !errors.Is(err, ErrState) {
		t.Fatalf("invoicing without POs: %v", err)
	}
	if err := c.SetPOs(POs{ByManufacturer: map[string]string{"Acme": "A-1", "Zimmer": "Z-1"}}, now); err != nil {
		t.Fatal(err)
	}
	g := c.Groups()
	if len(g) != 2 || g[0].Manufacturer != "Acme" || g[0].PO != "A-1" || len(g[0].Lines) != 2 || g[1].Manufacturer != "Zimmer" || len(g[1].Lines) != 1 {
		t.Fatalf("groups %+v", g)
	}
	if err := c.SetPOs(POs{All: "ALL-1"}, now); err != nil || len(c.Groups()) != 1 || len(c.Groups()[0].Lines) != 3 {
		t.Fatalf("one PO for all: %v %+v", err, c.Groups())
	}
	n := 0
	if err := c.StartInvoicing(func() string { n++; return "inv_" + string(rune('0'+n)) }, now); err != nil || c.Status != Invoiced || len(c.Invoices) != 1 {
		t.Fatalf("start invoicing: %v %+v", err, c)
	}
	if err := c.Edit(c.Spec, now); !errors.Is(err, ErrState) {
		t.Fatalf("edit an invoiced case: %v", err)
	}
	if err := c.Release(now); err != nil || c.Status != PendingPayment || c.Invoices != nil {
		t.Fatalf("release: %v %+v", err, c)
	}
}

func TestBadPOsAreRefused(t *testing.T) {
	t.Parallel()
	for _, pos := range []POs{
		{}, {All: "A", ByManufacturer: map[string]string{"Acme": "B"}}, {ByManufacturer: map[string]string{"Acme": "A"}},
		{ByManufacturer: map[string]string{"Acme": "A", "Zimmer": "Z", "Stryker": "S"}}, {All: "=1+1"}, {All: " PO"}, {All: "PO\n2"},
	} {
		c := twoMakers(t)
		if err := c.SetPOs(pos, now); err == nil || c.Status != PendingPO {
			t.Errorf("POs %+v accepted", pos)
		}
	}
}
