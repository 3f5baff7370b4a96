package httpapi

// routeDocs describes every route New and NewPayments register, keyed by
// the pattern exactly as registered: they are the OpenAPI document served
// at GET /v1/openapi.json. TestEveryRouteIsDescribed fails, naming the
// route, when a registered route has no entry here (or an entry names no
// route).
//
// Adding a route: add one line here beside its neighbours, e.g.
//
//	"POST /v1/widgets": {Summary: "…", Body: widgetBody{}, Reply: widgetResponse{}, Status: 201},
//
// Body and Reply are zero values of the Go types the handler decodes and
// encodes (their json tags are the schema) or, for a reply a handler
// writes as a map, an anonymous struct of the same shape. The API tests
// then validate every request and reply against the entry.
var routeDocs = map[string]routeDoc{
	// Sign-in and the document itself: no token.
	"POST /auth/signup":     {Summary: "Create an org and its admin", Public: true, Body: signupRequest{}, Reply: orgResponse{}, Status: 201},
	"POST /auth/login":      {Summary: "Sign in: an ID token, plus the session cookie; an invited member's first sign-in answers 409 new_password_required until newPassword is sent", Public: true, Body: credentials{}, Reply: loginResponse{}},
	"POST /auth/logout":     {Summary: "Revoke the token sent (bearer or session cookie) until it expires", Public: true, Status: 204},
	"GET /v1/openapi.json":  {Summary: "This document (OpenAPI 3.1)", Public: true, Reply: schema{"type": "object"}},
	"POST /webhooks/stripe": {Summary: "Stripe's event deliveries, verified by the Stripe-Signature header (payments function)", Public: true, Body: schema{"type": "object"}, Reply: webhookReply{}},
	"POST /pay/{token}/checkout": {Summary: "From a pay link: 303 to a Stripe Checkout page for the invoice's whole balance (payments function)", Public: true,
		Status: 303, HTMLErrors: true},
	"POST /pay-all/{token}/checkout": {Summary: "From a statement's pay-all link: 303 to one Stripe Checkout page for everything the client has open (payments function)", Public: true,
		Status: 303, HTMLErrors: true},

	"GET /v1/org":   {Summary: "The org's settings", Reply: orgResponse{}},
	"PATCH /v1/org": {Summary: "Change the org's settings (admin); null clears a field", Body: orgPatch{}, Reply: orgResponse{}},

	"POST /v1/clients":                    {Summary: "Add a client (billing account)", Body: clientBody{}, Reply: clientResponse{}, Status: 201},
	"GET /v1/clients":                     {Summary: "Clients, searchable by name", Query: []string{"q", "limit", "cursor"}, Reply: list[clientResponse]{}},
	"GET /v1/clients/{id}":                {Summary: "A client with its balance owing and credit; include=ndisPlan adds the participant's NDIS plan when one is recorded", Query: []string{"include"}, Reply: clientResponse{}},
	"PATCH /v1/clients/{id}":              {Summary: "Change a client; null clears a field", Body: clientBody{}, Reply: clientResponse{}},
	"GET /v1/clients/{id}/summary":        {Summary: "The client's account summary", Reply: summaryResponse{}},
	"GET /v1/clients/{id}/ledger":         {Summary: "The client's ledger, oldest first, with running balances", Query: []string{"from", "to", "limit", "cursor"}, Reply: ledgerResponse{}},
	"POST /v1/clients/{id}/ledger/verify": {Summary: "Recompute the client's owing and credit from its ledger and report drift (admin)", Reply: verificationJSON{}},
	"GET /v1/clients/{id}/statement":      {Summary: "A statement on demand: activity in a range or outstanding as at a date, as JSON or PDF", Query: []string{"kind", "from", "to", "asAt", "format"}, Reply: statementResponse{}, Media: []string{"application/pdf"}},
	"GET /v1/clients/{id}/activity":       {Summary: "The client's activity log, newest first", Query: []string{"q", "limit", "cursor"}, Reply: list[eventJSON]{}},
	"GET /v1/clients/{id}/ndis-plan":      {Summary: "The client's NDIS plan and budgets", Reply: planJSON{}},
	"PUT /v1/clients/{id}/ndis-plan":      {Summary: "Set the client's NDIS plan and budgets", Body: planJSON{}, Reply: planJSON{}},

	"GET /v1/clients/{id}/budget": {Summary: "The client's NDIS plan categories: budget, spent (invoiced), committed (not yet invoiced) and remaining", Reply: budgetReply{}},

	"GET /v1/clients/{id}/recurring-charges":                  {Summary: "The client's recurring charges", Reply: list[chargeResponse]{}},
	"POST /v1/clients/{id}/recurring-charges":                 {Summary: "Add a recurring charge: weekly on a weekday or monthly on a day (1–28), from a start, optionally to an end or a count", Body: chargeBody{}, Reply: chargeResponse{}, Status: 201},
	"GET /v1/clients/{id}/recurring-charges/{charge}":         {Summary: "A recurring charge with its next date and what it billed last", Reply: chargeResponse{}},
	"PUT /v1/clients/{id}/recurring-charges/{charge}":         {Summary: "Replace a recurring charge", Body: chargeBody{}, Reply: chargeResponse{}},
	"DELETE /v1/clients/{id}/recurring-charges/{charge}":      {Summary: "End a recurring charge for good; the invoices it made stay", Status: 204},
	"POST /v1/clients/{id}/recurring-charges/{charge}/pause":  {Summary: "Stop a recurring charge billing", Reply: chargeResponse{}},
	"POST /v1/clients/{id}/recurring-charges/{charge}/resume": {Summary: "Start a paused charge again from its first date on or after today", Reply: chargeResponse{}},
	"POST /v1/clients/{id}/recurring-charges/{charge}/bill":   {Summary: "Bill what is due today now rather than at the next scheduled run; billedNow says how many (0 on a repeat)", Reply: chargeResponse{}},
	"POST /v1/clients/{id}/initial-balance":                   {Summary: "Set what the client owed when created, as an invoice without a number (201; 200 when sent again with the same amount, 409 with another)", Body: initialBalanceBody{}, Reply: invoiceResponse{}, Status: 201, AlsoStatus: 200},
	"GET /v1/clients/{id}/initial-balance":                    {Summary: "The client's initial-balance invoice, or null when none is set", Reply: initialBalanceReply{}},

	"POST /v1/invoices":                     {Summary: "Create a draft invoice, or a special kind (processing_fee, synced with its externalNumber)", Body: createInvoiceBody{}, Reply: invoiceResponse{}, Status: 201},
	"GET /v1/invoices":                      {Summary: "Invoices by client, status or search", Query: []string{"clientId", "status", "q", "limit", "cursor"}, Reply: list[invoiceResponse]{}},
	"GET /v1/invoices/export.csv":           {Summary: "Invoices issued in a range as Xero's or QuickBooks Online's import CSV, or a zip of CSVs (admin)", Query: []string{"format", "from", "to"}, Media: []string{"text/csv", "application/zip"}},
	"GET /v1/invoices/{id}":                 {Summary: "An invoice with its totals, status and available actions", Reply: invoiceResponse{}},
	"PATCH /v1/invoices/{id}":               {Summary: "Change a draft", Body: invoiceBody{}, Reply: invoiceResponse{}},
	"DELETE /v1/invoices/{id}":              {Summary: "Delete a draft", Status: 204},
	"POST /v1/invoices/{id}/finalize":       {Summary: "Draft to open: numbered gaplessly, dated, client credit applied; nothing sent", Reply: invoiceResponse{}},
	"POST /v1/invoices/{id}/void":           {Summary: "Open to void; the number stays used (admin)", Body: reasonBody{}, Reply: invoiceResponse{}},
	"POST /v1/invoices/{id}/reissue":        {Summary: "Void and re-issue: the new draft prefilled from the invoice", Body: reissueBody{}, Reply: invoiceResponse{}, Status: 201},
	"POST /v1/invoices/{id}/send":           {Summary: "Send by email and/or text; a draft is finalized first", Body: sendBody{}, Reply: sentResponse{}},
	"POST /v1/invoices/{id}/resend":         {Summary: "Send a finalized invoice again, optionally with a new pay link", Body: resendBody{}, Reply: sentResponse{}},
	"GET /v1/invoices/{id}/deliveries":      {Summary: "The invoice's emails and texts, newest first", Query: []string{"limit", "cursor"}, Reply: list[deliveryResponse]{}},
	"POST /v1/invoices/{id}/send-preview":   {Summary: "What a send or resend would do, doing nothing", Body: sendPreviewBody{}, Reply: sendPreviewResponse{}},
	"POST /v1/invoices/{id}/lock":           {Summary: "Lock an invoice", Body: reasonBody{}, OptionalBody: true, Reply: invoiceResponse{}},
	"POST /v1/invoices/{id}/unlock":         {Summary: "Unlock an invoice (admin)", Body: reasonBody{}, OptionalBody: true, Reply: invoiceResponse{}},
	"GET /v1/invoices/{id}/pay-link":        {Summary: "A pay link; rotate=true revokes earlier ones", Query: []string{"rotate"}, Reply: payLinkResponse{}},
	"GET /v1/invoices/{id}/pdf":             {Summary: "The invoice PDF", Media: []string{"application/pdf"}},
	"GET /v1/invoices/{id}/activity":        {Summary: "The invoice's activity log, newest first", Query: []string{"q", "limit", "cursor"}, Reply: list[eventJSON]{}},
	"POST /v1/invoices/{id}/apply-credit":   {Summary: "Move client credit onto an open invoice (all that fits without amount)", Body: applyCreditRequest{}, OptionalBody: true, Reply: invoiceResponse{}},
	"POST /v1/invoices/{id}/unapply-credit": {Summary: "Give credit applied to an invoice back to the client (all of it without amount)", Body: amountBody{}, OptionalBody: true, Reply: invoiceResponse{}},

	"POST /v1/credit-notes":           {Summary: "Issue a credit note", Body: creditRequest{}, Reply: creditResponse{}, Status: 201},
	"GET /v1/credit-notes":            {Summary: "The credit notes issued against an invoice, oldest first, voided ones included", Query: []string{"invoiceId"}, Reply: list[creditResponse]{}},
	"GET /v1/credit-notes/{id}":       {Summary: "A credit note", Reply: creditResponse{}},
	"GET /v1/credit-notes/{id}/pdf":   {Summary: "The credit note PDF", Media: []string{"application/pdf"}},
	"POST /v1/credit-notes/{id}/void": {Summary: "Void a credit note", Body: reasonBody{}, Reply: creditResponse{}},

	"POST /v1/payments":                 {Summary: "Record a payment; preview=true answers (200) what it would settle and keep as credit, recording nothing", Query: []string{"preview"}, Body: paymentRequest{}, Reply: recordedResponse{}, Status: 201, AlsoStatus: 200},
	"GET /v1/payments":                  {Summary: "Payments, newest first", Query: []string{"clientId", "limit", "cursor"}, Reply: list[paymentResponse]{}},
	"GET /v1/payments/{id}":             {Summary: "A payment with its allocations", Reply: paymentResponse{}},
	"GET /v1/payments/{id}/receipt.pdf": {Summary: "The payment's receipt PDF", Media: []string{"application/pdf"}},
	"POST /v1/payments/{id}/reverse":    {Summary: "Reverse a payment (admin)", Body: reasonBody{}, Reply: paymentResponse{}},
	"POST /v1/payments/{id}/refund":     {Summary: "Record money given back out of a payment (admin)", Body: refundBody{}, Reply: paymentResponse{}},

	"POST /v1/payments/{id}/email-receipt":  {Summary: "Queue the receipt email, PDF attached, by default to the client's billing contact (202); the same request within half a minute answers the first's delivery", Body: emailReceiptBody{}, OptionalBody: true, Reply: deliveryResponse{}, Status: 202},
	"GET /v1/payments/{id}/deliveries":      {Summary: "The payment's receipt emails, newest first", Query: []string{"limit", "cursor"}, Reply: list[deliveryResponse]{}},
	"GET /v1/payments/parked":               {Summary: "Card payments in a currency the client is not billed in, newest first (admin)", Query: []string{"limit", "cursor"}, Reply: list[parkedResponse]{}},
	"POST /v1/payments/parked/{id}/resolve": {Summary: "Resolve a parked card payment, named by its payment intent, once with a reason (admin)", Body: resolveParkedBody{}, Reply: parkedResponse{}},

	"GET /v1/billing-cycles":             {Summary: "The org's billing cycles, newest first", Reply: list[cycleResponse]{}},
	"POST /v1/billing-cycles/{id}/close": {Summary: "Close the due cycles up to this one now (admin)", Reply: closeResponse{}},
	"POST /v1/billing-cycles/{id}/statements": {Summary: "Regenerate the statements a closed cycle is missing (admin)", Reply: struct {
		Statements int `json:"statements"`
	}{}},
	"GET /v1/statements":          {Summary: "Statements by client or cycle", Query: []string{"clientId", "cycleId", "limit", "cursor"}, Reply: list[statementResponse]{}},
	"GET /v1/statements/{id}":     {Summary: "A statement", Reply: statementResponse{}},
	"GET /v1/statements/{id}/pdf": {Summary: "The statement PDF", Media: []string{"application/pdf"}},
	"DELETE /v1/statements/{id}":  {Summary: "Delete a statement, unlocking what it locked (admin)", Status: 204},

	"POST /v1/statements/{id}/send":      {Summary: "Send a statement by email and/or text, with one pay-all link for everything the client has open", Body: statementSendBody{}, Reply: statementSentResponse{}},
	"GET /v1/statements/{id}/deliveries": {Summary: "The statement's emails and texts, newest first", Query: []string{"limit", "cursor"}, Reply: list[statementDeliveryResponse]{}},

	"POST /v1/invoice-runs":                          {Summary: "Start (or, with dryRun, preview) the invoice run of a period (202); 422 run_blocked lists every alert with a link to fix it, 409 run_exists names the period's run", Body: startRunBody{}, Reply: runJSON{}, Status: 202},
	"GET /v1/invoice-runs":                           {Summary: "Invoice runs, newest first", Query: []string{"limit", "cursor"}, Reply: list[runJSON]{}},
	"GET /v1/invoice-runs/blockers":                  {Summary: "The participants whose work in a period would refuse a run (run_blocked), each alert with its fix link; empty data when a run can start. excludeClientIds is a comma-separated list", Query: []string{"periodStart", "periodEnd", "excludeClientIds"}, Reply: list[blockedJSON]{}},
	"GET /v1/invoice-runs/{id}":                      {Summary: "A run's progress, a page of its clients (parked ones with a reason and fix link), its NDIA files and the dead-letter depth (-1 unknown)", Query: []string{"limit", "cursor"}, Reply: runReply{}},
	"POST /v1/invoice-runs/{id}/requeue":             {Summary: "Queue the run's parked clients again, once fixed, or add participants it left out or did not invoice (409 client_on_run for one it already holds)", Query: []string{"limit", "cursor"}, Body: requeueBody{}, Reply: runReply{}},
	"GET /v1/invoice-runs/{id}/ndia-bulk-upload.csv": {Summary: "One of the run's NDIA bulk upload files (at most 5,000 rows each; X-File-Count says how many) (admin)", Query: []string{"part"}, Media: []string{"text/csv"}},
	"POST /v1/invoice-runs/{id}/ndia-results":        {Summary: "Reconcile the NDIA's bulk results file: rejected lines onto the fix list", Body: uploadBody{}, Reply: reconciliationReply{}},
	"POST /v1/invoice-runs/{id}/reclaims":            {Summary: "Queue a rejected line from the run's fix list for re-claim, once its cause is fixed: the org's next real run's NDIA file claims it under a new claim reference, on the same invoice; 409 not_on_fix_list, already_reclaimed, not_ndia_managed, invoice_void", Body: reclaimBody{}, Reply: fixListReply{}},
	"POST /v1/invoice-runs/{id}/ndia-remittance":     {Summary: "Reconcile the NDIA's remittance: payments for paid lines, credit notes for capped prices, once", Body: uploadBody{}, Reply: reconciliationReply{}},
	"GET /v1/ndis/provider":                          {Summary: "The org's NDIS provider settings for the bulk file", Reply: providerJSON{}},
	"PUT /v1/ndis/provider":                          {Summary: "Set the org's NDIS provider settings (admin)", Body: providerJSON{}, Reply: providerJSON{}},

	"GET /v1/activity": {Summary: "The org's activity feed, searchable", Query: []string{"q", "limit", "cursor"}, Reply: list[eventJSON]{}},

	"POST /v1/users":                     {Summary: "Invite a member (admin); Cognito emails a temporary password", Body: inviteBody{}, Reply: userResponse{}, Status: 201},
	"GET /v1/users":                      {Summary: "The org's members", Reply: list[userResponse]{}},
	"PATCH /v1/users/{id}":               {Summary: "Change a member's role (admin)", Body: roleBody{}, Reply: userResponse{}},
	"DELETE /v1/users/{id}":              {Summary: "Remove a member, ending their sessions (admin)", Status: 204},
	"GET /v1/me":                         {Summary: "The signed-in member: role and the actions it allows", Reply: meResponse{}},
	"GET /v1/dashboard":                  {Summary: "Open, overdue, pending purchase orders, cases ready to invoice, recent activity", Reply: dashboardReply{}},
	"POST /v1/tasks":                     {Summary: "Record a support coordination task", Body: taskBody{}, Reply: taskResponse{}, Status: 201},
	"GET /v1/tasks":                      {Summary: "Tasks", Query: []string{"clientId", "from", "to"}, Reply: list[taskResponse]{}},
	"GET /v1/tasks/{id}":                 {Summary: "A task", Reply: taskResponse{}},
	"PATCH /v1/tasks/{id}":               {Summary: "Change an uninvoiced task (409 task_invoiced once invoiced); null clears rate, support item, notes", Body: taskPatch{}, Reply: taskResponse{}},
	"DELETE /v1/tasks/{id}":              {Summary: "Delete an uninvoiced task (409 task_invoiced once invoiced)", Status: 204},
	"GET /v1/ndis/price-limits":          {Summary: "The org's NDIS price limits", Reply: priceLimitsReply{}},
	"PUT /v1/ndis/price-limits":          {Summary: "Replace the org's NDIS price limits", Body: priceLimitsReply{}, Reply: priceLimitsReply{}},
	"POST /v1/sessions":                  {Summary: "Book a session", Body: sessionBody{}, Reply: sessionResponse{}, Status: 201},
	"GET /v1/sessions":                   {Summary: "Sessions in a date range", Query: []string{"from", "to", "clientId", "limit", "cursor"}, Reply: list[sessionResponse]{}},
	"GET /v1/sessions/{id}":              {Summary: "A session", Reply: sessionResponse{}},
	"POST /v1/sessions/{id}/attendance":  {Summary: "Mark attendance; answers the session and any invoice it made. Attended, or cancelled with an NDIS short notice reason (billed as a CANC claim at 100%), bills it; 422 not_short_notice or cancellation_not_claimable refuses a reason the rules do not allow", Body: attendanceBody{}, Reply: attendanceResponse{}},
	"POST /v1/cases":                     {Summary: "Record a lab or surgical case", Body: caseBody{}, Reply: caseResponse{}, Status: 201},
	"GET /v1/cases":                      {Summary: "Cases, oldest event first", Query: []string{"status", "limit", "cursor"}, Reply: list[caseResponse]{}},
	"GET /v1/cases/pending-po":           {Summary: "Cases waiting for a purchase order, their count and value", Query: []string{"limit", "cursor"}, Reply: pendingPOReply{}},
	"GET /v1/cases/{id}":                 {Summary: "A case", Reply: caseResponse{}},
	"PUT /v1/cases/{id}":                 {Summary: "Replace a case", Body: caseBody{}, Reply: caseResponse{}},
	"PUT /v1/cases/{id}/purchase-orders": {Summary: "Set the case's purchase orders: pending_po to pending_payment", Body: posJSON{}, Reply: caseResponse{}},
	"POST /v1/cases/{id}/invoice":        {Summary: "Invoice a case: one invoice per purchase order", Reply: caseResponse{}},
	"GET /v1/cases/{id}/invoice.csv":     {Summary: "The case's invoices as one import CSV", Query: []string{"format"}, Media: []string{"text/csv"}},
	"POST /v1/cases/{id}/uninvoice": {Summary: "Void the case's invoices and release it", OptionalBody: true, Body: struct {
		Reason string `json:"reason"`
	}{}, Reply: caseResponse{}},
	"POST /v1/cases/{id}/invoice-paid": {Summary: "Mark the case's invoices paid (the rep's mark)", Reply: caseResponse{}},
	"POST /v1/cases/{id}/commission-paid": {Summary: "Mark the rep's commission paid", Body: struct {
		Date string `json:"date"`
	}{}, Reply: caseResponse{}},
}

