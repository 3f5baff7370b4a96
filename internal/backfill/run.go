package backfill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/shopspring/decimal"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/ledger"
	"github.com/carebill/carebill/internal/member"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/org"
)

// Legacy is a client whose ledger the backfill has yet to write (no
// ledger at all) or to finish (InProgress: an earlier run stopped).
type Legacy struct {
	Client     *client.Client
	InProgress bool
}

// Store is what the backfill reads and writes (internal/dynamo
// implements it).
type Store interface {
	// LegacyClients pages every org's clients that have no ledger, or a
	// backfill in progress; "" starts, and a returned "" means done.
	LegacyClients(ctx context.Context, cursor string) ([]Legacy, string, error)
	ClientDocuments(ctx context.Context, orgID, clientID string) (Documents, error)
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	AllLedgerEntries(ctx context.Context, orgID, clientID string) ([]ledger.Entry, error)
	// PostBackfill writes entries (already numbered and balanced) to c's
	// ledger in one transaction with the client's materialized balances
	// (acct, cur), conditioned on the client's ledger sequence being
	// c.Account.Seq (absent for 0) and, after the first, on the backfill
	// being in progress; last marks the backfill done.
	PostBackfill(ctx context.Context, c *client.Client, entries []ledger.Entry, acct ledger.Account, cur money.Currency, last bool) error
	// SetCreditApplied records an old invoice's applied client credit
	// where the ledger's code keeps it, unless it is already recorded.
	SetCreditApplied(ctx context.Context, orgID, invoiceID string, amount decimal.Decimal) error
	AddMember(ctx context.Context, m member.Member) error
}

// ErrRaced is a backfill write that found the client changed since it was
// read: someone else posted to its ledger (or another run is going).
var ErrRaced = errors.New("the client changed while the backfill wrote it")

// Verify recomputes a client's ledger against its kept balances
// (billing.Accounts.Verify) and returns what disagrees.
type Verify func(ctx context.Context, orgID, clientID string) ([]string, error)

// User is a person in the user pool: the org their account belongs to
// and their role there (the group they are in).
type User struct {
	ID        string // the Cognito sub
	Email     string
	OrgID     string
	Role      auth.Role
	CreatedAt time.Time
}

// Directory lists every user of the pool (internal/cognito).
type Directory interface {
	Users(ctx context.Context, each func(User) error) error
}

// ChunkSize is the most entries one transaction writes (DynamoDB allows
// 100 items per transaction; one is the client).
const ChunkSize = 90

// Runner runs the backfill.
type Runner struct {
	store  Store
	verify Verify
	log    *slog.Logger
	chunk  int
}

// New builds a runner; chunk is the entries per transaction (ChunkSize
// when 0).
func New(store Store, verify Verify, log *slog.Logger, chunk int) (*Runner, error) {
	if store == nil || verify == nil || log == nil {
		return nil, errors.New("backfill: store, verifier and logger are required")
	}
	if chunk <= 0 || chunk > ChunkSize {
		chunk = ChunkSize
	}
	return &Runner{store: store, verify: verify, log: log, chunk: chunk}, nil
}

// Report counts what a run did.
type Report struct {
	Clients      int      // ledgers written (or finished) and verified
	Entries      int      // entries written
	Invoices     int      // invoices whose applied credit was recorded
	Members      int      // member records written
	MembersKnown int      // users who already had theirs
	Mixed        []string // clients with documents in more than one currency
	// Corrected are clients whose kept owing or credit disagreed with
	// their documents (the old deltas lost or doubled money) and now
	// show what the documents say.
	Corrected     []string
	NeedAttention []string // clients not backfilled, and why
}

// Ledgers writes the ledger of every client that has none, and finishes
// any an earlier run left half written; each client is then verified.
// A client it cannot backfill is reported, not guessed at; the run goes
// on with the others. An error is returned only for a failure of the
// store (a rerun resumes).
func (r *Runner) Ledgers(ctx context.Context) (Report, error) {
	var rep Report
	cursor := ""
	for {
		page, next, err := r.store.LegacyClients(ctx, cursor)
		if err != nil {
			return rep, fmt.Errorf("backfill ledgers: %w", err)
		}
		for _, l := range page {
			if err := r.client(ctx, l, &rep); err != nil {
				var attention *attentionError
				if !errors.As(err, &attention) {
					return rep, fmt.Errorf("backfill ledger of %s: %w", l.Client.ID, err)
				}
				msg := fmt.Sprintf("%s/%s: %s", l.Client.OrgID, l.Client.ID, attention.why)
				rep.NeedAttention = append(rep.NeedAttention, msg)
				r.log.WarnContext(ctx, "client not backfilled", slog.String("org", l.Client.OrgID), slog.String("client", l.Client.ID), slog.String("why", attention.why))
			}
		}
		if next == "" {
			return rep, nil
		}
		cursor = next
	}
}

// attentionError is a client the backfill leaves to a person.
type attentionError struct{ why string }

func (e *attentionError) Error() string { return e.why }

func needsAttention(format string, a ...any) error {
	return &attentionError{why: fmt.Sprintf(format, a...)}
}

