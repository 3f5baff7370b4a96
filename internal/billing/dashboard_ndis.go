package billing

import (
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/run"
)

// TaskAlertStore is what the dashboard reads, when its store has it
// (internal/dynamo does), to count the NDIS tasks whose alerts block
// invoicing: the org's NDIS work index (every participant's plan and
// tasks in one Query), or, until it is built, every participant (a client
// with NDIS funding) and then each one's plan and tasks, judged as the
// tasks page judges them.
type TaskAlertStore interface {
	taskReader
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
	PriceLimits(ctx context.Context, orgID string) ([]ndis.PriceLimit, int64, error)
	NDISWork(ctx context.Context, orgID string, each func(run.Work) error) (ready bool, err error)
}

// TaskAlerts counts the org's NDIS tasks not yet invoiced that carry an
// alert (an invoice run would not invoice them) and the participants they
// belong to.
type TaskAlerts struct {
	Tasks        int64
	Participants int64
	// FirstClientID is the participant with such a task whose client id
	// is least (the same whichever order they are read in): where the
	// dashboard's fix link starts.
	FirstClientID string
}

// count adds one participant's tasks not yet invoiced that carry alerts.
func (t *TaskAlerts) count(clientID string, views []TaskView) {
	var n int64
	for _, v := range views {
		if v.InvoiceID == "" && len(v.Alerts) > 0 {
			n++
		}
	}
	if n > 0 {
		if t.FirstClientID == "" || clientID < t.FirstClientID {
			t.FirstClientID = clientID
		}
		t.Tasks += n
		t.Participants++
	}
}

// taskAlerts reads every participant's plan and tasks from the NDIS work
// index (one Query in 1 MB pages), as starting an invoice run does, and
// judges them with today's date and the org's price limits.
func taskAlerts(ctx context.Context, store TaskAlertStore, o *org.Org, today calendar.Date) (TaskAlerts, error) {
	var out TaskAlerts
	limits, _, err := store.PriceLimits(ctx, o.ID)
	if err != nil {
		return out, fmt.Errorf("NDIS task alerts: %w", err)
	}
	ready, err := store.NDISWork(ctx, o.ID, func(w run.Work) error {
		if w.Client.Profile.Funding.Type != "" {
			out.count(w.Client.ID, judge(o, w.Client, w.Plan, w.Tasks, limits, today))
		}
		return nil
	})
	if err != nil || ready {
		if err != nil {
			err = fmt.Errorf("NDIS task alerts: %w", err)
		}
		return out, err
	}
	return taskAlertsFromItems(ctx, store, o, limits, today)
}

// taskAlertsFromItems is taskAlerts for an org whose index is not built
// yet: one Query of the client list per 200 clients, then per participant
// a plan GetItem and a task Query.
func taskAlertsFromItems(ctx context.Context, store TaskAlertStore, o *org.Org, limits []ndis.PriceLimit, today calendar.Date) (TaskAlerts, error) {
	var out TaskAlerts
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
			out.count(c.ID, views)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
