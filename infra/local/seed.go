package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/cognito"
	"github.com/carebill/carebill/internal/cycle"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/payment"
)

type demoLogin struct{ email, password string }

// seed signs up a demo org through the same use cases the API calls and
// gives it a few clients and a draft invoice.
func (s *stack) seed(ctx context.Context) (demoLogin, error) {
	login := demoLogin{email: "demo@carebill.local", password: "Demo-Password-1"}
	env, err := s.env("InvoicingFunction")
	if err != nil {
		return login, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(s.aws), env("TABLE_NAME"))
	if err != nil {
		return login, err
	}
	dir, err := cognito.New(cip.NewFromConfig(s.aws), env("USER_POOL_ID"), env("USER_POOL_CLIENT_ID"))
	if err != nil {
		return login, err
	}
	svc, err := billing.New(store, dir, time.Now, id.New)
	if err != nil {
		return login, err
	}
	o, err := svc.Signup(ctx, "Bright Path Support Coordination", login.email, login.password)
	if errors.Is(err, auth.ErrEmailTaken) {
		return login, nil // already seeded in this moto
	}
	if err != nil {
		return login, err
	}
	admin := auth.Principal{OrgID: o.ID, Role: auth.RoleAdmin, Email: login.email}
	terms := 7
	clients := []client.Profile{
		{Name: "Zoë Müller-Ng", Contacts: []client.Contact{{Name: "Zoë Müller-Ng", Email: "zoe@example.com", Phone: "+61412345678"}},
			Funding: client.Funding{Type: client.SelfManaged, NDISNumber: "431234567"}},
		{Name: "Harbour Plan Partners participant", Contacts: []client.Contact{{Name: "Sam Lee", Email: "sam@example.com"}},
			Funding: client.Funding{Type: client.PlanManaged, NDISNumber: "432345678", PlanManager: &client.PlanManager{Name: "Harbour Plan Partners", Email: "accounts@harbourplan.example"}}},
		{Name: "Aroha Tane", Contacts: []client.Contact{{Name: "Aroha Tane", Phone: "+61498765432"}},
			Funding: client.Funding{Type: client.NDIAManaged, NDISNumber: "433456789"}, PaymentTermsDays: &terms},
	}
	var made []billing.ClientView
	for _, p := range clients {
		c, err := svc.CreateClient(ctx, admin, p)
		if err != nil {
			return login, fmt.Errorf("client %s: %w", p.Name, err)
		}
		made = append(made, c)
	}
	first := made[0]
	d := decimal.RequireFromString
	if err := seedLastMonth(ctx, svc, admin, made[1].ID); err != nil {
		return login, fmt.Errorf("last month's billing: %w", err)
	}
	if err := seedNDIS(ctx, svc, store, admin, made); err != nil {
		return login, fmt.Errorf("NDIS work: %w", err)
	}
	nov1, nov30 := calendar.MustParse("2026-11-01"), calendar.MustParse("2026-11-30")
	_, err = svc.CreateInvoice(ctx, admin, billing.DraftInput{
		ClientID: first.ID, Name: "Client Invoice – November",
		Lines: []billing.LineInput{
			{Line: invoice.Line{Type: invoice.Variable, Description: "Support coordination", PeriodStart: nov1, PeriodEnd: nov30, Quantity: d("40"), Unit: invoice.Hours, Rate: d("50")}},
			{Line: invoice.Line{Type: invoice.Variable, Description: "Travel", PeriodStart: nov1, PeriodEnd: nov30, Quantity: d("20"), Unit: invoice.Miles, Rate: d("0.25")}},
			{Line: invoice.Line{Type: invoice.Fixed, Description: "Consulting services", Price: d("50")}},
		},
	})
	return login, err
}

// seedLastMonth backdates the demo org's billing to the start of last
// month and gives one client an invoice issued then and a part payment, so
// the first close run (at start-up, every 15 minutes after, or "Run now"
// on /dev/schedules) closes last month and writes its statements, as it
// would for an org that has billed for a while.
func seedLastMonth(ctx context.Context, svc *billing.Service, admin auth.Principal, clientID string) error {
	var start calendar.Date
	if _, err := svc.EditOrg(ctx, admin, func(o *org.Org, now time.Time) error {
		today := o.Today(now)
		start = calendar.Of(today.Year(), today.Month()-1, 1)
		p, err := cycle.NewPlan(cycle.Default(), start)
		o.Settings.Cycles = p
		return err
	}); err != nil {
		return err
	}
	d := decimal.RequireFromString
	gstFree := decimal.Zero
	v, err := svc.CreateInvoice(ctx, admin, billing.DraftInput{
		ClientID: clientID, Name: "Support coordination – " + start.Format("January 2006"), IssueDate: start.AddDays(14),
		Lines: []billing.LineInput{{Line: invoice.Line{Type: invoice.Variable, Description: "Support coordination",
			PeriodStart: start, PeriodEnd: start.AddDays(13), Quantity: d("6"), Unit: invoice.Hours, Rate: d("100.14")},
			TaxRate: &gstFree}}, // NDIS supports are GST-free
	})
	if err != nil {
		return err
	}
	inv, err := svc.FinalizeInvoice(ctx, admin, v.Invoice.ID)
	if err != nil {
		return err
	}
	_, err = svc.RecordPayment(ctx, admin, payment.Input{ClientID: clientID, Amount: d("200.00"), Date: start.AddDays(20),
		Method: payment.BankTransfer, Reference: "Plan manager remittance", Allocations: []payment.Allocation{{InvoiceID: inv.Invoice.ID, Amount: d("200.00")}}})
	return err
}
