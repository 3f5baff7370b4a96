package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/usecase"
	"github.com/carebill/carebill/internal/validation"
)

// LedgerStore reads client ledgers (internal/dynamo implements it).
type LedgerStore interface {
	Ledger(ctx context.Context, orgID, clientID string, from, to calendar.Date, limit int, cursor string) (ledger.Page, error)
	AllLedgerEntries(ctx context.Context, orgID, clientID string) ([]ledger.Entry, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
}

// Accounts shows clients' account histories: the ledger every movement of
// money is posted to, and a check that the balances kept on each client
// still equal the sum of its entries.
type Accounts struct {
	svc   *Service
	store LedgerStore
}

// NewAccounts builds the account use cases over the billing service.
func NewAccounts(svc *Service, store LedgerStore) (*Accounts, error) {
	if svc == nil || store == nil {
		return nil, errors.New("billing: accounts need the service and a ledger store")
	}
	return &Accounts{svc: svc, store: store}, nil
}

// Ledger pages a client's ledger posted between from and to (inclusive;
// zero dates leave that end open), oldest first, with the balance before
// the range and at its end. A client of another org is client.ErrNotFound.
func (a *Accounts) Ledger(ctx context.Context, p auth.Principal, clientID string, from, to calendar.Date, limit int, cursor string) (_ ledger.Page, _ money.Currency, err error) {
	defer usecase.Name(&err, "client ledger %s", clientID)
	cv, err := a.svc.Client(ctx, p, clientID)
	if err != nil {
		return ledger.Page{}, money.Currency{}, err
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return ledger.Page{}, money.Currency{}, validation.Errorf("to", "is before from")
	}
	page, err := a.store.Ledger(ctx, p.OrgID, clientID, from, to, limit, cursor)
	if err != nil {
		return ledger.Page{}, money.Currency{}, fmt.Errorf("client ledger: %w", err)
	}
	return page, cv.Currency, nil
}

// Verification compares a client's kept balances with its ledger.
type Verification struct {
	ClientID string
	Entries  int
	Currency money.Currency
	Kept     ledger.Balances // on the client
	Ledger   ledger.Balances // recomputed from the entries
	Problems []string        // empty when the two agree and every running balance is right
}

// Verify recomputes a client's balances from every entry of its ledger
// and reports any drift from the balances kept on the client, any wrong
// running balance and any gap in the sequence. Admins only.
func (a *Accounts) Verify(ctx context.Context, p auth.Principal, clientID string) (_ Verification, err error) {
	defer usecase.Name(&err, "verify ledger %s", clientID)
	if err := allow(p, auth.ChangeSettings); err != nil {
		return Verification{}, err
	}
	c, err := a.store.GetClient(ctx, p.OrgID, clientID)
	if err != nil {
		return Verification{}, err
	}
	entries, err := a.store.AllLedgerEntries(ctx, p.OrgID, clientID)
	if err != nil {
		return Verification{}, fmt.Errorf("verify ledger: %w", err)
	}
	sums, problems := ledger.Recompute(entries)
	cv, err := a.svc.clientView(ctx, c)
	if err != nil {
		return Verification{}, err
	}
	v := Verification{ClientID: clientID, Entries: len(entries), Currency: cv.Currency, Problems: problems}
	v.Kept = ledger.Balances{Owing: c.Balance.Owing, Credit: c.Balance.Credit}
	v.Ledger = sums[cv.Currency]
	if !v.Kept.Owing.Equal(v.Ledger.Owing) || !v.Kept.Credit.Equal(v.Ledger.Credit) {
		v.Problems = append(v.Problems, fmt.Sprintf("the client shows owing %s and credit %s; its ledger sums to owing %s and credit %s",
			cv.Currency.String(v.Kept.Owing), cv.Currency.String(v.Kept.Credit), cv.Currency.String(v.Ledger.Owing), cv.Currency.String(v.Ledger.Credit)))
	}
	if n := int64(len(entries)); n != c.Account.Seq {
		v.Problems = append(v.Problems, fmt.Sprintf("the client counts %d entries; its ledger holds %d", c.Account.Seq, n))
	}
	for cur, b := range sums {
		kept := c.Account.Balances[cur]
		if cur != cv.Currency && (!kept.Owing.Equal(b.Owing) || !kept.Credit.Equal(b.Credit)) {
			v.Problems = append(v.Problems, fmt.Sprintf("%s: kept owing %s credit %s, ledger owing %s credit %s", cur.Code(), kept.Owing, kept.Credit, b.Owing, b.Credit))
		}
	}
	return v, nil
}
