package dynamo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/run"
)

func runSK(id string) string                                   { return "RUN#" + id }
func runClientSK(runID, cli string) string                     { return "RUNCLI#" + runID + "#" + cli }
func runPeriodSK(from, to string) string                       { return "RUNPERIOD#" + from + "#" + to }
func ndisProviderSK() string                                   { return "NDISPROVIDER" }
func routingCountAttr(r run.Routing) string                    { return "n_" + string(r) }
func runClientPrefix(runID string) string                      { return "RUNCLI#" + runID + "#" }
func taskKey(orgID, id string) map[string]types.AttributeValue { return key(orgPK(orgID), taskSK(id)) }

type runItem struct {
	PK, SK      string
	Type        string   `dynamodbav:"type"`
	ID          string   `dynamodbav:"id"`
	PeriodStart string   `dynamodbav:"periodStart"`
	PeriodEnd   string   `dynamodbav:"periodEnd"`
	DryRun      bool     `dynamodbav:"dryRun"`
	Excluded    []string `dynamodbav:"excluded,omitempty"`
	CreatedBy   string   `dynamodbav:"createdBy"`
	CreatedAt   string   `dynamodbav:"createdAt"`
	Total       int      `dynamodbav:"total"`
	Invoiced    int      `dynamodbav:"invoiced"`
	Parked      int      `dynamodbav:"parked"`
	Empty       int      `dynamodbav:"empty"`
	Unsent      int      `dynamodbav:"unsent"`
	Amount      num      `dynamodbav:"amount"`
	NParticip   int      `dynamodbav:"n_participant"`
	NPlanMgr    int      `dynamodbav:"n_plan_manager"`
	NNDIA       int      `dynamodbav:"n_ndia_bulk_file"`
	Reclaims    int      `dynamodbav:"reclaims"`
	Version     int64    `dynamodbav:"version"`
}

func (it runItem) toRun(orgID string) (*run.Run, error) {
	r := &run.Run{ID: it.ID, OrgID: orgID, DryRun: it.DryRun, Excluded: it.Excluded, CreatedBy: it.CreatedBy,
		CreatedAt: fromTS(it.CreatedAt), Version: it.Version,
		Counts: run.Counts{Total: it.Total, Invoiced: it.Invoiced, Parked: it.Parked, Empty: it.Empty, Reclaims: it.Reclaims, Unsent: it.Unsent,
			ByRouting: map[run.Routing]int{run.ToParticipant: it.NParticip, run.ToPlanManager: it.NPlanMgr, run.ToNDIA: it.NNDIA}}}
	var err error
	if r.PeriodStart, err = fromDate(it.PeriodStart); err != nil {
		return nil, err
	}
	if r.PeriodEnd, err = fromDate(it.PeriodEnd); err != nil {
		return nil, err
	}
	r.Counts.Amount, err = fromNum("amount", it.Amount)
	return r, err
}