// Replies their handlers write as maps, described by their shape.
type (
	dashboardReply struct {
		Today    string `json:"today"`
		Currency string `json:"currency"`
		Open     struct {
			Count   int    `json:"count"`
			Balance string `json:"balance"`
		} `json:"open"`
		Overdue struct {
			Count   int    `json:"count"`
			Balance string `json:"balance"`
		} `json:"overdue"`
		PendingPO struct {
			Count int    `json:"count"`
			Value string `json:"value"`
		} `json:"pendingPO"`
		ReadyToInvoice struct {
			Cases int `json:"cases"`
		} `json:"readyToInvoice"`
		RecentActivity []eventJSON `json:"recentActivity"`
	}
	priceLimitsReply struct {
		Items []priceLimitJSON `json:"items"`
	}
	initialBalanceBody struct {
		Amount string `json:"amount"`
		Date   string `json:"date"`
	}
	initialBalanceReply struct {
		Invoice *invoiceResponse `json:"invoice"`
	}
	budgetReply struct {
		ClientID   string   `json:"clientId"`
		Plan       planJSON `json:"plan"`
		Categories []struct {
			Category  string `json:"category"`
			Budget    string `json:"budget"`
			Spent     string `json:"spent"`
			Committed string `json:"committed"`
			Remaining string `json:"remaining"`
		} `json:"categories"`
	}
	runReply struct {
		Run         runJSON         `json:"run"`
		Clients     []runClientJSON `json:"clients"`
		NextCursor  string          `json:"nextCursor"`
		DeadLetters int             `json:"deadLetters"`
		FixList     []claimLineJSON `json:"fixList"`
		Reclaims    []reclaimJSON   `json:"reclaims"`
	}
	fixListReply struct {
		FixList []claimLineJSON `json:"fixList"`
	}
	reconciliationReply struct {
		Matched   int      `json:"matched"`
		Unmatched []string `json:"unmatched"`
		// UnmatchedRuns: unmatched reference → the run whose file carried it, where known.
		UnmatchedRuns map[string]string `json:"unmatchedRuns"`
		Accepted      int               `json:"accepted"`
		Rejected      int               `json:"rejected"`
		Paid          int               `json:"paid"`
		AlreadyPaid   int               `json:"alreadyPaid"` // remittance: lines an earlier upload already applied
		Payments      []string          `json:"payments"`
		CreditNotes   []string          `json:"creditNotes"`
		FixList       []claimLineJSON   `json:"fixList"`
	}
	pendingPOReply struct {
		Count      int            `json:"count"`
		Value      string         `json:"value"`
		Currency   string         `json:"currency"`
		Data       []caseResponse `json:"data"`
		NextCursor string         `json:"nextCursor"`
	}
)
