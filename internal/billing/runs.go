package billing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/run"
	"github.com/carebill/carebill/internal/session"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// RunStore is what invoice runs store (internal/dynamo implements it).
type RunStore interface {
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
	GetInvoice(ctx context.Context, orgID, id string) (*invoice.Invoice, error)
	ClientTasks(ctx context.Context, orgID, clientID string, each func([]ndis.Task) error) error
	ListSessions(ctx context.Context, orgID, clientID string, from, to time.Time, limit int, cursor string) ([]*session.Session, string, error)
	GetPlan(ctx context.Context, orgID, clientID string) (*ndis.Plan, error)
	PriceLimits(ctx context.Context, orgID string) ([]ndis.PriceLimit, int64, error)
	// NDISWork reads the org's NDIS work index, one participant at a time
	// (ready false: not built yet, read the items instead).
	NDISWork(ctx context.Context, orgID string, each func(run.Work) error) (ready bool, err error)

	CreateRun(ctx context.Context, r *run.Run) error
	GetRun(ctx context.Context, orgID, id string) (*run.Run, error)
	ListRuns(ctx context.Context, orgID string, limit int, cursor string) ([]*run.Run, string, error)
	RunClient(ctx context.Context, orgID, runID, clientID string) (*run.ClientResult, error)
	RunClients(ctx context.Context, orgID, runID string, limit int, cursor string) ([]*run.ClientResult, string, error)
	EachRunClient(ctx context.Context, orgID, runID string, each func([]*run.ClientResult) error) error
	SettleRunClient(ctx context.Context, orgID string, r *run.ClientResult) error
	RequeueRunClient(ctx context.Context, orgID, runID, clientID string, now time.Time) error
	StartRunInvoice(ctx context.Context, orgID string, r *run.ClientResult, inv *invoice.Invoice, taskIDs, sessionIDs []string) error
	FinalizeRunInvoices(ctx context.Context, orgID, runID string, batch []run.Pending,
		finalize func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error),
		settle func(*run.ClientResult, *invoice.Invoice)) (map[string]*invoice.Invoice, map[string]error, error)
	MarkRunClientRouted(ctx context.Context, orgID, runID, clientID, routeError string, now time.Time) error
	ParkRunSend(ctx context.Context, orgID, runID, clientID, reason string, now time.Time) error
	RequeueRunSend(ctx context.Context, orgID, runID, clientID string, now time.Time) error
	AddRunClient(ctx context.Context, orgID, runID, clientID, clientName string, now time.Time) error
	NDISProvider(ctx context.Context, orgID string) (run.ProviderSettings, error)
	PutNDISProvider(ctx context.Context, orgID string, p run.ProviderSettings) error
}

// RunQueue puts a run's clients on the runs queue, one message each
// (internal/queue: SQS SendMessageBatch).
type RunQueue interface {
	EnqueueRunClients(ctx context.Context, orgID, runID string, clientIDs []string) error
	// DeadLetters is how many messages wait in the runs dead-letter queue.
	DeadLetters(ctx context.Context) (int, error)
}

// Runs are invoice runs: start (or preview) one for a period, the worker's
// part for a batch of its clients, re-queue parked clients, and read
// progress.
type Runs struct {
	svc    *Service
	store  RunStore
	queue  RunQueue
	sender *Sender // nil in functions that only read runs
	base   string  // PUBLIC_BASE_URL for pay links in sent invoices
}

// NewRuns builds the invoice run use cases. sender and base are needed by
// the worker only (it sends the invoices it makes).
func NewRuns(svc *Service, store RunStore, queue RunQueue, sender *Sender, base string) (*Runs, error) {
	if svc == nil || store == nil || queue == nil {
		return nil, errors.New("billing: invoice runs need the service, a store and the runs queue")
	}
	return &Runs{svc: svc, store: store, queue: queue, sender: sender, base: base}, nil
}

// MaxExcluded bounds the clients one run may leave out.
const MaxExcluded = 1000

// StartRequest is what a coordinator asks for.
type StartRequest struct {
	PeriodStart, PeriodEnd calendar.Date
	DryRun                 bool
	Exclude                []string // client ids left out of the run
}

// scopeWorkers bounds the participants whose work Start reads at once.
const scopeWorkers = 8

