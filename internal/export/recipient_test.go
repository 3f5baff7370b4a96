package export

import (
	"testing"

	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
)

// TestXeroEmailIsWhereTheInvoiceGoes: the EmailAddress column is the
// address sending uses: a plan-managed participant's plan manager, not
// the participant; otherwise the billing contact.
func TestXeroEmailIsWhereTheInvoiceGoes(t *testing.T) {
	t.Parallel()
	planManaged := func(pm *client.PlanManager) *client.Client {
		c := zoe()
		c.Profile.BillingContactID = "con_1"
		c.Profile.Funding = client.Funding{Type: client.PlanManaged, NDISNumber: "430000001", PlanManager: pm}
		return c
	}
	ndia := zoe()
	ndia.Profile.BillingContactID = "con_1"
	ndia.Profile.Funding = client.Funding{Type: client.NDIAManaged, NDISNumber: "430000001"}
	for _, c := range []struct {
		name string
		c    *client.Client
		want string
	}{
		{"plan-managed: the plan manager", planManaged(&client.PlanManager{Name: "Plan Co", Email: "invoices@planco.example"}), "invoices@planco.example"},
		{"plan-managed without a plan manager: the billing contact", planManaged(nil), "zoe@example.com"},
		{"self-managed: the billing contact", zoe(), "accounts@planco.example"},
		{"NDIA-managed: the billing contact", ndia, "zoe@example.com"},
		{"client gone: none", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := issued(t, 3, zoe(), invoice.PerRate, invoice.Line{Type: invoice.Fixed, Description: "Support", Price: d("50"), TaxRate: d("0")})
			e.Client = c.c
			rows := readCSV(t, writeAll(t, Xero(acc), []Invoice{e}))
			if got := rows[1][1]; got != c.want {
				t.Errorf("EmailAddress = %q, want %q", got, c.want)
			}
		})
	}
}
