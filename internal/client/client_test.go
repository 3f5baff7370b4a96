package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/validation"
)

func ids() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("con_%d", n) }
}

func TestBillingContactDefaultsToPrimary(t *testing.T) {
	t.Parallel()
	c, err := New("cli_1", "org_1", Profile{Name: " Zoë Müller-Ng ", Contacts: []Contact{
		{Name: "Zoë", Email: "zoe@example.com"},
		{Name: "Mum", Email: "mum@example.com", Primary: true},
	}}, ids(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	bc, ok := c.BillingContact()
	if !ok || bc.Name != "Mum" || c.Profile.Name != "Zoë Müller-Ng" || c.Profile.Funding.Type != SelfManaged {
		t.Fatalf("billing contact %+v %v, profile %+v", bc, ok, c.Profile)
	}
	c2, _ := New("cli_2", "org_1", Profile{Name: "A", Contacts: []Contact{{Name: "First"}, {Name: "Second"}}}, ids(), time.Now())
	if bc, _ := c2.BillingContact(); bc.Name != "First" || !c2.Profile.Contacts[0].Primary {
		t.Fatalf("first contact should become primary and billing: %+v", c2.Profile)
	}
	p := c2.Profile
	p.BillingContactID = p.Contacts[1].ID
	if err := c2.Update(p, ids(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if bc, _ := c2.BillingContact(); bc.Name != "Second" {
		t.Fatalf("chosen billing contact ignored: %+v", bc)
	}
}

func TestProfileValidation(t *testing.T) {
	t.Parallel()
	neg, big := -1, 366
	rate := decimal.NewFromInt(101)
	cases := map[string]struct {
		p     Profile
		field string
	}{
		"no name":           {Profile{}, "name"},
		"bad email":         {Profile{Name: "A", Contacts: []Contact{{Name: "B", Email: "not-an-email"}}}, "contacts[0].email"},
		"display email":     {Profile{Name: "A", Contacts: []Contact{{Name: "B", Email: "B <b@example.com>"}}}, "contacts[0].email"},
		"bad phone":         {Profile{Name: "A", Contacts: []Contact{{Name: "B", Phone: "0412 345 678"}}}, "contacts[0].phone"},
		"two primaries":     {Profile{Name: "A", Contacts: []Contact{{Name: "B", Primary: true}, {Name: "C", Primary: true}}}, "contacts"},
		"unknown billing":   {Profile{Name: "A", BillingContactID: "con_x"}, "billingContactId"},
		"negative terms":    {Profile{Name: "A", PaymentTermsDays: &neg}, "paymentTermsDays"},
		"long terms":        {Profile{Name: "A", PaymentTermsDays: &big}, "paymentTermsDays"},
		"tax over 100":      {Profile{Name: "A", TaxRate: &rate}, "taxRate"},
		"bad funding":       {Profile{Name: "A", Funding: Funding{Type: "medicare"}}, "funding.type"},
		"ndia without no.":  {Profile{Name: "A", Funding: Funding{Type: NDIAManaged}}, "funding.ndisNumber"},
		"short ndis no.":    {Profile{Name: "A", Funding: Funding{Type: NDIAManaged, NDISNumber: "43123"}}, "funding.ndisNumber"},
		"plan w/o manager":  {Profile{Name: "A", Funding: Funding{Type: PlanManaged}}, "funding.planManager"},
		"manager bad email": {Profile{Name: "A", Funding: Funding{Type: PlanManaged, PlanManager: &PlanManager{Name: "PM", Email: "x"}}}, "funding.planManager.email"},
		"manager on self":   {Profile{Name: "A", Funding: Funding{Type: SelfManaged, PlanManager: &PlanManager{Name: "PM", Email: "pm@example.com"}}}, "funding.planManager"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := New("cli_1", "org_1", tc.p, ids(), time.Now())
			v, ok := validation.As(err)
			if !ok || v.Field != tc.field {
				t.Fatalf("err = %v, want validation error on %s", err, tc.field)
			}
		})
	}
	ok := Profile{Name: "A", Funding: Funding{Type: NDIAManaged, NDISNumber: "431234567"}}
	if _, err := New("cli_1", "org_1", ok, ids(), time.Now()); err != nil {
		t.Fatalf("valid NDIA-managed client refused: %v", err)
	}
}

// TestContactIDsAreCarebills is the probe's finding 9: contact ids were
// taken verbatim from the request. A new client's contacts always get
// carebill's ids; an update may send back only ids the client has.
func TestContactIDsAreCarebills(t *testing.T) {
	t.Parallel()
	n := 0
	newID := func() string { n++; return fmt.Sprintf("con_%d", n) }
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := New("cli_1", "org_1", Profile{Name: "Zoë", Contacts: []Contact{{ID: "con_chosen", Name: "Zoë"}}}, newID, now); err == nil {
		t.Fatal("a new contact with a caller's id was accepted")
	}
	c, err := New("cli_1", "org_1", Profile{Name: "Zoë", Contacts: []Contact{{Name: "Zoë"}}}, newID, now)
	if err != nil {
		t.Fatal(err)
	}
	kept := c.Profile.Contacts[0].ID
	err = c.Update(Profile{Name: "Zoë", Contacts: []Contact{{ID: kept, Name: "Zoë M"}, {ID: "con_other_clients", Name: "Sam"}}}, newID, now)
	if v, ok := validation.As(err); !ok || v.Field != "contacts[1].id" {
		t.Fatalf("unknown contact id on update: %v", err)
	}
	if err := c.Update(Profile{Name: "Zoë", Contacts: []Contact{{ID: kept, Name: "Zoë M"}, {Name: "Sam"}}}, newID, now); err != nil {
		t.Fatal(err)
	}
	if c.Profile.Contacts[0].ID != kept || c.Profile.Contacts[1].ID == "" || c.Profile.Contacts[1].ID == kept {
		t.Fatalf("contacts after update: %+v", c.Profile.Contacts)
	}
}
