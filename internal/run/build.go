package run

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/invoice"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/ndis"
	"github.com/carebill/carebill/internal/session"
)

// MaxTasksPerInvoice bounds the tasks and sessions one participant's
// invoice claims: the draft and every task and session it claims are
// written in one DynamoDB transaction (at most 100 items).
const MaxTasksPerInvoice = 95

// Provider is the business claiming: printed on every run invoice and
// written on every bulk file line.
type Provider struct {
	LegalName    string
	ABN          string
	Registration string // NDIS provider registration number, digits
}

// Input is everything one participant's invoice is built from.
type Input struct {
	Provider    Provider
	Currency    money.Currency
	Client      *client.Client
	Plan        *ndis.Plan // nil: none recorded (an alert)
	Limits      []ndis.PriceLimit
	Tasks       []ndis.Task        // all the participant's tasks in date order, invoiced ones included (they count to the budget)
	Sessions    []*session.Session // the participant's sessions starting in the period (any state: Build takes the billable ones)
	Location    *time.Location     // the org's zone: a session's delivery date
	PeriodStart calendar.Date
	PeriodEnd   calendar.Date
	Today       calendar.Date
}

// TaskAlert is one alert of one task, blocking the run.
type TaskAlert struct {
	TaskID    string
	SessionID string // set instead of TaskID for a session's alert
	Date      calendar.Date
	ndis.Alert
}

// Blocked is a participant whose work in the period carries alerts.
type Blocked struct {
	ClientID   string
	ClientName string
	Alerts     []TaskAlert
}

// Reason is the park reason in words: each alert's code and fix.
func (b Blocked) Reason() string {
	parts := make([]string, 0, len(b.Alerts))
	for _, a := range b.Alerts {
		parts = append(parts, fmt.Sprintf("%s (%s): %s", a.Code, a.Date, a.Message))
	}
	return strings.Join(parts, "; ")
}

// AlertsError refuses an invoice (or a whole run) while work in scope
// carries alerts: every blocked participant with each alert and its fix.
type AlertsError struct {
	Clients []Blocked
}

func (e *AlertsError) Error() string {
	n := 0
	for _, c := range e.Clients {
		n += len(c.Alerts)
	}
	verb, them, those := "block", "them", "those participants"
	if n == 1 {
		verb, them = "blocks", "it"
	}
	if len(e.Clients) == 1 {
		those = "that participant"
	}
	return fmt.Sprintf("%s on %s %s invoicing: fix %s or exclude %s", count(n, "alert", "alerts"), count(len(e.Clients), "participant", "participants"), verb, them, those)
}

// count is n with the noun in its number: "1 alert", "2 alerts".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ErrNothingToInvoice is returned when the participant has no uninvoiced
// work in the period.
var ErrNothingToInvoice = fmt.Errorf("no uninvoiced work in the period")

// TooManyTasksError parks a participant with more work in the period than
// one invoice claims at once.
type TooManyTasksError struct{ N int }

func (e *TooManyTasksError) Error() string {
	return fmt.Sprintf("%d tasks in the period; a run invoices at most %d per participant: run shorter periods", e.N, MaxTasksPerInvoice)
}

// Draft is one participant's built invoice: the spec to store, the tasks
// and sessions it claims, its claim lines for the NDIA file and the
// preview a dry run shows.
type Draft struct {
	Spec       invoice.Spec
	TaskIDs    []string
	SessionIDs []string
	Claims     []Claim
	Routing    Routing
	Preview    Preview
}

// Preview is what a run will produce for a participant: the same in a dry
// run and the real one.
type Preview struct {
	Routing  Routing
	Lines    []PreviewLine
	Subtotal decimal.Decimal
	Tax      decimal.Decimal
	Total    decimal.Decimal
}

// PreviewLine is one line of a preview.
type PreviewLine struct {
	Description string
	SupportItem string
	Date        calendar.Date
	Minutes     int
	ClaimType   ndis.ClaimType
	Rate        decimal.Decimal
	Amount      decimal.Decimal
}

