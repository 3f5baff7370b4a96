package httpapi_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/carebill/carebill/internal/httpapi"
)

// tie says how a POST route is kept from taking effect twice when its
// reply is lost with its function and the client retries after the
// Idempotency-Key's in-progress record expired. Exactly one is set.
type tie struct {
	// store names the dynamo.Store method whose transaction takes the
	// route's effect and carries the request's marker
	// (idempotency.Request, written by transactRequest).
	store string
	// reason says why running the route again cannot double anything.
	reason string
}

// requestTies covers every POST route the invoicing and payments
// functions serve (TestEveryPostIsTiedToItsKey keeps it complete).
var requestTies = map[string]tie{
	// Creating or money-moving: the write carries the request's marker.
	"POST /v1/clients":                        {store: "CreateClient"},
	"POST /v1/invoices":                       {store: "CreateInvoice"},
	"POST /v1/invoices/{id}/reissue":          {store: "CreateInvoice"},
	"POST /v1/invoices/{id}/send":             {store: "SendInvoice"},
	"POST /v1/invoices/{id}/resend":           {store: "SendInvoice"},
	"POST /v1/credit-notes":                   {store: "IssueCreditNote"},
	"POST /v1/invoices/{id}/apply-credit":     {store: "ApplyClientCredit"},
	"POST /v1/invoices/{id}/unapply-credit":   {store: "ApplyClientCredit"},
	"POST /v1/payments":                       {store: "RecordPayment"},
	"POST /v1/payments/{id}/refund":           {store: "ChangePayment"},
	"POST /v1/payments/{id}/reverse":          {store: "ChangePayment"},
	"POST /v1/payments/{id}/email-receipt":    {store: "CreateReceiptDelivery"},
	"POST /v1/clients/{id}/recurring-charges": {store: "CreateCharge"},
	"POST /v1/invoice-runs":                   {store: "CreateRun"},
	"POST /v1/invoice-runs/{id}/reclaims":     {store: "QueueReclaim"},
	"POST /v1/statements/{id}/send":           {store: "SendStatement"},
	"POST /v1/tasks":                          {store: "CreateTask"},
	"POST /v1/sessions":                       {store: "CreateSession"},
	"POST /v1/cases":                          {store: "CreateCase"},

	// Idempotent by state or by a key of their own.
	"POST /v1/invoices/{id}/finalize":                         {reason: "draft → open once; a rerun is 409 invoice_not_draft and the number is not used again"},
	"POST /v1/invoices/{id}/void":                             {reason: "open → void once; a rerun is 409 invoice_not_open"},
	"POST /v1/invoices/{id}/lock":                             {reason: "sets the lock; locking a locked invoice changes nothing"},
	"POST /v1/invoices/{id}/unlock":                           {reason: "clears the lock; unlocking an unlocked invoice changes nothing"},
	"POST /v1/credit-notes/{id}/void":                         {reason: "a credit note is voided once; a rerun is refused"},
	"POST /v1/payments/parked/{id}/resolve":                   {reason: "records the parked card's payment under its payment intent's marker (PAYINTENT#), once per intent"},
	"POST /v1/clients/{id}/initial-balance":                   {reason: "one initial-balance invoice per client, at an id derived from the client"},
	"POST /v1/clients/{id}/recurring-charges/{charge}/pause":  {reason: "sets the charge paused"},
	"POST /v1/clients/{id}/recurring-charges/{charge}/resume": {reason: "sets the charge active"},
	"POST /v1/clients/{id}/recurring-charges/{charge}/bill":   {reason: "bills due occurrences: each records its invoice id on the charge before the invoice is made, and the charge advances once"},
	"POST /v1/invoice-runs/{id}/requeue":                      {reason: "puts the run's parked clients back on the queue; the run worker settles each client once"},
	"POST /v1/invoice-runs/{id}/ndia-results":                 {reason: "each line's outcome is keyed by its claim reference; the same file again changes nothing more"},
	"POST /v1/invoice-runs/{id}/ndia-remittance":              {reason: "each line's payment is keyed by its claim reference; the same file again changes nothing more"},
	"POST /v1/billing-cycles/{id}/close":                      {reason: "open → closed once; its statements are keyed by cycle and client"},
	"POST /v1/billing-cycles/{id}/statements":                 {reason: "regenerates the cycle's statements in place, keyed by cycle and client"},
	"POST /v1/sessions/{id}/attendance":                       {reason: "sets the session's attendance"},
	"POST /v1/cases/{id}/invoice":                             {reason: "records the case's invoice id before the draft is made, and a rerun finds it"},
	"POST /v1/cases/{id}/uninvoice":                           {reason: "voids the case's invoice and releases its items once; a rerun finds none"},
	"POST /v1/cases/{id}/invoice-paid":                        {reason: "sets the case's invoice-paid date"},
	"POST /v1/cases/{id}/commission-paid":                     {reason: "sets the case's commission-paid date"},
	"POST /v1/users":                                          {reason: "the directory refuses a second user with the same email (email_taken)"},
	"POST /auth/signup":                                       {reason: "its own key scope; the directory refuses a second admin with the same email"},
	"POST /pay/{token}/checkout":                              {reason: "starts a Stripe Checkout Session: nothing is charged until Stripe's event, recorded once per payment intent"},
	"POST /pay-all/{token}/checkout":                          {reason: "starts a Stripe Checkout Session: nothing is charged until Stripe's event, recorded once per payment intent"},
	"POST /webhooks/stripe":                                   {reason: "deduplicated by Stripe event id; a payment is recorded once per payment intent"},
	"POST /v1/invoices/{id}/send-preview":                     {reason: "renders the message; writes nothing"},
	"POST /v1/clients/{id}/ledger/verify":                     {reason: "reads and checks the ledger; writes nothing"},
	"POST /auth/login":                                        {reason: "issues a session; no lasting effect"},
	"POST /auth/logout":                                       {reason: "clears the session cookie; no lasting effect"},
}