// CreateRun records a run with its client count. A real run also takes
// the period (RUNPERIOD#from#to) in the same transaction: a second real
// run for the same period is refused with *run.PeriodTakenError naming the
// first, so starting a run twice invoices nobody twice.
func (s *Store) CreateRun(ctx context.Context, r *run.Run) error {
	r.Version = 1
	it := runItem{PK: orgPK(r.OrgID), SK: runSK(r.ID), Type: "run", ID: r.ID, PeriodStart: r.PeriodStart.String(),
		PeriodEnd: r.PeriodEnd.String(), DryRun: r.DryRun, Excluded: r.Excluded, CreatedBy: r.CreatedBy,
		CreatedAt: ts(r.CreatedAt), Total: r.Counts.Total, Amount: toNum(decimal.Zero), Version: 1}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{{Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	if !r.DryRun {
		tx = append(tx, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: map[string]types.AttributeValue{
			attrPK: strAV(orgPK(r.OrgID)), attrSK: strAV(runPeriodSK(r.PeriodStart.String(), r.PeriodEnd.String())),
			"type": strAV("runperiod"), "runId": strAV(r.ID),
		}, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	err = s.transactRequest(ctx, r.OrgID, r.ID, tx)
	if err != nil && !r.DryRun && reasonFailed(err, 1) {
		var p struct {
			RunID string `dynamodbav:"runId"`
		}
		if _, gerr := s.get(ctx, orgPK(r.OrgID), runPeriodSK(r.PeriodStart.String(), r.PeriodEnd.String()), &p); gerr != nil {
			return fmt.Errorf("create run: %w", gerr)
		}
		return fmt.Errorf("create run: %w", &run.PeriodTakenError{RunID: p.RunID})
	}
	if err != nil {
		return fmt.Errorf("create run %s: %w", r.ID, err)
	}
	return nil
}

// GetRun reads one run of org.
func (s *Store) GetRun(ctx context.Context, orgID, id string) (*run.Run, error) {
	var it runItem
	found, err := s.get(ctx, orgPK(orgID), runSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get run %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get run %s: %w", id, run.ErrNotFound)
	}
	return it.toRun(orgID)
}

// ListRuns lists an org's runs, newest first.
func (s *Store) ListRuns(ctx context.Context, orgID string, limit int, cursor string) ([]*run.Run, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, pk: orgPK(orgID), skCond: "begins_with(#sk, :sk)", sk: "RUN#", limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make([]*run.Run, 0, len(items))
	for _, av := range items {
		var it runItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", err
		}
		r, err := it.toRun(orgID)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	return out, next, nil
}

type runClientItem struct {
	PK, SK     string
	Type       string   `dynamodbav:"type"`
	RunID      string   `dynamodbav:"runId"`
	ClientID   string   `dynamodbav:"clientId"`
	ClientName string   `dynamodbav:"clientName"`
	State      string   `dynamodbav:"state"`
	Reason     string   `dynamodbav:"reason,omitempty"`
	Alerts     []string `dynamodbav:"alerts,omitempty"`
	Routing    string   `dynamodbav:"routing,omitempty"`
	InvoiceID  string   `dynamodbav:"invoiceId,omitempty"`
	Number     string   `dynamodbav:"number,omitempty"`
	Preview    string   `dynamodbav:"preview,omitempty"` // JSON of previewJSON
	Claims     string   `dynamodbav:"claims,omitempty"`  // JSON of []claimJSON
	Routed     bool     `dynamodbav:"routed"`
	RouteError string   `dynamodbav:"routeError,omitempty"`
	Version    int64    `dynamodbav:"version"`
	UpdatedAt  string   `dynamodbav:"updatedAt"`
}

// previewJSON and claimJSON keep decimals as strings inside one attribute.
type previewJSON struct {
	Routing  string            `json:"routing"`
	Lines    []previewLineJSON `json:"lines"`
	Subtotal string            `json:"subtotal"`
	Tax      string            `json:"tax"`
	Total    string            `json:"total"`
}

type previewLineJSON struct {
	Description string `json:"description"`
	SupportItem string `json:"supportItem"`
	Date        string `json:"date"`
	Minutes     int    `json:"minutes"`
	ClaimType   string `json:"claimType,omitempty"`
	Rate        string `json:"rate"`
	Amount      string `json:"amount"`
}

type claimJSON struct {
	Ref                string `json:"ref"`
	TaskID             string `json:"taskId,omitempty"`
	SessionID          string `json:"sessionId,omitempty"`
	Quantity           string `json:"quantity,omitempty"`
	NDISNumber         string `json:"ndisNumber"`
	SupportItem        string `json:"supportItem"`
	From               string `json:"from"`
	To                 string `json:"to"`
	Minutes            int    `json:"minutes"`
	UnitPrice          string `json:"unitPrice"`
	Amount             string `json:"amount"`
	GSTCode            string `json:"gstCode"`
	ClaimType          string `json:"claimType,omitempty"`
	CancellationReason string `json:"cancellationReason,omitempty"`
}

func runClientToItem(orgID string, r *run.ClientResult) (runClientItem, error) {
	it := runClientItem{PK: orgPK(orgID), SK: runClientSK(r.RunID, r.ClientID), Type: "runclient", RunID: r.RunID,
		ClientID: r.ClientID, ClientName: r.ClientName, State: string(r.State), Reason: r.Reason, Alerts: r.Alerts,
		Routing: string(r.Routing), InvoiceID: r.InvoiceID, Number: r.Number, Routed: r.Routed, RouteError: r.RouteError,
		Version: r.Version + 1, UpdatedAt: ts(r.UpdatedAt)}
	if len(r.Preview.Lines) > 0 {
		p := previewJSON{Routing: string(r.Preview.Routing), Subtotal: r.Preview.Subtotal.String(), Tax: r.Preview.Tax.String(), Total: r.Preview.Total.String()}
		for _, l := range r.Preview.Lines {
			p.Lines = append(p.Lines, previewLineJSON{Description: l.Description, SupportItem: l.SupportItem, Date: l.Date.String(),
				Minutes: l.Minutes, ClaimType: string(l.ClaimType), Rate: l.Rate.String(), Amount: l.Amount.String()})
		}
		b, err := json.Marshal(p)
		if err != nil {
			return it, err
		}
		it.Preview = string(b)
	}
	if len(r.Claims) > 0 {
		cs := make([]claimJSON, 0, len(r.Claims))
		for _, c := range r.Claims {
			cs = append(cs, claimJSON{Ref: c.Ref, TaskID: c.TaskID, SessionID: c.SessionID, Quantity: quantityJSON(c.Quantity), NDISNumber: c.NDISNumber, SupportItem: c.SupportItem,
				From: c.From.String(), To: c.To.String(), Minutes: c.Minutes, UnitPrice: c.UnitPrice.String(), Amount: c.Amount.String(),
				GSTCode: c.GSTCode, ClaimType: string(c.ClaimType), CancellationReason: c.CancellationReason})
		}
		b, err := json.Marshal(cs)
		if err != nil {
			return it, err
		}
		it.Claims = string(b)
	}
	return it, nil
}

func (it runClientItem) toResult() (*run.ClientResult, error) {
	r := &run.ClientResult{RunID: it.RunID, ClientID: it.ClientID, ClientName: it.ClientName, State: run.ClientState(it.State),
		Reason: it.Reason, Alerts: it.Alerts, Routing: run.Routing(it.Routing), InvoiceID: it.InvoiceID, Number: it.Number,
		Routed: it.Routed, RouteError: it.RouteError, Version: it.Version, UpdatedAt: fromTS(it.UpdatedAt)}
	dec := func(s string) decimal.Decimal { d, _ := decimal.NewFromString(s); return d }
	if it.Preview != "" {
		var p previewJSON
		if err := json.Unmarshal([]byte(it.Preview), &p); err != nil {
			return nil, fmt.Errorf("run client %s: preview: %w", it.ClientID, err)
		}
		r.Preview = run.Preview{Routing: run.Routing(p.Routing), Subtotal: dec(p.Subtotal), Tax: dec(p.Tax), Total: dec(p.Total)}
		for _, l := range p.Lines {
			d, err := fromDate(l.Date)
			if err != nil {
				return nil, err
			}
			r.Preview.Lines = append(r.Preview.Lines, run.PreviewLine{Description: l.Description, SupportItem: l.SupportItem, Date: d,
				Minutes: l.Minutes, ClaimType: ndis.ClaimType(l.ClaimType), Rate: dec(l.Rate), Amount: dec(l.Amount)})
		}
	}
	if it.Claims != "" {
		var cs []claimJSON
		if err := json.Unmarshal([]byte(it.Claims), &cs); err != nil {
			return nil, fmt.Errorf("run client %s: claims: %w", it.ClientID, err)
		}
		for _, c := range cs {
			from, err := fromDate(c.From)
			if err != nil {
				return nil, err
			}
			to, err := fromDate(c.To)
			if err != nil {
				return nil, err
			}
			r.Claims = append(r.Claims, run.Claim{Ref: c.Ref, TaskID: c.TaskID, SessionID: c.SessionID, Quantity: dec(c.Quantity), NDISNumber: c.NDISNumber, SupportItem: c.SupportItem,
				From: from, To: to, Minutes: c.Minutes, UnitPrice: dec(c.UnitPrice), Amount: dec(c.Amount), GSTCode: c.GSTCode,
				ClaimType: ndis.ClaimType(c.ClaimType), CancellationReason: c.CancellationReason})
		}
	}
	return r, nil
}

// RunClient reads one client's outcome on a run; run.ErrNotFound when no
// worker has recorded one yet.
func (s *Store) RunClient(ctx context.Context, orgID, runID, clientID string) (*run.ClientResult, error) {
	var it runClientItem
	found, err := s.get(ctx, orgPK(orgID), runClientSK(runID, clientID), &it)
	if err != nil {
		return nil, fmt.Errorf("run %s client %s: %w", runID, clientID, err)
	}
	if !found {
		return nil, fmt.Errorf("run %s client %s: %w", runID, clientID, run.ErrNotFound)
	}
	return it.toResult()
}

// RunClients lists a run's client outcomes a page at a time (by client id).
func (s *Store) RunClients(ctx context.Context, orgID, runID string, limit int, cursor string) ([]*run.ClientResult, string, error) {
	items, next, err := s.run(ctx, listQuery{org: orgID, pk: orgPK(orgID), skCond: "begins_with(#sk, :sk)", sk: runClientPrefix(runID), forward: true, limit: limit, cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make([]*run.ClientResult, 0, len(items))
	for _, av := range items {
		var it runClientItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", err
		}
		r, err := it.toResult()
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	return out, next, nil
}

// EachRunClient calls each with every client outcome of a run, a page at
// a time.
func (s *Store) EachRunClient(ctx context.Context, orgID, runID string, each func([]*run.ClientResult) error) error {
	cursor := ""
	for {
		page, next, err := s.RunClients(ctx, orgID, runID, MaxPageSize, cursor)
		if err != nil {
			return err
		}
		if err := each(page); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

// clientPut writes a run client's record on condition: absent or
// requeued (fresh), or in state from (an existing record moving on).
func (s *Store) clientPut(orgID string, r *run.ClientResult, from run.ClientState) (types.TransactWriteItem, error) {
	it, err := runClientToItem(orgID, r)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	p := &types.Put{TableName: &s.table, Item: av, ExpressionAttributeNames: map[string]string{"#st": "state"}}
	if from == "" {
		p.ConditionExpression = aws.String("attribute_not_exists(PK) OR #st = :requeued")
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":requeued": strAV(string(run.ClientRequeued))}
	} else {
		p.ConditionExpression = aws.String("#st = :from")
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":from": strAV(string(from))}
	}
	return types.TransactWriteItem{Put: p}, nil
}

// runCount moves a run's counters by the outcomes settled in a write.
type runCount struct {
	invoiced, parked, empty int
	amount                  decimal.Decimal
	routing                 map[run.Routing]int
}

func (s *Store) runCountUpdate(orgID, runID string, c runCount) types.TransactWriteItem {
	expr := "ADD #inv :i, #park :p, #empty :e, #amt :a"
	names := map[string]string{"#inv": "invoiced", "#park": "parked", "#empty": "empty", "#amt": "amount"}
	values := map[string]types.AttributeValue{":i": numAV(int64(c.invoiced)), ":p": numAV(int64(c.parked)), ":e": numAV(int64(c.empty)),
		":a": &types.AttributeValueMemberN{Value: c.amount.String()}}
	rs := make([]string, 0, len(c.routing))
	for r := range c.routing {
		rs = append(rs, string(r))
	}
	sort.Strings(rs)
	for i, r := range rs {
		n, v := fmt.Sprintf("#r%d", i), fmt.Sprintf(":r%d", i)
		expr += fmt.Sprintf(", %s %s", n, v)
		names[n], values[v] = routingCountAttr(run.Routing(r)), numAV(int64(c.routing[run.Routing(r)]))
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runSK(runID)), UpdateExpression: &expr,
		ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeNames: names, ExpressionAttributeValues: values}}
}

// SettleRunClient records a final outcome for a client that gets no
// invoice now (parked, nothing to invoice, or a dry run's preview) and
// moves the run's counters in the same transaction, only if the client
// was not settled before: a redelivered message counts nothing twice
// (run.ErrClientSettled).
func (s *Store) SettleRunClient(ctx context.Context, orgID string, r *run.ClientResult) error {
	put, err := s.clientPut(orgID, r, "")
	if err != nil {
		return err
	}
	c := runCount{}
	switch r.State {
	case run.ClientParked:
		c.parked = 1
	case run.ClientEmpty:
		c.empty = 1
	case run.ClientPreviewed:
		c.invoiced, c.amount, c.routing = 1, r.Preview.Total, map[run.Routing]int{r.Routing: 1}
	default:
		return fmt.Errorf("settle run client %s: state %s is not final", r.ClientID, r.State)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put, s.runCountUpdate(orgID, r.RunID, c)}})
	if reasonFailed(err, 0) {
		return fmt.Errorf("settle run client %s: %w", r.ClientID, run.ErrClientSettled)
	}
	if err != nil {
		return fmt.Errorf("settle run client %s: %w", r.ClientID, err)
	}
	return nil
}

// RequeueRunClient moves a parked client back to requeued (the run's
// parked count down by one) so its message can go again.
func (s *Store) RequeueRunClient(ctx context.Context, orgID, runID, clientID string, now time.Time) error {
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runClientSK(runID, clientID)),
			UpdateExpression:         aws.String("SET #st = :rq, updatedAt = :now ADD version :one"),
			ConditionExpression:      aws.String("#st = :parked"),
			ExpressionAttributeNames: map[string]string{"#st": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":rq": strAV(string(run.ClientRequeued)), ":parked": strAV(string(run.ClientParked)),
				":now": strAV(ts(now)), ":one": numAV(1)}}},
		s.runCountUpdate(orgID, runID, runCount{parked: -1}),
	}})
	if reasonFailed(err, 0) {
		return fmt.Errorf("requeue %s: %w", clientID, run.ErrNotParked)
	}
	if err != nil {
		return fmt.Errorf("requeue %s: %w", clientID, err)
	}
	return nil
}

