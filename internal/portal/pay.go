package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/carebill/carebill/internal/billing"
	"github.com/carebill/carebill/internal/paylink"
)

// payView is the pay page.
type payView struct {
	Invoice invoiceView
	Token   string // for the page's own links; the page is the token's already
	OrgID   string
	// Pay is the card payment on offer, when something is owed.
	Pay *cardOffer
	// Checkout is "success" or "cancelled" on the way back from Stripe.
	Checkout string
	// NDIAManaged: the NDIA pays the invoice (billing.ErrNDIAManaged), so
	// the page offers no card payment and says why.
	NDIAManaged bool
}

// ndiaPays is what a pay page says instead of offering a card payment
// when the client is an NDIA-managed participant.
const ndiaPays = "The NDIA pays this: it is claimed from the NDIA under your plan, so there is nothing for you to pay by card."

type cardOffer struct {
	Balance string
	Fee     string // "" when the business absorbs card fees
	Total   string
}

// payPage shows the invoice behind a pay link and notes that the client
// viewed it. Every bad link gets the same not-valid page.
func (s *server) payPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	v, o, err := s.PayLinks.OpenPayLink(r.Context(), token)
	if errors.Is(err, paylink.ErrInvalid) {
		s.notFound(w, r, nil)
		return
	}
	if err != nil {
		s.failPage(w, r, nil, err)
		return
	}
	viewer := sha256.Sum256([]byte(token))
	if err := s.PayLinks.RecordViewed(r.Context(), v.Invoice, "pay_link", hex.EncodeToString(viewer[:8])); err != nil {
		// The client still sees their invoice; the activity log misses one view.
		s.Log.WarnContext(r.Context(), "record viewed", slog.String("org", o.ID), slog.String("invoice", v.ID), slog.String("error", err.Error()))
	}
	pv := payView{Invoice: viewOf(v.Invoice, v.Overdue, o.Settings), Token: token, OrgID: o.ID, NDIAManaged: v.NDIAManaged}
	if q, err := billing.CardQuote(v, o); err == nil {
		cur := q.Currency
		pv.Pay = &cardOffer{Balance: cur.Display(q.Balance), Total: cur.Display(q.Total())}
		if q.Fee.IsPositive() {
			pv.Pay.Fee = cur.Display(q.Fee)
		}
	}
	switch c := r.URL.Query().Get("checkout"); c {
	case "success", "cancelled":
		pv.Checkout = c
	}
	title := pv.Invoice.Kind
	if pv.Invoice.Number != "" {
		title += " " + pv.Invoice.Number
	}
	s.render(w, r, http.StatusOK, title, o, payPage(pv))
}

// payPDF downloads the invoice behind a pay link.
func (s *server) payPDF(w http.ResponseWriter, r *http.Request) {
	v, o, err := s.PayLinks.OpenPayLink(r.Context(), r.PathValue("token"))
	if errors.Is(err, paylink.ErrInvalid) {
		s.notFound(w, r, nil)
		return
	}
	if err != nil {
		s.failPage(w, r, nil, err)
		return
	}
	body, inv, err := s.PDF(r.Context(), o.ID, v.ID)
	if err != nil {
		s.failPage(w, r, o, err)
		return
	}
	writePDF(w, inv.Number+".pdf", body)
}

// writePDF answers with a PDF to download as name.
func writePDF(w http.ResponseWriter, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