func (r *Runner) client(ctx context.Context, l Legacy, rep *Report) error {
	c := l.Client
	docs, err := r.store.ClientDocuments(ctx, c.OrgID, c.ID)
	if err != nil {
		return err
	}
	plan, err := Build(c.OrgID, c.ID, docs)
	if err != nil {
		return needsAttention("%v", err)
	}
	o, err := r.store.GetOrg(ctx, c.OrgID)
	if err != nil {
		return err
	}
	entries, acct, err := Post(plan, o.Location())
	if err != nil {
		return needsAttention("%v", err)
	}
	cur := c.Profile.Currency
	if len(plan.Currencies) > 0 {
		cur = plan.Currencies[0]
	}
	if cur.IsZero() {
		cur = o.Settings.Currency
	}
	if len(plan.Currencies) > 1 {
		rep.Mixed = append(rep.Mixed, c.OrgID+"/"+c.ID)
	}

	// An earlier run wrote the first Seq entries: they must be this
	// plan's, or something else has posted to the client since.
	done := int(c.Account.Seq)
	if l.InProgress {
		have, err := r.store.AllLedgerEntries(ctx, c.OrgID, c.ID)
		if err != nil {
			return err
		}
		if len(have) != done || done > len(entries) {
			return needsAttention("an interrupted backfill left %d entries where the client counts %d", len(have), done)
		}
		for i, e := range have {
			if !sameMovement(e, entries[i]) {
				return needsAttention("entry %d is %s of %s, where the backfill would write %s of %s", e.Seq, e.Kind, e.DocumentID, entries[i].Kind, entries[i].DocumentID)
			}
		}
	}
	for id, amount := range plan.CreditApplied {
		if !amount.IsPositive() {
			continue
		}
		if err := r.store.SetCreditApplied(ctx, c.OrgID, id, amount); err != nil {
			return err
		}
		rep.Invoices++
	}
	if len(entries) == 0 {
		// Nothing ever moved: the client is marked done, so it is not
		// read again; its ledger is left to the ledger's code.
		if err := r.store.PostBackfill(ctx, c, nil, acct, cur, true); errors.Is(err, ErrRaced) {
			return needsAttention("%v", err)
		} else if err != nil {
			return err
		}
	}
	if fin := acct.Balances[cur]; !l.InProgress && (!fin.Owing.Equal(c.Balance.Owing) || !fin.Credit.Equal(c.Balance.Credit)) {
		rep.Corrected = append(rep.Corrected, fmt.Sprintf("%s/%s: owing %s → %s, credit %s → %s", c.OrgID, c.ID,
			c.Balance.Owing, fin.Owing, c.Balance.Credit, fin.Credit))
	}
	for from := done; from < len(entries); from += r.chunk {
		to := min(from+r.chunk, len(entries))
		part := partial(acct, entries, to)
		if err := r.store.PostBackfill(ctx, c, entries[from:to], part, cur, to == len(entries)); errors.Is(err, ErrRaced) {
			return needsAttention("%v", err)
		} else if err != nil {
			return err
		}
		c.Account.Seq = int64(to)
		rep.Entries += to - from
	}
	problems, err := r.verify(ctx, c.OrgID, c.ID)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return needsAttention("verify after backfill: %v", problems)
	}
	rep.Clients++
	return nil
}

// partial is the account after the first n entries: the balances those
// entries' running totals imply, per currency.
func partial(final ledger.Account, entries []ledger.Entry, n int) ledger.Account {
	if n == len(entries) {
		return final
	}
	sums, _ := ledger.Recompute(entries[:n])
	return ledger.Account{Seq: int64(n), Date: entries[n-1].Date, Balances: sums}
}

// sameMovement reports whether a stored entry is the one the plan has in
// its place.
func sameMovement(a, b ledger.Entry) bool {
	return a.Seq == b.Seq && a.Kind == b.Kind && a.DocumentID == b.DocumentID && a.Currency == b.Currency &&
		a.Owing.Equal(b.Owing) && a.Credit.Equal(b.Credit) && a.Balance.Equal(b.Balance)
}

// Members writes a member record for every user in the directory whose
// org has none for them, with the most privileged role among their
// groups, as tokens were read before member records. A user with no org
// or no role group could not sign in then and gets none: reported.
func (r *Runner) Members(ctx context.Context, dir Directory, now time.Time) (Report, error) {
	var rep Report
	err := dir.Users(ctx, func(u User) error {
		role := u.Role
		if u.OrgID == "" || !role.Valid() {
			rep.NeedAttention = append(rep.NeedAttention, fmt.Sprintf("user %s (%s): no org or no role group; no member record written", u.ID, u.Email))
			return nil
		}
		created := u.CreatedAt
		if created.IsZero() {
			created = now
		}
		err := r.store.AddMember(ctx, member.Member{OrgID: u.OrgID, UserID: u.ID, Email: u.Email, Role: role, CreatedAt: created})
		switch {
		case errors.Is(err, member.ErrExists):
			rep.MembersKnown++
		case err != nil:
			return fmt.Errorf("member %s of %s: %w", u.ID, u.OrgID, err)
		default:
			rep.Members++
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("backfill members: %w", err)
	}
	return rep, nil
}
