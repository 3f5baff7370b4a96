package httpapi

import (
	"context"
	"net/http"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/delivery"
)

// deliveryPager pages the deliveries of one document (an invoice, a
// receipt's payment, a statement), newest first.
type deliveryPager func(ctx context.Context, p auth.Principal, docID string, limit int, cursor string) ([]*delivery.Delivery, string, error)

// writeDeliveries serves GET …/{id}/deliveries for the document docID
// (its id already checked): one page (?limit, ?cursor) of its deliveries,
// each shown by show.
func writeDeliveries[T any](s *server, w http.ResponseWriter, r *http.Request, docID string, page deliveryPager, show func(*delivery.Delivery) T) {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, next, err := page(r.Context(), principal(r.Context()), docID, limit, q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[T]{Data: showDeliveries(ds, show), NextCursor: next})
}

// showDeliveries is ds as show presents each one; never nil, so an empty
// list encodes as [].
func showDeliveries[T any](ds []*delivery.Delivery, show func(*delivery.Delivery) T) []T {
	out := make([]T, 0, len(ds))
	for _, d := range ds {
		out = append(out, show(d))
	}
	return out
}