// StartRunInvoice records the client as building with the draft's id,
// creates the draft and claims each of its tasks and sessions for it
// (claimSessions), all in one transaction: a task or session already
// claimed by any invoice fails it
// (run.ErrTaskTaken: rebuild from the tasks as they are now), as does a
// client record already past requeued (run.ErrClientSettled: another delivery
// got there first; carry on from its record).
func (s *Store) StartRunInvoice(ctx context.Context, orgID string, r *run.ClientResult, inv *invoice.Invoice, taskIDs, sessionIDs []string) error {
	if len(taskIDs)+len(sessionIDs)+3 > 100 {
		return fmt.Errorf("start run invoice: %d tasks and %d sessions do not fit one transaction", len(taskIDs), len(sessionIDs))
	}
	put, err := s.clientPut(orgID, r, "")
	if err != nil {
		return err
	}
	inv.Version = 1
	av, err := attributevalue.MarshalMap(invoiceToItem(inv))
	if err != nil {
		return err
	}
	tx := []types.TransactWriteItem{put, {Put: &types.Put{TableName: &s.table, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	for _, id := range taskIDs {
		tx = append(tx, types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: taskKey(orgID, id),
			UpdateExpression:          aws.String("SET invoiceId = :inv ADD version :one"),
			ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(invoiceId)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":inv": strAV(inv.ID), ":one": numAV(1)}}})
	}
	tx = append(tx, s.claimSessions(orgID, inv.ID, sessionIDs)...)
	if len(taskIDs)+len(sessionIDs) > 0 {
		// One NDIS work index item records the claims (ndiswork.go).
		w, err := s.claimWork(orgID, r.ClientID, inv.ID, taskIDs, sessionIDs)
		if err != nil {
			return err
		}
		tx = append(tx, w)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
	switch {
	case err == nil:
		return nil
	case reasonFailed(err, 0):
		return fmt.Errorf("start run invoice for %s: %w", r.ClientID, run.ErrClientSettled)
	case isConditionFailed(err):
		return fmt.Errorf("start run invoice for %s: %w", r.ClientID, run.ErrTaskTaken)
	}
	return fmt.Errorf("start run invoice for %s: %w", r.ClientID, err)
}

// FinalizeRunInvoices numbers a batch of a run's drafts in one
// TransactWriteItems: the org's invoice counter moves from last to
// last+n and the drafts take those numbers in order; each invoice is
// opened with its ledger posting and events (finalize applies the domain
// change with its number), and each client's run record moves from
// building to what settle makes of it, with the run's counters, all in the
// same transaction. So a batch takes its numbers together (one counter
// write per batch, not per invoice) and never leaves a gap: the numbers
// and the invoices they number are written or not at all. Clients whose
// record is no longer building (a redelivery finished them) are left out;
// a client whose finalize refuses is returned in failed and left out. A
// lost race (another batch took the numbers) re-reads and retries,
// counted in FinalizeRetries.
func (s *Store) FinalizeRunInvoices(ctx context.Context, orgID, runID string, batch []run.Pending,
	finalize func(*org.Org, *client.Client, *invoice.Invoice, int64) ([]activity.Event, error),
	settle func(*run.ClientResult, *invoice.Invoice),
) (done map[string]*invoice.Invoice, failed map[string]error, err error) {
	failed = map[string]error{}
	// What each attempt starts from: kept across a retry that lost only
	// the counter, so the loser re-reads the org and counter alone.
	type built struct {
		rc  run.ClientResult
		inv invoice.Invoice
		c   client.Client
	}
	var cache map[string]*built
	for attempt := 1; ; attempt++ {
		done = map[string]*invoice.Invoice{}
		// The drafts are read before the counter, so the window between
		// reading the counter and the transaction taking it holds no
		// other request (numbering retries per invoice, BENCHMARKS.md).
		if cache == nil {
			cache = map[string]*built{}
			for _, b := range batch {
				rc, err := s.RunClient(ctx, orgID, runID, b.ClientID)
				if err != nil {
					return nil, nil, err
				}
				if rc.State != run.ClientBuilding || rc.InvoiceID != b.InvoiceID {
					continue
				}
				inv, err := s.GetInvoice(ctx, orgID, b.InvoiceID)
				if err != nil {
					return nil, nil, err
				}
				c, err := s.GetClient(ctx, orgID, inv.Spec.ClientID)
				if err != nil {
					return nil, nil, err
				}
				cache[b.ClientID] = &built{rc: *rc, inv: *inv, c: *c}
			}
		}
		o, last, err := s.orgAndCounter(ctx, orgID)
		if err != nil {
			return nil, nil, err
		}
		var tx []types.TransactWriteItem
		seq := last
		count := runCount{routing: map[run.Routing]int{}}
		for _, b := range batch {
			bl, ok := cache[b.ClientID]
			if _, bad := failed[b.ClientID]; bad || !ok {
				continue
			}
			rc, inv, c := bl.rc, bl.inv, bl.c // copies: a retry starts again from what was read
			rc.Claims = append([]run.Claim(nil), bl.rc.Claims...)
			before := inv
			events, err := finalize(o, &c, &inv, seq+1)
			if err != nil {
				failed[b.ClientID] = err
				continue
			}
			posts, err := s.postWrites(ctx, &c, ledger.Diff(&before, &inv, ledger.Doc{}), inv.UpdatedAt)
			if err != nil {
				failed[b.ClientID] = err
				continue
			}
			writes, err := s.invoiceWrites(&inv, events)
			if err != nil {
				return nil, nil, err
			}
			settle(&rc, &inv)
			put, err := s.clientPut(orgID, &rc, run.ClientBuilding)
			if err != nil {
				return nil, nil, err
			}
			seq++
			tx = append(tx, writes...)
			tx = append(tx, posts...)
			tx = append(tx, put)
			done[b.ClientID] = &inv
			count.invoiced++
			count.amount = count.amount.Add(inv.Totals().Total)
			count.routing[rc.Routing]++
		}
		if len(done) == 0 {
			return done, failed, nil
		}
		tx = append([]types.TransactWriteItem{{Put: s.counterPutN(orgID, seriesInvoice, last, seq)}}, tx...)
		tx = append(tx, s.runCountUpdate(orgID, runID, count))
		if len(tx) > 100 {
			return nil, nil, fmt.Errorf("finalize run invoices: %d writes do not fit one transaction", len(tx))
		}
		_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tx})
		if err == nil {
			return done, failed, nil
		}
		if !isConditionFailed(err) {
			return nil, nil, fmt.Errorf("finalize run invoices: %w", err)
		}
		if !onlyFailed(err, 0) {
			cache = nil // something besides the counter moved: read it all again
		}
		s.finalizeRetries.Add(1)
		if attempt == maxFinalizeAttempts {
			return nil, nil, fmt.Errorf("finalize run invoices: %w", invoice.ErrConflict)
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, nil, err
		}
	}
}

