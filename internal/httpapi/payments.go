package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/idempotency"
	"github.com/carebill/carebill/internal/payment"
	"github.com/carebill/carebill/internal/validation"
)

type allocationJSON struct {
	InvoiceID string `json:"invoiceId" openapi:"required"`
	Number    string `json:"number,omitempty"`
	Amount    string `json:"amount" openapi:"required"`
}

type paymentRequest struct {
	ClientID    string           `json:"clientId" openapi:"required"`
	Amount      string           `json:"amount" openapi:"required"`
	Currency    string           `json:"currency"` // optional: the client's; any other is refused
	Date        string           `json:"date"`     // optional: today in the org's zone
	Method      payment.Method   `json:"method" openapi:"required"`
	Reference   string           `json:"reference"`
	Comments    paragraph        `json:"comments"`
	Allocations []allocationJSON `json:"allocations"`
	// EmailReceipt emails the receipt, PDF attached, to the client's
	// billing contact once recorded.
	EmailReceipt bool `json:"emailReceipt"`
}

type paymentResponse struct {
	ID            string           `json:"id"`
	ClientID      string           `json:"clientId"`
	Amount        string           `json:"amount"`
	Currency      string           `json:"currency"`
	Date          string           `json:"date"`
	Method        string           `json:"method"`
	Reference     string           `json:"reference,omitempty"`
	Comments      string           `json:"comments,omitempty"`
	Allocations   []allocationJSON `json:"allocations"`
	Credit        string           `json:"credit"`
	ProcessingFee string           `json:"processingFee,omitempty"` // a card fee paid on top of amount
	ReceiptNumber string           `json:"receiptNumber"`
	CreatedAt     time.Time        `json:"createdAt"`
	Refunded      string           `json:"refunded"`
	Left          string           `json:"left"` // still with the business: amount less refunds, 0 once reversed
	Refunds       []refundJSON     `json:"refunds"`
	Reversed      bool             `json:"reversed"`
	ReverseReason string           `json:"reverseReason,omitempty"`
	// ReversedAllocations are what a reversal took off invoices: the
	// invoice page still lists the payment, stamped reversed.
	ReversedAllocations []allocationJSON `json:"reversedAllocations,omitempty"`
	// AvailableActions are what the caller's role may do to the payment
	// now: email_receipt, refund, reverse (billing.PaymentActions).
	AvailableActions []string `json:"availableActions"`
}