// Start checks every NDIS participant's work in the period (from the NDIS
// work index: one Query, not a plan and a task read per participant) and,
// unless
// some of it carries alerts (*run.AlertsError listing each, for clients not
// excluded), records the run and puts one message per participant with
// uninvoiced work on the runs queue; the workers do the rest. A dry run is
// the same run marked dry: the workers build each invoice the same way and
// record its preview instead of writing it. A second real run for the same
// period is refused (*run.PeriodTakenError naming the first).
func (r *Runs) Start(ctx context.Context, p auth.Principal, req StartRequest) (_ *run.Run, err error) {
	defer usecase.Name(&err, "start run")
	if err := allow(p, auth.Bill); err != nil {
		return nil, err
	}
	now := r.svc.now()
	inScope, blocked, err := r.scope(ctx, p, req, now)
	if err != nil {
		return nil, err
	}
	if len(blocked) > 0 {
		return nil, &run.AlertsError{Clients: blocked}
	}
	rn := &run.Run{ID: r.svc.newID("run", now), OrgID: p.OrgID, PeriodStart: req.PeriodStart, PeriodEnd: req.PeriodEnd,
		DryRun: req.DryRun, Excluded: req.Exclude, CreatedBy: p.Email, CreatedAt: now, Counts: run.Counts{Total: len(inScope)}}
	if err := r.store.CreateRun(ctx, rn); err != nil {
		return nil, err
	}
	if err := r.takeReclaims(ctx, rn); err != nil {
		return nil, fmt.Errorf("re-claims for run %s: %w", rn.ID, err)
	}
	if err := r.queue.EnqueueRunClients(ctx, p.OrgID, rn.ID, inScope); err != nil {
		return nil, fmt.Errorf("queue run %s: %w", rn.ID, ErrQueueUnavailable)
	}
	return rn, nil
}

// errIndexNotReady says the org's NDIS work index is not built yet.
var errIndexNotReady = errors.New("the NDIS work index is not built")

// scopeFromIndex judges every participant not excluded from the NDIS work
// index: those with work to invoice in the period (in id order) and those
// whose work carries alerts. It reads one partition, in 1 MB pages.
func (r *Runs) scopeFromIndex(ctx context.Context, o *org.Org, prov run.Provider, limits []ndis.PriceLimit, excluded map[string]bool, from, to calendar.Date, now time.Time) (inScope []string, blocked []run.Blocked, err error) {
	ready, err := r.store.NDISWork(ctx, o.ID, func(w run.Work) error {
		c := w.Client
		if c.Profile.Funding.Type == "" || excluded[c.ID] {
			return nil
		}
		_, err := r.draft(o, prov, limits, c, w.Plan, w.Tasks, w.Sessions, from, to, now)
		return sortScope(c.ID, err, &inScope, &blocked)
	})
	if err == nil && !ready {
		err = errIndexNotReady
	}
	return inScope, blocked, err
}

// sortScope files one participant's build outcome: in scope (work to
// invoice, even too much for one invoice: the worker parks it), blocked
// (alerts), or nothing to invoice.
func sortScope(clientID string, err error, inScope *[]string, blocked *[]run.Blocked) error {
	var ae *run.AlertsError
	switch {
	case errors.As(err, &ae):
		*blocked = append(*blocked, ae.Clients...)
	case errors.Is(err, run.ErrNothingToInvoice):
	case err == nil, errors.As(err, new(*run.TooManyTasksError)):
		*inScope = append(*inScope, clientID)
	default:
		return err
	}
	return nil
}