// orgAndCounter reads the org and its invoice counter in one consistent
// BatchGetItem.
func (s *Store) orgAndCounter(ctx context.Context, orgID string) (*org.Org, int64, error) {
	res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{s.table: {
		Keys: []map[string]types.AttributeValue{key(orgPK(orgID), profileSK()), key(orgPK(orgID), seqSK(seriesInvoice))}, ConsistentRead: aws.Bool(true),
	}}})
	if err != nil {
		return nil, 0, fmt.Errorf("finalize run invoices: read: %w", err)
	}
	if len(res.UnprocessedKeys) > 0 {
		return nil, 0, fmt.Errorf("finalize run invoices: read throttled")
	}
	var (
		oi orgItem
		si seqItem
		o  *org.Org
	)
	for _, av := range res.Responses[s.table] {
		sk, _ := av[attrSK].(*types.AttributeValueMemberS)
		switch {
		case sk == nil:
		case sk.Value == profileSK():
			if err := attributevalue.UnmarshalMap(av, &oi); err != nil {
				return nil, 0, err
			}
			if o, err = oi.toOrg(); err != nil {
				return nil, 0, err
			}
		default:
			if err := attributevalue.UnmarshalMap(av, &si); err != nil {
				return nil, 0, err
			}
		}
	}
	if o == nil {
		return nil, 0, fmt.Errorf("finalize run invoices: %w", org.ErrNotFound)
	}
	return o, si.Last, nil
}

