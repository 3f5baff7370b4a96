package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/delivery"
	"github.com/carebill/carebill/internal/idempotency"
)

// replayed is the answer a keyed POST would have given, rebuilt for a
// retry whose earlier execution committed and lost its reply
// (idempotency.AppliedError): the route's success status, its Location
// and its body.
type replayed struct {
	status   int
	location string
	body     any
}

// rebuild reads what a route's earlier execution made (ae.Ref, ae.Made)
// through the same use case its GET route reads, so the body has the
// shape of the route's success answer. It is the resource's state now,
// not the bytes first sent: a client edited since the crash is shown as
// edited; the status is the route's own.
type rebuild func(s *server, ctx context.Context, p auth.Principal, r *http.Request, ae *idempotency.AppliedError) (replayed, error)

// replays says, for each POST route whose write carries the request's
// marker (requestTies), how its retry after a lost reply is answered:
// the original success, marked with idempotency.ReplayedHeader, as
// Stripe answers a replayed key. Routes left out keep 409
// request_already_applied with error.id naming what the first run made
// (notReplayed says why; TestEveryMarkedRouteReplays keeps the two
// complete). POST /v1/payments needs neither: a payment is keyed to its
// request (PAYREQUEST#) and its retry answers the payment itself.
var replays = map[string]rebuild{
	"POST /v1/clients": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.billing.Client(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/clients/" + ae.Ref, clientJSON(v)}, nil
	},
	"POST /v1/invoices":              replayInvoice(http.StatusCreated, true),
	"POST /v1/invoices/{id}/reissue": replayInvoice(http.StatusCreated, false),
	"POST /v1/invoices/{id}/send":    replaySend,
	"POST /v1/invoices/{id}/resend":  replaySend,
	"POST /v1/credit-notes": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		n, err := s.billing.CreditNote(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/credit-notes/" + ae.Ref, creditJSON(n)}, nil
	},
	"POST /v1/invoices/{id}/apply-credit":   replayInvoice(http.StatusOK, false),
	"POST /v1/invoices/{id}/unapply-credit": replayInvoice(http.StatusOK, false),
	"POST /v1/payments/{id}/refund":         replayPayment,
	"POST /v1/payments/{id}/reverse":        replayPayment,
	"POST /v1/payments/{id}/email-receipt": func(s *server, ctx context.Context, p auth.Principal, r *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		ds, err := made(ctx, p, r.PathValue("id"), s.receipts.Deliveries, []string{ae.Ref})
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusAccepted, "", deliveryJSON(ds[0])}, nil
	},
	"POST /v1/clients/{id}/recurring-charges": func(s *server, ctx context.Context, p auth.Principal, r *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		c, err := s.recurring.Charge(ctx, p, r.PathValue("id"), ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/clients/" + r.PathValue("id") + "/recurring-charges/" + ae.Ref, chargeJSON(c)}, nil
	},
	"POST /v1/invoice-runs": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.runs.Run(ctx, p, ae.Ref, 1, "")
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusAccepted, "/v1/invoice-runs/" + ae.Ref, toRunJSON(v.Run)}, nil
	},
	"POST /v1/statements/{id}/send": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		st, err := s.statements.Get(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		ds, err := made(ctx, p, ae.Ref, s.statementSender.Deliveries, ae.Made)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusOK, "", statementSentResponse{Statement: statementJSON(st), Deliveries: showDeliveries(ds, statementDeliveryJSON)}}, nil
	},
	"POST /v1/tasks": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.coordination.Task(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/tasks/" + ae.Ref, taskJSON(v)}, nil
	},
	"POST /v1/sessions": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.sessions.Session(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/sessions/" + ae.Ref, sessionJSON(v)}, nil
	},
	"POST /v1/cases": func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.cases.Case(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		return replayed{http.StatusCreated, "/v1/cases/" + ae.Ref, caseJSON(p, v)}, nil
	},
}

// notReplayed are the marked POST routes whose retry after a lost reply
// keeps 409 request_already_applied (error.id names what the first run
// made), and why their answer cannot be rebuilt from what is stored.
var notReplayed = map[string]string{
	"POST /v1/invoice-runs/{id}/reclaims": "answers the run's fix list computed by that request, not a stored resource",
}

// replayInvoice answers with the invoice the marker names (a new draft,
// a reissue's correcting draft, or the invoice credit was applied to),
// as GET /v1/invoices/{id} reads it; location says whether the route
// answers a Location.
func replayInvoice(status int, location bool) rebuild {
	return func(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
		v, err := s.billing.Invoice(ctx, p, ae.Ref)
		if err != nil {
			return replayed{}, err
		}
		out := replayed{status: status, body: invoiceJSON(p, v)}
		if location {
			out.location = "/v1/invoices/" + ae.Ref
		}
		return out, nil
	}
}

