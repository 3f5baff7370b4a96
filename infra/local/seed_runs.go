package main

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/dynamo"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	invoicerun "github.com/carebill/carebill/internal/run"
)

// seedNDIS gives the demo org what an invoice run needs: an ABN and NDIS
// registration number, a plan for each participant, and last month's
// support coordination tasks (one a telehealth call), so a coordinator
// can preview and start a run for last month at once. The tasks fall in
// the second half of the month: the first half of one participant's is
// already on the invoice seedLastMonth issues, and billing it twice would
// be exactly the mistake a run must never make.
func seedNDIS(ctx context.Context, svc *billing.Service, store *dynamo.Store, admin auth.Principal, participants []billing.ClientView) error {
	var start calendar.Date
	if _, err := svc.EditOrg(ctx, admin, func(o *org.Org, now time.Time) error {
		today := o.Today(now)
		start = calendar.Of(today.Year(), today.Month()-1, 1)
		o.Settings.LegalName, o.Settings.TaxID = "Bright Path Support Coordination Pty Ltd", "51824753556"
		return nil
	}); err != nil {
		return err
	}
	if err := store.PutNDISProvider(ctx, admin.OrgID, invoicerun.ProviderSettings{Registration: "4050012345"}); err != nil {
		return err
	}
	coord, err := billing.NewCoordination(svc, store)
	if err != nil {
		return err
	}
	for i, c := range participants {
		if _, err := coord.SetPlan(ctx, admin, ndis.Plan{ClientID: c.ID, Start: start.AddDays(-90), End: start.AddDays(270),
			Remoteness: ndis.National, Budgets: map[string]decimal.Decimal{"07": decimal.RequireFromString("6000.00")}}); err != nil {
			return fmt.Errorf("plan of %s: %w", c.Profile.Name, err)
		}
		for j, minutes := range []int{60, 45} {
			t := ndis.Task{ClientID: c.ID, SupportItem: "07_002_0106_8_3", Date: start.AddDays(15 + 7*j + i), Minutes: minutes,
				Rate: decimal.RequireFromString("100.14"), Notes: "Coordination of supports"}
			if j == 1 && i == 2 {
				t.ClaimType = ndis.Telehealth
			}
			if _, err := coord.RecordTask(ctx, admin, t); err != nil {
				return fmt.Errorf("task of %s: %w", c.Profile.Name, err)
			}
		}
	}
	return nil
}