// counterPutN moves a number series from last to next in one write: a
// block of numbers taken by the invoices written with it.
func (s *Store) counterPutN(orgID, series string, last, next int64) *types.Put {
	p := s.counterPut(orgID, series, last)
	p.Item["last"] = numAV(next)
	return p
}

// ParkRunSend parks an invoiced client's send with its reason (the
// invoice stands, numbered): the client record keeps state invoiced,
// unrouted, with routeError, and in the same transaction the run's unsent
// count moves up and its route's count down (run.Counts: an unsent
// invoice is not routed). A client already routed or already parked is
// left as it is (nil), so a redelivered message parks once.
func (s *Store) ParkRunSend(ctx context.Context, orgID, runID, clientID, reason string, now time.Time) error {
	rc, err := s.RunClient(ctx, orgID, runID, clientID)
	if errors.Is(err, run.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("park send of %s: %w", clientID, err)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runClientSK(runID, clientID)),
			UpdateExpression:         aws.String("SET routeError = :e, updatedAt = :now ADD version :one"),
			ConditionExpression:      aws.String("#st = :inv AND routed = :f AND attribute_not_exists(routeError)"),
			ExpressionAttributeNames: map[string]string{"#st": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":e": strAV(reason), ":now": strAV(ts(now)), ":one": numAV(1),
				":inv": strAV(string(run.ClientInvoiced)), ":f": &types.AttributeValueMemberBOOL{Value: false}}}},
		s.unsentUpdate(orgID, runID, rc.Routing, 1),
	}})
	if reasonFailed(err, 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("park send of %s: %w", clientID, err)
	}
	return nil
}