// Claim is one line of the NDIA bulk payment request: one task or one
// session.
type Claim struct {
	Ref                string // claim reference, unique per line: set when the invoice is numbered
	TaskID             string
	SessionID          string
	NDISNumber         string
	SupportItem        string
	From, To           calendar.Date
	Minutes            int             // claimed as Hours (H:MM), actual minutes, never rounded up
	Quantity           decimal.Decimal // set instead (a session priced per session: 1): the Quantity column, Hours blank
	UnitPrice          decimal.Decimal
	Amount             decimal.Decimal
	GSTCode            string // P1, P2, P5
	ClaimType          ndis.ClaimType
	CancellationReason string
}

// Build turns a participant's uninvoiced work dated in the period into
// one itemised invoice: their uninvoiced tasks and their billable
// sessions (attended, not billed by the org's own session invoicing: see
// BillableSession), one line each in date order with its support item,
// delivery date, actual minutes and rate (claim type named where not a
// direct service), GST-free as NDIS supports are (GST Act s 38-38), and a
// memo carrying the participant's NDIS number and the provider's name,
// ABN and NDIS registration number, as plan managers require (formats/
// "What plan managers require"). It refuses with *AlertsError while any
// task or session in the period carries an alert (judged as the task list
// judges it, the budget by the running total of the plan's work),
// ErrNothingToInvoice with no such work, and *TooManyTasksError past
// MaxTasksPerInvoice.
func Build(in Input) (Draft, error) {
	c := in.Client
	cur := in.Currency
	f := c.Profile.Funding
	actx := ndis.Context{NDISNumber: f.NDISNumber, Plan: in.Plan, Limits: in.Limits, Today: in.Today, Currency: cur}
	spent := map[string]decimal.Decimal{}
	blocked := Blocked{ClientID: c.ID, ClientName: c.Profile.Name}
	inPlan := func(d calendar.Date) bool { p := in.Plan; return p != nil && !d.Before(p.Start) && !d.After(p.End) }
	var due []item
	for _, t := range in.Tasks {
		amt := t.Amount(cur)
		cat := ndis.Category(t.SupportItem)
		if inPlan(t.Date) {
			spent[cat] = spent[cat].Add(amt)
		}
		if t.InvoiceID != "" || t.Date.Before(in.PeriodStart) || t.Date.After(in.PeriodEnd) {
			continue
		}
		actx.Spent = spent[cat]
		for _, a := range ndis.Alerts(t, actx) {
			blocked.Alerts = append(blocked.Alerts, TaskAlert{TaskID: t.ID, Date: t.Date, Alert: a})
		}
		due = append(due, taskItem(t, f.NDISNumber, cur))
	}
	for _, s := range in.Sessions {
		if !BillableSession(s) {
			continue
		}
		it := sessionItem(s, f.NDISNumber, cur, in.Location)
		if it.date.Before(in.PeriodStart) || it.date.After(in.PeriodEnd) {
			continue
		}
		var alerts []ndis.Alert
		sv := s.Spec.Service
		switch {
		case sv.SupportItem != "" && !sv.Rate.IsZero():
			// An hourly session claimed against a support item is judged
			// as a task is: item, plan, price limit, budget.
			t := ndis.Task{SupportItem: sv.SupportItem, Date: it.date, Minutes: s.Spec.Minutes, Rate: sv.Rate}
			cat := ndis.Category(sv.SupportItem)
			if inPlan(it.date) {
				spent[cat] = spent[cat].Add(it.preview.Amount)
			}
			actx.Spent = spent[cat]
			alerts = ndis.Alerts(t, actx)
		case f.Type == client.NDIAManaged && sv.SupportItem == "":
			alerts = append(alerts, ndis.Alert{Code: "missing_support_item", Message: "choose the support item this session is claimed against"})
		}
		if f.Type == client.NDIAManaged && sv.SupportItem != "" && !ndis.ValidSupportItem(sv.SupportItem) {
			alerts = append(alerts, ndis.Alert{Code: "missing_support_item", Message: fmt.Sprintf("%q is not a support catalogue number", sv.SupportItem)})
		}
		for _, a := range alerts {
			blocked.Alerts = append(blocked.Alerts, TaskAlert{SessionID: s.ID, Date: it.date, Alert: a})
		}
		due = append(due, it)
	}
	if len(blocked.Alerts) > 0 {
		return Draft{}, &AlertsError{Clients: []Blocked{blocked}}
	}
	if len(due) == 0 {
		return Draft{}, ErrNothingToInvoice
	}
	if len(due) > MaxTasksPerInvoice {
		return Draft{}, &TooManyTasksError{N: len(due)}
	}
	sort.SliceStable(due, func(i, j int) bool { return due[i].date.Before(due[j].date) })
	d := Draft{Routing: RoutingFor(f.Type)}
	d.Spec = invoice.Spec{
		ClientID: c.ID, Currency: cur,
		Name: fmt.Sprintf("NDIS supports %s to %s", in.PeriodStart, in.PeriodEnd),
		Memo: memo(in.Provider, c, in.PeriodStart, in.PeriodEnd),
	}
	for _, it := range due {
		d.Spec.Lines = append(d.Spec.Lines, it.line)
		if it.claim.TaskID != "" {
			d.TaskIDs = append(d.TaskIDs, it.claim.TaskID)
		} else {
			d.SessionIDs = append(d.SessionIDs, it.claim.SessionID)
		}
		d.Preview.Lines = append(d.Preview.Lines, it.preview)
		d.Claims = append(d.Claims, it.claim)
	}
	tot := invoice.ComputeTotalsRounded(cur, "", d.Spec.Lines, nil)
	d.Preview.Routing, d.Preview.Subtotal, d.Preview.Tax, d.Preview.Total = d.Routing, tot.Subtotal, tot.Tax, tot.Total
	if d.Routing != ToNDIA {
		d.Claims = nil
	}
	return d, nil
}

