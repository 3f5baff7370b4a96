package run

import (
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/session"
)

// Work is one NDIS participant's stored work as the NDIS work index holds
// it (internal/dynamo keeps the index in the same transaction as every
// client, plan, task and session write): the client, their plan (nil:
// none recorded), every task in date order (invoiced ones too: they count
// to the budget) and the sessions a run could bill (run.BillableSession),
// by start. It holds facts, never a verdict: the alerts that depend on
// today (a plan ending, a claim growing too old) and on the org's price
// limits are judged from it when it is read, by Build, exactly as from the
// items themselves.
type Work struct {
	Client   *client.Client
	Plan     *ndis.Plan
	Tasks    []ndis.Task
	Sessions []*session.Session
}
