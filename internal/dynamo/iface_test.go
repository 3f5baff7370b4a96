package dynamo_test

import (
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/dynamo"
)

// The billing use cases' storage interfaces the DynamoDB store implements,
// checked when the tests build.
var (
	_ billing.Store                  = (*dynamo.Store)(nil)
	_ billing.FirstViews             = (*dynamo.Store)(nil)
	_ billing.DueChargeLister        = (*dynamo.Store)(nil)
	_ billing.ActivityStore          = (*dynamo.Store)(nil)
	_ billing.CardDisputeStore       = (*dynamo.Store)(nil)
	_ billing.CardPaymentStore       = (*dynamo.Store)(nil)
	_ billing.CaseStore              = (*dynamo.Store)(nil)
	_ billing.ClientStore            = (*dynamo.Store)(nil)
	_ billing.CreditNoteStore        = (*dynamo.Store)(nil)
	_ billing.CycleStore             = (*dynamo.Store)(nil)
	_ billing.DashboardStore         = (*dynamo.Store)(nil)
	_ billing.DeliveryStore          = (*dynamo.Store)(nil)
	_ billing.ExportStore            = (*dynamo.Store)(nil)
	_ billing.InvoiceStore           = (*dynamo.Store)(nil)
	_ billing.LedgerStore            = (*dynamo.Store)(nil)
	_ billing.MemberStore            = (*dynamo.Store)(nil)
	_ billing.NDISStore              = (*dynamo.Store)(nil)
	_ billing.OrgStore               = (*dynamo.Store)(nil)
	_ billing.ParkedStore            = (*dynamo.Store)(nil)
	_ billing.PayLinkStore           = (*dynamo.Store)(nil)
	_ billing.PaymentStore           = (*dynamo.Store)(nil)
	_ billing.ReceiptStore           = (*dynamo.Store)(nil)
	_ billing.ReclaimStore           = (*dynamo.Store)(nil)
	_ billing.ReconcileStore         = (*dynamo.Store)(nil)
	_ billing.RecurringStore         = (*dynamo.Store)(nil)
	_ billing.ReminderStore          = (*dynamo.Store)(nil)
	_ billing.ReversalStore          = (*dynamo.Store)(nil)
	_ billing.RunStore               = (*dynamo.Store)(nil)
	_ billing.SessionStore           = (*dynamo.Store)(nil)
	_ billing.StatementDeliveryStore = (*dynamo.Store)(nil)
	_ billing.StatementStore         = (*dynamo.Store)(nil)
	_ billing.TaskAlertStore         = (*dynamo.Store)(nil)
)