// RequeueRunSend takes a parked send off the run (unsent down by one, its
// route's count back up: the re-queued message sends it, or parks it
// again) so the client's message can send its invoice again;
// run.ErrNotParked when the client's send is not parked.
func (s *Store) RequeueRunSend(ctx context.Context, orgID, runID, clientID string, now time.Time) error {
	rc, err := s.RunClient(ctx, orgID, runID, clientID)
	if errors.Is(err, run.ErrNotFound) {
		return fmt.Errorf("requeue send of %s: %w", clientID, run.ErrNotParked)
	}
	if err != nil {
		return fmt.Errorf("requeue send of %s: %w", clientID, err)
	}
	_, err = s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runClientSK(runID, clientID)),
			UpdateExpression:         aws.String("SET updatedAt = :now REMOVE routeError ADD version :one"),
			ConditionExpression:      aws.String("#st = :inv AND routed = :f AND attribute_exists(routeError)"),
			ExpressionAttributeNames: map[string]string{"#st": "state"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": strAV(ts(now)), ":one": numAV(1),
				":inv": strAV(string(run.ClientInvoiced)), ":f": &types.AttributeValueMemberBOOL{Value: false}}}},
		s.unsentUpdate(orgID, runID, rc.Routing, -1),
	}})
	if reasonFailed(err, 0) {
		return fmt.Errorf("requeue send of %s: %w", clientID, run.ErrNotParked)
	}
	if err != nil {
		return fmt.Errorf("requeue send of %s: %w", clientID, err)
	}
	return nil
}