// TestEveryPostIsTiedToItsKey walks the invoicing, payments and documents functions'
// route tables: every POST route is in requestTies, either with the store
// method whose transaction carries the request's marker or with why a
// rerun cannot double it, and every entry is a route they serve.
func TestEveryPostIsTiedToItsKey(t *testing.T) {
	t.Parallel()
	c := newCardAPI(t)
	served := map[string]bool{}
	for _, p := range c.routes() {
		if strings.HasPrefix(p, "POST ") {
			served[p] = true
		}
	}
	if len(served) < 40 {
		t.Fatalf("found only %d POST routes: is the route table walked?", len(served))
	}
	for p := range served {
		ti, ok := requestTies[p]
		switch {
		case !ok:
			t.Errorf("POST route %q is not in requestTies: name the dynamo.Store method whose transaction takes its effect "+
				"(it must write through transactRequest, which adds the request's marker), or say why running it twice cannot double anything", p)
		case (ti.store == "") == (ti.reason == ""):
			t.Errorf("requestTies[%q]: give a store method or a reason, not both or neither", p)
		}
	}
	for p := range requestTies {
		if !served[p] {
			t.Errorf("requestTies names %q, which no function serves", p)
		}
	}
}

// markedWrites are the dynamo.Store helpers that put the request's
// marker in a write's transaction, and markerSK, the payment's own
// marker (PAYREQUEST#).
var markedWrites = []string{"transactRequest", "createWith", "putNewRequest", "markerSK"}

// marks reports whether method calls one of markedWrites, itself or
// through the package's unexported methods it calls (IssueCreditNote
// through issueCreditNote).
func marks(calls map[string][]string, method string, seen map[string]bool) bool {
	if seen[method] {
		return false
	}
	seen[method] = true
	for _, c := range calls[method] {
		if slices.Contains(markedWrites, c) {
			return true
		}
		if _, isMethod := calls[c]; isMethod && c != "" && c[0] >= 'a' && c[0] <= 'z' && marks(calls, c, seen) {
			return true
		}
	}
	return false
}

// TestTiedStoreMethodsWriteTheMarker reads the dynamo package's source:
// every store method requestTies names calls one of markedWrites (itself
// or through unexported methods), so an entry cannot claim a marker its
// write does not carry.
func TestTiedStoreMethodsWriteTheMarker(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	entries, err := os.ReadDir("../dynamo")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join("../dynamo", e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	calls := map[string][]string{} // method → the names of what it calls
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					switch f := call.Fun.(type) {
					case *ast.SelectorExpr:
						calls[fn.Name.Name] = append(calls[fn.Name.Name], f.Sel.Name)
					case *ast.Ident:
						calls[fn.Name.Name] = append(calls[fn.Name.Name], f.Name)
					}
				}
				return true
			})
		}
	}
	if len(calls) < 50 {
		t.Fatalf("read only %d methods from internal/dynamo", len(calls))
	}
	for route, ti := range requestTies {
		if ti.store == "" {
			continue
		}
		_, ok := calls[ti.store]
		if !ok {
			t.Errorf("%s: dynamo.Store has no method %s", route, ti.store)
			continue
		}
		if !marks(calls, ti.store, map[string]bool{}) {
			t.Errorf("%s: %s writes without the request's marker (it calls none of %v)", route, ti.store, markedWrites)
		}
	}
}

// TestEveryMarkedRouteReplays: every POST route whose write carries the
// request's marker either rebuilds its success for a retry after a lost
// reply (httpapi's replays) or says why it keeps 409
// request_already_applied; recording a payment needs neither (its own
// PAYREQUEST# marker answers the payment). No route is in both, and each
// is a marked route.
func TestEveryMarkedRouteReplays(t *testing.T) {
	t.Parallel()
	replayed := map[string]bool{}
	for _, p := range httpapi.ReplayedRoutes() {
		replayed[p] = true
	}
	kept := httpapi.NotReplayedRoutes()
	for p, ti := range requestTies {
		if ti.store == "" || p == "POST /v1/payments" {
			continue
		}
		_, isKept := kept[p]
		switch {
		case replayed[p] && isKept:
			t.Errorf("%s both replays and keeps its 409", p)
		case !replayed[p] && !isKept:
			t.Errorf("%s carries the request's marker but neither rebuilds its answer for a retry after a lost reply (replays) nor says why not (notReplayed)", p)
		}
	}
	for p := range replayed {
		if requestTies[p].store == "" {
			t.Errorf("replays names %s, which carries no request marker", p)
		}
	}
	for p, why := range kept {
		if requestTies[p].store == "" || why == "" {
			t.Errorf("notReplayed names %s (%q): not a marked route, or no reason", p, why)
		}
	}
}