// BillableSession reports whether a run bills a session: attended, or
// cancelled at short notice (session.Billable: claimed with claim type
// CANC and its reason), and not billed by the org's own session invoicing
// (no invoice, and not on its way to the month's draft). A run claims it by setting its invoice
// in the transaction that creates the run's draft, on condition it is
// still so (internal/dynamo StartRunInvoice): billed once.
func BillableSession(s *session.Session) bool {
	return s.Billable() && s.InvoiceID == "" && s.InvoiceMode == ""
}

// SessionInvoiceMode is what a session billed by a run records as its
// invoice mode (beside the run invoice's id).
const SessionInvoiceMode = "run"

// item is one line of work on a run invoice: its invoice line, preview
// line and claim line.
type item struct {
	date    calendar.Date
	line    invoice.Line
	preview PreviewLine
	claim   Claim
}

func taskItem(t ndis.Task, ndisNumber string, cur money.Currency) item {
	l := taskLine(t, cur)
	amt := l.Amount(cur)
	return item{date: t.Date, line: l,
		preview: PreviewLine{Description: l.Description, SupportItem: t.SupportItem, Date: t.Date, Minutes: t.Minutes, ClaimType: t.ClaimType, Rate: t.Rate, Amount: amt},
		claim: Claim{TaskID: t.ID, NDISNumber: ndisNumber, SupportItem: t.SupportItem, From: t.Date, To: t.Date, Minutes: t.Minutes,
			UnitPrice: t.Rate, Amount: amt, GSTCode: GSTFree, ClaimType: t.ClaimType, CancellationReason: t.CancellationReason}}
}