// unsentUpdate moves a run's unsent count by n and its route r's count by
// −n: a parked send leaves its route, a re-queued one goes back to it.
func (s *Store) unsentUpdate(orgID, runID string, r run.Routing, n int64) types.TransactWriteItem {
	u := &types.Update{TableName: &s.table, Key: key(orgPK(orgID), runSK(runID)),
		UpdateExpression: aws.String("ADD unsent :n"), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": numAV(n)}}
	if r != "" {
		u.UpdateExpression = aws.String("ADD unsent :n, #route :m")
		u.ExpressionAttributeNames = map[string]string{"#route": routingCountAttr(r)}
		u.ExpressionAttributeValues[":m"] = numAV(-n)
	}
	return types.TransactWriteItem{Update: u}
}

// MarkRunClientRouted records that a client's invoice went where its
// funding routes it (or why it could not).
func (s *Store) MarkRunClientRouted(ctx context.Context, orgID, runID, clientID, routeError string, now time.Time) error {
	expr := "SET routed = :t, updatedAt = :now ADD version :one"
	values := map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}, ":now": strAV(ts(now)), ":one": numAV(1)}
	if routeError != "" {
		expr = "SET routed = :t, routeError = :e, updatedAt = :now ADD version :one"
		values[":e"] = strAV(routeError)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(orgPK(orgID), runClientSK(runID, clientID)),
		UpdateExpression: &expr, ConditionExpression: aws.String("attribute_exists(PK)"), ExpressionAttributeValues: values})
	if err != nil {
		return fmt.Errorf("mark %s routed: %w", clientID, err)
	}
	return nil
}

type ndisProviderItem struct {
	PK, SK       string
	Type         string `dynamodbav:"type"`
	Registration string `dynamodbav:"registration,omitempty"`
	DateFormat   string `dynamodbav:"dateFormat,omitempty"`
	PadHours     bool   `dynamodbav:"padHours"`
	Shortfall    string `dynamodbav:"shortfall,omitempty"`
	Version      int64  `dynamodbav:"version"`
}

// NDISProvider reads the org's NDIS provider settings (zero until set, at
// version 0).
func (s *Store) NDISProvider(ctx context.Context, orgID string) (run.ProviderSettings, error) {
	var it ndisProviderItem
	if _, err := s.get(ctx, orgPK(orgID), ndisProviderSK(), &it); err != nil {
		return run.ProviderSettings{}, fmt.Errorf("ndis provider settings: %w", err)
	}
	return run.ProviderSettings{Registration: it.Registration, DateFormat: it.DateFormat, PadHours: it.PadHours,
		Shortfall: run.Shortfall(it.Shortfall), Version: it.Version}, nil
}