// scopeFromItems is scopeFromIndex for an org whose index is not built
// yet (the backfill has not reached it): each participant's plan, tasks
// and sessions read on their own, a few at once.
func (r *Runs) scopeFromItems(ctx context.Context, o *org.Org, prov run.Provider, limits []ndis.PriceLimit, excluded map[string]bool, from, to calendar.Date, now time.Time) ([]string, []run.Blocked, error) {
	var participants []*client.Client
	for cursor := ""; ; {
		page, next, err := r.store.ListClients(ctx, o.ID, "", 200, cursor)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range page {
			if c.Profile.Funding.Type != "" && !excluded[c.ID] {
				participants = append(participants, c)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	var (
		mu      sync.Mutex
		inScope []string
		blocked []run.Blocked
		firstEr error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, scopeWorkers)
	)
	for _, c := range participants {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := r.build(ctx, o, prov, limits, c, from, to, now)
			mu.Lock()
			defer mu.Unlock()
			if err := sortScope(c.ID, err, &inScope, &blocked); err != nil && firstEr == nil {
				firstEr = err
			}
		}()
	}
	wg.Wait()
	return inScope, blocked, firstEr
}

// provider is the org's provider identity for run invoices and the file.
func (r *Runs) provider(ctx context.Context, o *org.Org) (run.Provider, error) {
	ps, err := r.store.NDISProvider(ctx, o.ID)
	if err != nil {
		return run.Provider{}, err
	}
	return run.Provider{LegalName: o.Settings.LegalName, ABN: o.Settings.TaxID, Registration: ps.Registration}, nil
}

// build reads a participant's work (tasks, and sessions starting in the
// period) and builds their invoice (run.Build).
func (r *Runs) build(ctx context.Context, o *org.Org, prov run.Provider, limits []ndis.PriceLimit, c *client.Client, from, to calendar.Date, now time.Time) (run.Draft, error) {
	plan, err := r.store.GetPlan(ctx, o.ID, c.ID)
	if errors.Is(err, ndis.ErrPlanNotFound) {
		plan, err = nil, nil
	}
	if err != nil {
		return run.Draft{}, err
	}
	var tasks []ndis.Task
	if err := r.store.ClientTasks(ctx, o.ID, c.ID, func(ts []ndis.Task) error { tasks = append(tasks, ts...); return nil }); err != nil {
		return run.Draft{}, err
	}
	sessions, err := r.periodSessions(ctx, o, c.ID, from, to)
	if err != nil {
		return run.Draft{}, err
	}
	return r.draft(o, prov, limits, c, plan, tasks, sessions, from, to, now)
}

// draft builds a participant's invoice from their work (run.Build) with
// the org's and the client's terms.
func (r *Runs) draft(o *org.Org, prov run.Provider, limits []ndis.PriceLimit, c *client.Client, plan *ndis.Plan, tasks []ndis.Task, sessions []*session.Session, from, to calendar.Date, now time.Time) (run.Draft, error) {
	d, err := run.Build(run.Input{Provider: prov, Currency: currencyOf(c, o.Settings.Currency), Client: c, Plan: plan, Limits: limits,
		Tasks: tasks, Sessions: sessions, Location: o.Location(), PeriodStart: from, PeriodEnd: to, Today: calendar.Today(now, o.Location())})
	if err != nil {
		return d, err
	}
	d.Spec.TermsDays, d.Spec.TaxRounding = o.Settings.PaymentTermsDays, o.Settings.Accounting.TaxRounding
	if t := c.Profile.PaymentTermsDays; t != nil {
		d.Spec.TermsDays = *t
	}
	return d, nil
}

// periodSessions are a client's sessions starting in the period's days
// in the org's zone (run.Build takes the billable ones).
func (r *Runs) periodSessions(ctx context.Context, o *org.Org, clientID string, from, to calendar.Date) ([]*session.Session, error) {
	loc := o.Location()
	var out []*session.Session
	for cursor := ""; ; {
		page, next, err := r.store.ListSessions(ctx, o.ID, clientID, from.Start(loc), to.AddDays(1).Start(loc), 200, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// runActor is who a run's invoices are made by in the activity log.
func runActor(rn *run.Run) auth.Principal {
	return auth.Principal{OrgID: rn.OrgID, Email: "invoice run " + rn.ID + " (" + rn.CreatedBy + ")", Role: auth.RoleCoordinator}
}

// Work is the worker's part for a batch of one run's clients (one SQS
// batch): each client's invoice is built and its draft created with its
// tasks claimed (in parallel across workers), then the batch's drafts are
// numbered together in one transaction (FinalizeRunInvoices: no race per
// invoice for the org's counter), then each is routed. A client that
// cannot be invoiced is parked on the run with the reason; a dry run
// records each preview instead. Every step starts from the client's record
// on the run, so a message delivered again, or a batch redelivered after a
// crash, finishes what was started and counts nothing twice. The answer
// holds the clients whose message should be retried.
func (r *Runs) Work(ctx context.Context, orgID, runID string, clientIDs []string) map[string]error {
	failed := map[string]error{}
	rn, err := r.store.GetRun(ctx, orgID, runID)
	if err == nil && !rn.DryRun && r.sender == nil {
		err = errors.New("run worker: no sender")
	}
	var o *org.Org
	if err == nil {
		o, err = r.store.GetOrg(ctx, orgID)
	}
	var limits []ndis.PriceLimit
	if err == nil {
		limits, _, err = r.store.PriceLimits(ctx, orgID)
	}
	var prov run.Provider
	if err == nil {
		prov, err = r.provider(ctx, o)
	}
	if err != nil {
		for _, id := range clientIDs {
			failed[id] = fmt.Errorf("run %s: %w", runID, err)
		}
		return failed
	}
	p := runActor(rn)
	var pending []run.Pending
	var toRoute []string
	seen := map[string]bool{}
	for _, cid := range clientIDs {
		if seen[cid] {
			continue
		}
		seen[cid] = true
		st, invID, err := r.prepare(ctx, rn, o, prov, limits, cid)
		switch {
		case err != nil:
			failed[cid] = err
		case st == run.ClientBuilding:
			pending = append(pending, run.Pending{ClientID: cid, InvoiceID: invID})
		case st == run.ClientInvoiced:
			toRoute = append(toRoute, cid)
		}
	}
	if len(pending) > 0 {
		done, refused, err := r.store.FinalizeRunInvoices(ctx, orgID, runID, pending, r.svc.finalizer(p), func(rc *run.ClientResult, inv *invoice.Invoice) {
			rc.State, rc.Number, rc.UpdatedAt = run.ClientInvoiced, inv.Number, r.svc.now()
			for i := range rc.Claims {
				rc.Claims[i].Ref = run.ClaimRef(inv.Number, i+1)
			}
		})
		if err != nil {
			for _, pd := range pending {
				failed[pd.ClientID] = err
			}
		}
		for cid, err := range refused {
			failed[cid] = err
		}
		for cid := range done {
			toRoute = append(toRoute, cid)
		}
		// Those a redelivery finished meanwhile may still need routing.
		for _, pd := range pending {
			if _, ok := done[pd.ClientID]; !ok && failed[pd.ClientID] == nil {
				toRoute = append(toRoute, pd.ClientID)
			}
		}
	}
	for _, cid := range toRoute {
		if err := r.route(ctx, p, rn, cid); err != nil {
			failed[cid] = err
		}
	}
	return failed
}

// prepare takes one client as far as a built draft (or a final outcome)
// and says where it stands.
func (r *Runs) prepare(ctx context.Context, rn *run.Run, o *org.Org, prov run.Provider, limits []ndis.PriceLimit, cid string) (run.ClientState, string, error) {
	for attempt := 0; attempt < 3; attempt++ {
		rc, err := r.store.RunClient(ctx, o.ID, rn.ID, cid)
		switch {
		case err == nil && rc.State != run.ClientRequeued:
			return rc.State, rc.InvoiceID, nil
		case err != nil && !errors.Is(err, run.ErrNotFound):
			return "", "", err
		}
		c, err := r.store.GetClient(ctx, o.ID, cid)
		if errors.Is(err, client.ErrNotFound) {
			return r.settle(ctx, o.ID, &run.ClientResult{RunID: rn.ID, ClientID: cid, State: run.ClientEmpty, Reason: "the client was deleted"})
		}
		if err != nil {
			return "", "", err
		}
		res := &run.ClientResult{RunID: rn.ID, ClientID: cid, ClientName: c.Profile.Name, Routing: run.RoutingFor(c.Profile.Funding.Type), UpdatedAt: r.svc.now()}
		if rc != nil {
			res.Version = rc.Version
		}
		d, err := r.build(ctx, o, prov, limits, c, rn.PeriodStart, rn.PeriodEnd, r.svc.now())
		var ae *run.AlertsError
		var tm *run.TooManyTasksError
		switch {
		case errors.As(err, &ae):
			res.State, res.Reason = run.ClientParked, ae.Clients[0].Reason()
			for _, a := range ae.Clients[0].Alerts {
				res.Alerts = append(res.Alerts, a.Code)
			}
			return r.settle(ctx, o.ID, res)
		case errors.As(err, &tm):
			res.State, res.Reason = run.ClientParked, tm.Error()
			return r.settle(ctx, o.ID, res)
		case errors.Is(err, run.ErrNothingToInvoice):
			res.State, res.Reason = run.ClientEmpty, "no uninvoiced work in the period (another run invoiced it)"
			return r.settle(ctx, o.ID, res)
		case err != nil:
			return "", "", err
		}
		res.Preview, res.Claims = d.Preview, d.Claims
		if rn.DryRun {
			res.State = run.ClientPreviewed
			return r.settle(ctx, o.ID, res)
		}
		now := r.svc.now()
		inv, err := invoice.NewDraft(r.svc.newID("inv", now), o.ID, d.Spec, now)
		if err != nil {
			res.State, res.Reason = run.ClientParked, "the invoice is not valid: "+err.Error()
			return r.settle(ctx, o.ID, res)
		}
		inv.ClientName = c.Profile.Name
		res.State, res.InvoiceID = run.ClientBuilding, inv.ID
		err = r.store.StartRunInvoice(ctx, o.ID, res, inv, d.TaskIDs, d.SessionIDs)
		switch {
		case err == nil:
			return run.ClientBuilding, inv.ID, nil
		case errors.Is(err, run.ErrClientSettled), errors.Is(err, run.ErrTaskTaken):
			continue // read the record or the tasks again
		default:
			return "", "", err
		}
	}
	return "", "", fmt.Errorf("run %s client %s: %w", rn.ID, cid, invoice.ErrConflict)
}

func (r *Runs) settle(ctx context.Context, orgID string, res *run.ClientResult) (run.ClientState, string, error) {
	err := r.store.SettleRunClient(ctx, orgID, res)
	if errors.Is(err, run.ErrClientSettled) {
		rc, err := r.store.RunClient(ctx, orgID, res.RunID, res.ClientID)
		if err != nil {
			return "", "", err
		}
		return rc.State, rc.InvoiceID, nil
	}
	return res.State, res.InvoiceID, err
}

// route sends an invoiced client's invoice where its funding says, once:
// an invoice already sent (its deliveries and sentAt are one transaction)
// is only marked routed, so a redelivered message sends nothing again.
// NDIA-managed invoices go nowhere but the bulk file. A send that cannot
// go (no address to send to) is parked on the run with the reason.
func (r *Runs) route(ctx context.Context, p auth.Principal, rn *run.Run, cid string) error {
	rc, err := r.store.RunClient(ctx, rn.OrgID, rn.ID, cid)
	if err != nil {
		return err
	}
	if rc.State != run.ClientInvoiced || rc.Routed || rc.SendParked() {
		return nil // a parked send waits for its re-queue
	}
	now := r.svc.now()
	if rc.Routing == run.ToNDIA {
		return r.store.MarkRunClientRouted(ctx, rn.OrgID, rn.ID, cid, "", now)
	}
	inv, err := r.store.GetInvoice(ctx, rn.OrgID, rc.InvoiceID)
	if err != nil {
		return err
	}
	if !inv.SentAt.IsZero() {
		return r.store.MarkRunClientRouted(ctx, rn.OrgID, rn.ID, cid, "", now)
	}
	channels := []delivery.Channel{delivery.Email}
	if rc.Routing == run.ToParticipant {
		c, err := r.store.GetClient(ctx, rn.OrgID, cid)
		if err != nil {
			return err
		}
		if bc, ok := c.BillingContact(); ok && bc.Phone != "" {
			channels = append(channels, delivery.SMS)
		}
	}
	sent, err := r.sender.Send(ctx, p, inv.ID, r.base, SendRequest{Channels: channels})
	switch {
	case err == nil && len(sent.Deliveries) == 0:
		// Every channel's send claim is held: an earlier attempt whose
		// release failed, or a send in flight. Not sent yet: the message
		// comes back after the claim lapses (SendWindow).
		return fmt.Errorf("route %s: %w", inv.ID, errSendClaimed)
	case err == nil:
		return r.store.MarkRunClientRouted(ctx, rn.OrgID, rn.ID, cid, "", now)
	case errors.Is(err, delivery.ErrNoEmail), errors.Is(err, delivery.ErrNoPhone), errors.Is(err, delivery.ErrNDIAManaged):
		// Sending again cannot help until the client is fixed: the send
		// is parked on the run, and a re-queue sends the same invoice.
		return r.store.ParkRunSend(ctx, rn.OrgID, rn.ID, cid, unsentReason(rc, err), now)
	}
	return fmt.Errorf("route %s: %w", inv.ID, err)
}

// unsentReason says in words why a run invoice was not sent and what to
// do: add the missing contact, then Re-queue sends the same invoice.
func unsentReason(rc *run.ClientResult, err error) string {
	who := rc.ClientName
	if who == "" {
		who = rc.ClientID
	}
	switch {
	case errors.Is(err, delivery.ErrNDIAManaged):
		return fmt.Sprintf("not sent: %s is NDIA-managed, so the invoice goes in the NDIA bulk file, not by email", who)
	case errors.Is(err, delivery.ErrNoEmail) && rc.Routing == run.ToPlanManager:
		return fmt.Sprintf("not sent: no email for %s's plan manager: add one and re-queue to send this invoice", who)
	}
	return fmt.Sprintf("not sent: no email or phone for %s: add one and re-queue to send this invoice", who)
}

// errSendClaimed is a run invoice's send that found every channel claimed.
var errSendClaimed = errors.New("a send of the invoice holds its send claims; retrying once they lapse")

// Requeue puts clients back on the run's queue: a client parked before
// its invoice is invoiced afresh, a client whose send was parked has the
// same invoice sent (never invoiced again), and a participant the run did
// not invoice is added to it (AddRunClient): one left out
// (excludeClientIds), or, once every enqueued client is settled, one whose
// work arrived after the run started. That is how a period's left-out
// participants are billed: a second run for the same dates is refused.
// run.ErrAlreadyOnRun names a client the run already invoiced (or holds);
// run.ErrNotParked a client not on the run while it is still working.
func (r *Runs) Requeue(ctx context.Context, p auth.Principal, runID string, clientIDs []string) (err error) {
	defer usecase.Name(&err, "requeue run %s", runID)
	if err := allow(p, auth.Bill); err != nil {
		return err
	}
	if len(clientIDs) == 0 || len(clientIDs) > MaxExcluded {
		return validation.Errorf("clientIds", "name 1 to %d parked or left-out clients", MaxExcluded)
	}
	rn, err := r.store.GetRun(ctx, p.OrgID, runID)
	if err != nil {
		return err
	}
	excluded := map[string]bool{}
	for _, id := range rn.Excluded {
		excluded[id] = true
	}
	now := r.svc.now()
	for _, id := range clientIDs {
		err := r.store.RequeueRunClient(ctx, p.OrgID, runID, id, now)
		if errors.Is(err, run.ErrNotParked) {
			err = r.store.RequeueRunSend(ctx, p.OrgID, runID, id, now)
		}
		if errors.Is(err, run.ErrNotParked) {
			err = r.add(ctx, rn, excluded[id], id, now)
		}
		if err != nil {
			return err
		}
	}
	if err := r.queue.EnqueueRunClients(ctx, p.OrgID, runID, clientIDs); err != nil {
		return ErrQueueUnavailable
	}
	return nil
}

// add puts a participant the run did not invoice onto it. A client not
// left out can only be added once the run has settled every client it
// enqueued (until then its message may still be on the way).
func (r *Runs) add(ctx context.Context, rn *run.Run, wasExcluded bool, clientID string, now time.Time) error {
	c, err := r.store.GetClient(ctx, rn.OrgID, clientID)
	if err != nil {
		return err
	}
	if c.Profile.Funding.Type == "" {
		return validation.Errorf("clientIds", "%s is not an NDIS participant: invoice runs bill NDIS participants only", clientID)
	}
	if st := rn.Status(); !wasExcluded && (st == run.Queued || st == run.Running) {
		return fmt.Errorf("add %s while the run is %s: %w", clientID, st, run.ErrNotParked)
	}
	return r.store.AddRunClient(ctx, rn.OrgID, rn.ID, clientID, c.Profile.Name, now)
}

// RunView is a run with its clients' outcomes (a page) and the runs
// dead-letter queue's depth.
type RunView struct {
	*run.Run
	Status      run.Status
	Clients     []*run.ClientResult
	NextCursor  string
	DeadLetters int
	Files       []string       // NDIA bulk upload file names (real runs with NDIA-managed invoices or re-claims)
	FixList     []run.Line     // claim lines the NDIA's results file rejected, kept with the run
	Reclaims    []*run.Reclaim // rejected lines of earlier runs this run's file claims again (a dry run: would)
}

// Run reads one run, a page of its clients and (real runs) its fix list:
// every claim line the NDIA rejected, with its code, message and fix.
func (r *Runs) Run(ctx context.Context, p auth.Principal, id string, limit int, cursor string) (_ RunView, err error) {
	defer usecase.Name(&err, "run %s", id)
	rn, err := r.store.GetRun(ctx, p.OrgID, id)
	if err != nil {
		return RunView{}, err
	}
	cs, next, err := r.store.RunClients(ctx, p.OrgID, id, limit, cursor)
	if err != nil {
		return RunView{}, err
	}
	v := RunView{Run: rn, Status: rn.Status(), Clients: cs, NextCursor: next}
	if v.DeadLetters, err = r.queue.DeadLetters(ctx); err != nil {
		v.DeadLetters = -1 // unknown; the page says so rather than failing
	}
	if v.Reclaims, err = r.runReclaims(ctx, p.OrgID, id); err != nil {
		return RunView{}, err
	}
	if (rn.Counts.ByRouting[run.ToNDIA] > 0 || rn.Counts.Reclaims > 0) && !rn.DryRun {
		v.Files = []string{filePrefix(rn) + "-01.csv"} // the first; a file past 5,000 lines continues in -02 …
	}
	if rs, ok := r.store.(ReconcileStore); ok && !rn.DryRun {
		lines, err := rs.RunLines(ctx, p.OrgID, id)
		if err != nil {
			return RunView{}, err
		}
		v.FixList = rejected(lines)
		if err := r.withReclaims(ctx, p.OrgID, v.FixList); err != nil {
			return RunView{}, err
		}
	}
	return v, nil
}

// Runs lists the org's runs, newest first (the batches page).
func (r *Runs) Runs(ctx context.Context, p auth.Principal, limit int, cursor string) (_ []*run.Run, _ string, err error) {
	defer usecase.Name(&err, "list runs")
	return r.store.ListRuns(ctx, p.OrgID, limit, cursor)
}

// filePrefix names a run's bulk files: N, the period end as yymmdd, and
// the run id's last 4 characters (11 characters; "-NN.csv" makes 18).
func filePrefix(rn *run.Run) string {
	return "N" + rn.PeriodEnd.Format("060102") + rn.ID[len(rn.ID)-4:]
}

// BulkFiles are a real run's NDIA bulk upload files (admins: an export):
// every NDIA-managed invoice's claim lines, at most 5,000 rows a file.
func (r *Runs) BulkFiles(ctx context.Context, p auth.Principal, id string) (_ []run.File, err error) {
	defer usecase.Name(&err, "run bulk files %s", id)
	if err := allow(p, auth.Export); err != nil {
		return nil, err
	}
	rn, err := r.store.GetRun(ctx, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	if rn.DryRun {
		return nil, run.ErrDryRun
	}
	o, err := r.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	ps, err := r.store.NDISProvider(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	var claims []run.Claim
	err = r.store.EachRunClient(ctx, p.OrgID, id, func(cs []*run.ClientResult) error {
		for _, c := range cs {
			if c.State == run.ClientInvoiced && c.Routing == run.ToNDIA {
				claims = append(claims, c.Claims...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Then the rejected lines of earlier runs this run claims again, each
	// under its new claim reference.
	rcs, err := r.runReclaims(ctx, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	for _, rc := range rcs {
		claims = append(claims, rc.Claim)
	}
	prov := run.Provider{LegalName: o.Settings.LegalName, ABN: o.Settings.TaxID, Registration: ps.Registration}
	return run.BulkFiles(prov, claims, run.FileOptions{DateFormat: ps.DateFormat, PadHours: ps.PadHours}, filePrefix(rn))
}

// ProviderSettings reads the org's NDIS provider settings.
func (r *Runs) ProviderSettings(ctx context.Context, p auth.Principal) (_ run.ProviderSettings, err error) {
	defer usecase.Name(&err, "NDIS provider settings")
	return r.store.NDISProvider(ctx, p.OrgID)
}

// SetProviderSettings replaces them (admins).
func (r *Runs) SetProviderSettings(ctx context.Context, p auth.Principal, s run.ProviderSettings) (_ run.ProviderSettings, err error) {
	defer usecase.Name(&err, "set NDIS provider settings")
	if err := allow(p, auth.ChangeSettings); err != nil {
		return run.ProviderSettings{}, err
	}
	if err := s.Validate(); err != nil {
		return run.ProviderSettings{}, err
	}
	old, err := r.store.NDISProvider(ctx, p.OrgID)
	if err != nil {
		return run.ProviderSettings{}, err
	}
	s.Version = old.Version
	if err := r.store.PutNDISProvider(ctx, p.OrgID, s); err != nil {
		return run.ProviderSettings{}, err
	}
	s.Version++
	return s, nil
}