// sessionItem is a session's line as its own invoicing writes it
// (session.Line: the price, or rate × actual minutes), GST-free on an
// NDIS run invoice; its claim is Hours at the rate, or Quantity 1 at a
// per-session price.
func sessionItem(s *session.Session, ndisNumber string, cur money.Currency, loc *time.Location) item {
	if loc == nil {
		loc = time.UTC
	}
	l := s.Line(cur, loc)
	// A run invoice is an NDIS invoice: a session without a support item
	// on it is GST-free too.
	l.TaxRate = ndis.LineTaxRate(l.SupportItem, decimal.Zero)
	amt := l.Amount(cur)
	sv := s.Spec.Service
	it := item{date: l.PeriodStart, line: l,
		preview: PreviewLine{Description: l.Description, SupportItem: sv.SupportItem, Date: l.PeriodStart, Minutes: s.Spec.Minutes, Rate: sv.Rate, Amount: amt},
		claim: Claim{SessionID: s.ID, NDISNumber: ndisNumber, SupportItem: sv.SupportItem, From: l.PeriodStart, To: l.PeriodStart,
			Minutes: s.Spec.Minutes, UnitPrice: sv.Rate, Amount: amt, GSTCode: GSTFree}}
	if !sv.Price.IsZero() {
		it.preview.Rate, it.claim.UnitPrice, it.claim.Quantity = sv.Price, sv.Price, decimal.NewFromInt(1)
	}
	if s.ShortNoticeCancellation() {
		it.preview.ClaimType, it.claim.ClaimType, it.claim.CancellationReason = ndis.Cancellation, ndis.Cancellation, s.CancellationReason
	}
	return it
}

// claimTypeWords names a claim type on an invoice line.
var claimTypeWords = map[ndis.ClaimType]string{
	ndis.NonFaceToFace: "non-face-to-face", ndis.ProviderTravel: "provider travel", ndis.ReportWriting: "report writing",
	ndis.Cancellation: "short notice cancellation", ndis.Telehealth: "telehealth", ndis.IrregularSIL: "irregular SIL",
}

// taskLine is a task's invoice line: hours × rate when the minutes make an
// exact quantity of at most four decimals (45 min = 0.75 h), otherwise a
// fixed line at rate × minutes ÷ 60 rounded once (the minutes and rate in
// its description): time is never rounded up. Its service period is the
// delivery date.
func taskLine(t ndis.Task, cur money.Currency) invoice.Line {
	// The support item number is the line's own field (printed in its own
	// column and first in exports), so the words do not repeat it.
	desc := fmt.Sprintf("Support coordination, %s (%d min)", t.Date.Format("Mon 2 Jan 2006"), t.Minutes)
	if w, ok := claimTypeWords[t.ClaimType]; ok {
		desc += ", claim type " + string(t.ClaimType) + " " + w
		if t.CancellationReason != "" {
			desc += " (" + t.CancellationReason + ")"
		}
	}
	l := invoice.Line{SupportItem: t.SupportItem, PeriodStart: t.Date, PeriodEnd: t.Date, TaxRate: ndis.LineTaxRate(t.SupportItem, decimal.Zero)}
	hours := decimal.NewFromInt(int64(t.Minutes)).Div(decimal.NewFromInt(60))
	if hours.Equal(hours.Truncate(invoice.QuantityPlcs)) {
		l.Type, l.Quantity, l.Unit, l.Rate, l.Description = invoice.Variable, hours, invoice.Hours, t.Rate, desc
		return l
	}
	l.Type, l.Price = invoice.Fixed, t.Amount(cur)
	l.Description = fmt.Sprintf("%s at %s an hour", desc, cur.DisplayRate(t.Rate))
	return l
}

func memo(p Provider, c *client.Client, from, to calendar.Date) string {
	f := c.Profile.Funding
	var b strings.Builder
	fmt.Fprintf(&b, "NDIS participant: %s, NDIS number %s.\n", c.Profile.Name, f.NDISNumber)
	if f.Type == client.PlanManaged && f.PlanManager != nil {
		fmt.Fprintf(&b, "Plan manager: %s.\n", f.PlanManager.Name)
	}
	fmt.Fprintf(&b, "Provider: %s", p.LegalName)
	if p.ABN != "" {
		fmt.Fprintf(&b, ", ABN %s", p.ABN)
	}
	if p.Registration != "" {
		fmt.Fprintf(&b, ", NDIS registration %s", p.Registration)
	}
	fmt.Fprintf(&b, ".\nSupports delivered %s to %s. NDIS supports are GST-free.", from, to)
	return b.String()
}