// PutNDISProvider replaces the settings if still at their version.
func (s *Store) PutNDISProvider(ctx context.Context, orgID string, p run.ProviderSettings) error {
	it := ndisProviderItem{PK: orgPK(orgID), SK: ndisProviderSK(), Type: "ndisprovider", Registration: p.Registration,
		DateFormat: p.DateFormat, PadHours: p.PadHours, Shortfall: string(p.Shortfall), Version: p.Version + 1}
	var err error
	if p.Version == 0 {
		err = s.putNew(ctx, it)
	} else {
		err = s.putVersioned(ctx, it, p.Version)
	}
	if isConditionFailed(err) {
		return fmt.Errorf("put ndis provider settings: %w", ndis.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put ndis provider settings: %w", err)
	}
	return nil
}

func runLineSK(runID, ref string) string { return "RUNLINE#" + runID + "#" + ref }

type runLineItem struct {
	PK, SK    string
	Type      string `dynamodbav:"type"`
	RunID     string `dynamodbav:"runId"`
	Ref       string `dynamodbav:"ref"`
	Root      string `dynamodbav:"root,omitempty"`
	ClientID  string `dynamodbav:"clientId"`
	Client    string `dynamodbav:"clientName,omitempty"`
	InvoiceID string `dynamodbav:"invoiceId"`
	Number    string `dynamodbav:"number"`
	State     string `dynamodbav:"state"`
	Code      string `dynamodbav:"code,omitempty"`
	Message   string `dynamodbav:"message,omitempty"`
	Fix       string `dynamodbav:"fix,omitempty"`
	Claimed   num    `dynamodbav:"claimed"`
	Paid      num    `dynamodbav:"paid"`
	Capped    bool   `dynamodbav:"capped"`
	UpdatedAt string `dynamodbav:"updatedAt"`
}

// PutRunLine records a claim line's outcome unless it is already paid (a
// remittance is final): it reports whether it wrote.
func (s *Store) PutRunLine(ctx context.Context, orgID string, l run.Line, now time.Time) (bool, error) {
	av, err := attributevalue.MarshalMap(runLineItem{PK: orgPK(orgID), SK: runLineSK(l.RunID, l.Ref), Type: "runline", RunID: l.RunID,
		Ref: l.Ref, Root: l.Root, ClientID: l.ClientID, Client: l.Client, InvoiceID: l.InvoiceID, Number: l.Number, State: string(l.State), Code: l.Code,
		Message: l.Message, Fix: l.Fix, Claimed: toNum(l.Claimed), Paid: toNum(l.Paid), Capped: l.Capped, UpdatedAt: ts(now)})
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR #st <> :paid"),
		ExpressionAttributeNames:  map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":paid": strAV(string(run.LinePaid))}})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record claim line %s: %w", l.Ref, err)
	}
	return true, nil
}

// RunLines are every claim line outcome recorded for a run.
func (s *Store) RunLines(ctx context.Context, orgID, runID string) ([]run.Line, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName: &s.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :sk)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": strAV(orgPK(orgID)), ":sk": strAV(runLineSK(runID, ""))},
	})
	var out []run.Line
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("claim lines of %s: %w", runID, err)
		}
		for _, av := range page.Items {
			var it runLineItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, err
			}
			l := run.Line{RunID: it.RunID, Ref: it.Ref, Root: it.Root, ClientID: it.ClientID, Client: it.Client, InvoiceID: it.InvoiceID, Number: it.Number,
				State: run.LineState(it.State), Code: it.Code, Message: it.Message, Fix: it.Fix, Capped: it.Capped}
			if l.Claimed, err = fromNum("claimed", it.Claimed); err != nil {
				return nil, err
			}
			if l.Paid, err = fromNum("paid", it.Paid); err != nil {
				return nil, err
			}
			out = append(out, l)
		}
	}
	return out, nil
}

// runShortfallSK is the key of the marker that a run's shortfall for key
// (a hash of the invoice and its paid claim references) is recorded.
func runShortfallSK(runID, key string) string { return "RUNSHORT#" + runID + "#" + key }

// onlyFailed reports whether a cancelled transaction names item i's
// condition, and no other item's, as the cause.
func onlyFailed(err error, i int) bool {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) || len(tce.CancellationReasons) <= i {
		return false
	}
	for j, r := range tce.CancellationReasons {
		c := aws.ToString(r.Code)
		switch {
		case j == i && c != "ConditionalCheckFailed":
			return false
		case j != i && c != "" && c != "None":
			return false
		}
	}
	return true
}