// replaySend answers a send or resend with the invoice and the
// deliveries the first run made (the marker's Made), as they are now:
// the retry has queued any the first run stored and never queued
// (billing.Sender; a statement send and a receipt email do the same),
// so each may have moved on from queued.
func replaySend(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
	v, err := s.billing.Invoice(ctx, p, ae.Ref)
	if err != nil {
		return replayed{}, err
	}
	ds, err := made(ctx, p, ae.Ref, s.sender.Deliveries, ae.Made)
	if err != nil {
		return replayed{}, err
	}
	return replayed{http.StatusOK, "", sentResponse{invoiceResponse: invoiceJSON(p, v), Deliveries: showDeliveries(ds, deliveryJSON)}}, nil
}

// replayPayment answers a refund or reversal with the payment, as GET
// /v1/payments/{id} reads it.
func replayPayment(s *server, ctx context.Context, p auth.Principal, _ *http.Request, ae *idempotency.AppliedError) (replayed, error) {
	v, err := s.billing.Payment(ctx, p, ae.Ref)
	if err != nil {
		return replayed{}, err
	}
	return replayed{http.StatusOK, "", paymentJSON(p, v)}, nil
}

// errNotMade says a delivery a marker names is not among its document's.
var errNotMade = errors.New("a delivery the request made is missing")

// made reads the deliveries named ids among docID's, through the page
// its GET …/deliveries route reads, newest first. A request makes at
// most a channel's worth, and they are the newest unless sends followed,
// so the first pages hold them.
func made(ctx context.Context, p auth.Principal, docID string, page deliveryPager, ids []string) ([]*delivery.Delivery, error) {
	var out []*delivery.Delivery
	cursor := ""
	for range 4 {
		ds, next, err := page(ctx, p, docID, 100, cursor)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			if slices.Contains(ids, d.ID) {
				out = append(out, d)
			}
		}
		if len(out) == len(ids) || next == "" {
			break
		}
		cursor = next
	}
	if len(out) != len(ids) || len(ids) == 0 {
		return nil, errNotMade
	}
	return out, nil
}

// AppliedRequests finds the marker an earlier execution of the keyed
// request a context serves left in an org (internal/dynamo's Store):
// RequestApplied returns *idempotency.AppliedError naming what it made,
// or nil when there is none.
type AppliedRequests interface {
	RequestApplied(ctx context.Context, orgID string) error
}

// appliedEarlier is what err says of r's earlier execution: err itself
// when the write met that execution's marker; for any other failure of a
// marked route, the marker read by s.requests, since the first
// execution's write may have made a check of the retry fail before it
// reached its own write (a reversed payment is not reversed again, the
// credit applied is gone). nil when neither names one.
func (s *server) appliedEarlier(r *http.Request, err error) *idempotency.AppliedError {
	if ae := (*idempotency.AppliedError)(nil); errors.As(err, &ae) {
		return ae
	}
	_, replayable := replays[r.Pattern]
	_, kept := notReplayed[r.Pattern]
	if s.requests == nil || !(replayable || kept) || idempotency.RequestFrom(r.Context()) == nil {
		return nil
	}
	merr := s.requests.RequestApplied(r.Context(), principal(r.Context()).OrgID)
	if ae := (*idempotency.AppliedError)(nil); errors.As(merr, &ae) {
		return ae
	}
	if merr != nil {
		s.log.WarnContext(r.Context(), "idempotency: read the request's marker after a refusal", slog.String("error", merr.Error()))
	}
	return nil
}

// replayApplied answers r, a retry that met its earlier execution's
// marker, with that execution's success when its route has a rebuild,
// and reports whether it did. A rebuild that fails (the thing was
// deleted since, or a read failed) is logged and leaves the 409.
func (s *server) replayApplied(w http.ResponseWriter, r *http.Request, ae *idempotency.AppliedError) bool {
	rb, ok := replays[r.Pattern]
	if !ok {
		return false
	}
	out, err := rb(s, r.Context(), principal(r.Context()), r, ae)
	if err != nil {
		s.log.WarnContext(r.Context(), "idempotency: cannot rebuild the answer of a request that took effect earlier; answering 409",
			slog.String("ref", ae.Ref), slog.String("error", err.Error()))
		return false
	}
	if out.location != "" {
		w.Header().Set("Location", out.location)
	}
	w.Header().Set(idempotency.ReplayedHeader, "true")
	writeJSON(w, out.status, out.body)
	return true
}
