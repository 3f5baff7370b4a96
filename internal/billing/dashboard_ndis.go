package billing

import (
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
)

// TaskAlertStore is what the dashboard reads, when its store has it
// (internal/dynamo does), to count the NDIS tasks whose alerts block
// invoicing: every participant (a client with NDIS funding), then each
// one's plan and tasks, judged as the tasks page judges them.
type TaskAlertStore interface {
	taskReader
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
	PriceLimits(ctx context.Context, orgID string) ([]ndis.PriceLimit, int64, error)
}

// TaskAlerts counts the org's NDIS tasks not yet invoiced that carry an
// alert (an invoice run would not invoice them) and the participants they
// belong to.
type TaskAlerts struct {
	Tasks        int64
	Participants int64
}

// taskAlerts reads every participant's tasks: one Query of the client
// list per 200 clients, then per participant a plan GetItem and a task
// Query, as starting an invoice run does.
func taskAlerts(ctx context.Context, store TaskAlertStore, o *org.Org, today calendar.Date) (TaskAlerts, error) {
	var out TaskAlerts
	limits, _, err := store.PriceLimits(ctx, o.ID)
	if err != nil {
		return out, fmt.Errorf("NDIS task alerts: %w", err)
	}
	for cursor := ""; ; {
		page, next, err := store.ListClients(ctx, o.ID, "", 200, cursor)
		if err != nil {
			return out, fmt.Errorf("NDIS task alerts: %w", err)
		}
		for _, c := range page {
			if c.Profile.Funding.Type == "" {
				continue
			}
			views, err := judgeTasks(ctx, store, o, c, limits, today)
			if err != nil {
				return out, fmt.Errorf("NDIS task alerts of %s: %w", c.ID, err)
			}
			var n int64
			for _, v := range views {
				if v.InvoiceID == "" && len(v.Alerts) > 0 {
					n++
				}
			}
			if n > 0 {
				out.Tasks += n
				out.Participants++
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