type refundJSON struct {
	Amount string    `json:"amount"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	Source string    `json:"source"`
}

// paymentJSON is payment p as the API answers it to pr, its
// availableActions those pr's role may take (billing.PaymentActions).
func paymentJSON(pr auth.Principal, p *payment.Payment) paymentResponse {
	cur := p.Input.Currency
	out := paymentResponse{
		ID: p.ID, ClientID: p.Input.ClientID, Amount: cur.String(p.Input.Amount), Currency: cur.Code(),
		Date: p.Input.Date.String(), Method: string(p.Input.Method), Reference: p.Input.Reference,
		Comments: p.Input.Comments, Allocations: make([]allocationJSON, 0, len(p.Allocations)),
		Credit: cur.String(p.Credit), ReceiptNumber: p.ReceiptNumber, CreatedAt: p.CreatedAt,
		Refunded: cur.String(p.Refunded()), Left: cur.String(p.Left()), Refunds: make([]refundJSON, 0, len(p.Refunds)),
		Reversed: p.Reversed, ReverseReason: p.ReverseReason, AvailableActions: billing.PaymentActions(pr, p),
	}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, refundJSON{Amount: cur.String(r.Amount), Reason: r.Reason, At: r.At, Source: r.Source})
	}
	for _, a := range p.Allocations {
		out.Allocations = append(out.Allocations, allocationJSON{InvoiceID: a.InvoiceID, Number: a.Number, Amount: cur.String(a.Amount)})
	}
	for _, a := range p.ReversedAllocations {
		out.ReversedAllocations = append(out.ReversedAllocations, allocationJSON{InvoiceID: a.InvoiceID, Number: a.Number, Amount: cur.String(a.Amount)})
	}
	if p.Fee.IsPositive() {
		out.ProcessingFee = cur.String(p.Fee)
	}
	return out
}

func (req paymentRequest) input() (payment.Input, error) {
	in := payment.Input{ClientID: req.ClientID, Method: req.Method, Reference: req.Reference, Comments: string(req.Comments)}
	if !id.Valid(id.Client, req.ClientID) {
		return in, validation.Errorf("clientId", "is not a client id")
	}
	var err error
	if in.Amount, err = parseDec("amount", req.Amount, amountLimits); err != nil {
		return in, err
	}
	if in.Date, err = parseDate("date", req.Date); err != nil {
		return in, err
	}
	if req.Currency != "" {
		if in.Currency, err = parseCurrency("currency", req.Currency); err != nil {
			return in, err
		}
	}
	for i, a := range req.Allocations {
		f := fmt.Sprintf("allocations[%d]", i)
		if !id.Valid(id.Invoice, a.InvoiceID) {
			return in, validation.Errorf(f+".invoiceId", "is not an invoice id")
		}
		amt, err := parseDec(f+".amount", a.Amount, amountLimits)
		if err != nil {
			return in, err
		}
		in.Allocations = append(in.Allocations, payment.Allocation{InvoiceID: a.InvoiceID, Amount: amt})
	}
	return in, nil
}

func (s *server) recordPayment(w http.ResponseWriter, r *http.Request) {
	var req paymentRequest
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := req.input()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if preview, err := previewParam(r); err != nil || preview {
		s.previewPayment(w, r, in, err)
		return
	}
	in.RequestKey = idempotency.Key(r.Context())
	rec, err := s.receipts.RecordPayment(r.Context(), principal(r.Context()), in, req.EmailReceipt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/payments/"+rec.Payment.ID)
	writeJSON(w, http.StatusCreated, recordedResponse{paymentResponse: paymentJSON(principal(r.Context()), rec.Payment), ReceiptDelivery: receiptDeliveryJSON(rec.Receipt)})
}

func (s *server) getPayment(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("id")
	if !id.Valid(id.Payment, pid) {
		s.writeError(w, r, payment.ErrNotFound)
		return
	}
	p, err := s.billing.Payment(r.Context(), principal(r.Context()), pid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paymentJSON(principal(r.Context()), p))
}

func (s *server) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cid := q.Get("clientId")
	if cid != "" && !id.Valid(id.Client, cid) {
		s.writeError(w, r, validation.Errorf("clientId", "is not a client id"))
		return
	}
	ps, next, err := s.billing.Payments(r.Context(), principal(r.Context()), cid, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := list[paymentResponse]{Data: make([]paymentResponse, 0, len(ps)), NextCursor: next}
	for _, p := range ps {
		out.Data = append(out.Data, paymentJSON(principal(r.Context()), p))
	}
	writeJSON(w, http.StatusOK, out)
}

type summaryResponse struct {
	Client   clientResponse    `json:"client"`
	Invoices []invoiceResponse `json:"invoices"`
	Payments []paymentResponse `json:"payments"`
	Totals   summaryTotals     `json:"totals"`
}

type summaryTotals struct {
	Invoiced string `json:"invoiced"`
	Paid     string `json:"paid"`
	Credited string `json:"credited"`
	Overdue  string `json:"overdue"`
	Owing    string `json:"owing"`
	Credit   string `json:"credit"`
	Currency string `json:"currency"`
}

func (s *server) clientSummary(w http.ResponseWriter, r *http.Request) {
	cid := r.PathValue("id")
	if !id.Valid(id.Client, cid) {
		s.writeError(w, r, client.ErrNotFound)
		return
	}
	sum, err := s.billing.ClientSummary(r.Context(), principal(r.Context()), cid)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, summaryJSON(principal(r.Context()), sum))
}

func summaryJSON(who auth.Principal, sum billing.Summary) summaryResponse {
	cur := sum.Client.Currency
	out := summaryResponse{
		Client: clientJSON(sum.Client), Invoices: make([]invoiceResponse, 0, len(sum.Invoices)),
		Payments: make([]paymentResponse, 0, len(sum.Payments)),
		Totals: summaryTotals{
			Invoiced: cur.String(sum.Invoiced), Paid: cur.String(sum.Paid), Credited: cur.String(sum.Credited),
			Overdue: cur.String(sum.Overdue), Owing: cur.String(sum.Client.Balance.Owing),
			Credit: cur.String(sum.Client.Balance.Credit), Currency: cur.Code(),
		},
	}
	for _, v := range sum.Invoices {
		out.Invoices = append(out.Invoices, invoiceJSON(who, v))
	}
	for _, p := range sum.Payments {
		out.Payments = append(out.Payments, paymentJSON(who, p))
	}
	return out
}
