package memstore

import "github.com/carebill/carebill/internal/billing"

// The use cases' storage interfaces this store implements.
var (
	_ billing.Store         = (*Store)(nil)
	_ billing.ReversalStore = (*Store)(nil)
)
