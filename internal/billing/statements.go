package billing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/calendar"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/id"
	"github.com/carebill/carebill/internal/org"
	"github.com/carebill/carebill/internal/statement"
	"github.com/carebill/carebill/internal/usecase"
)

// StatementStore is the storage statements need beyond closing cycles.
type StatementStore interface {
	GetStatement(ctx context.Context, orgID, id string) (*statement.Statement, error)
	ListStatements(ctx context.Context, orgID, clientID, cycleID string, limit int, cursor string) ([]*statement.Statement, string, error)
	DeleteStatement(ctx context.Context, orgID, id string, events []activity.Event) (*statement.Statement, error)
	StatementSource(ctx context.Context, c *client.Client, from, to calendar.Date) (statement.Source, error)
	AddCycleStatements(ctx context.Context, orgID, cycleID string, n int) error
	GetOrg(ctx context.Context, id string) (*org.Org, error)
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
}

// ErrNotAClosedCycle is returned when statements are regenerated for a
// cycle that has not closed.
var ErrNotAClosedCycle = errors.New("statements are regenerated only for a closed billing cycle")

// Statements lists, prints, deletes and regenerates statements, and builds
// statements on demand (activity over any range, outstanding as at any
// date).
type Statements struct {
	svc    *Service
	store  StatementStore
	cycles *Cycles
}

// NewStatements builds the statement use cases.
func NewStatements(svc *Service, store StatementStore, cycles *Cycles) (*Statements, error) {
	if svc == nil || store == nil || cycles == nil {
		return nil, errors.New("billing: statements need the service, a store and the cycles")
	}
	return &Statements{svc: svc, store: store, cycles: cycles}, nil
}

// List lists statements newest first: a client's, a cycle's, or the org's.
func (s *Statements) List(ctx context.Context, p auth.Principal, clientID, cycleID string, limit int, cursor string) (_ []*statement.Statement, _ string, err error) {
	defer usecase.Name(&err, "list statements %s", clientID)
	if clientID != "" {
		if _, err := s.store.GetClient(ctx, p.OrgID, clientID); err != nil {
			return nil, "", err
		}
	}
	return s.store.ListStatements(ctx, p.OrgID, clientID, cycleID, limit, cursor)
}

// Get reads one statement.
func (s *Statements) Get(ctx context.Context, p auth.Principal, id string) (_ *statement.Statement, err error) {
	defer usecase.Name(&err, "statement %s", id)
	return s.store.GetStatement(ctx, p.OrgID, id)
}

// Delete removes a cycle's statement for its client (admins only): what
// it locked is unlocked and the cycle reopens for that client, so a
// correction can be dated in it; regenerating closes it again. The role
// is checked before the id: a member who may not delete is refused
// (auth.ErrForbidden) whatever id they name; a malformed id is
// statement.ErrNotFound.
func (s *Statements) Delete(ctx context.Context, p auth.Principal, sid string) (err error) {
	defer usecase.Name(&err, "delete statement %s", sid)
	if err := allow(p, auth.Unlock); err != nil {
		return err
	}
	if !id.Valid(id.Statement, sid) {
		return statement.ErrNotFound
	}
	st, err := s.store.GetStatement(ctx, p.OrgID, sid)
	if err != nil {
		return err
	}
	c, err := s.store.GetClient(ctx, p.OrgID, st.ClientID)
	if err != nil {
		return err
	}
	e := s.svc.event(p, activity.StatementDeleted)
	e.ClientID, e.ClientName = c.ID, c.Profile.Name
	e.Detail = fmt.Sprintf("%s to %s", st.From, st.To)
	if _, err := s.store.DeleteStatement(ctx, p.OrgID, sid, []activity.Event{e}); err != nil {
		return fmt.Errorf("delete statement %s: %w", sid, err)
	}
	return nil
}

// Regenerate writes the statements a closed cycle is missing: those of
// clients whose statement was deleted. It answers how many it wrote.
func (s *Statements) Regenerate(ctx context.Context, p auth.Principal, cycleID string) (_ int, err error) {
	defer usecase.Name(&err, "regenerate statements %s", cycleID)
	if err := allow(p, auth.ChangeSettings); err != nil {
		return 0, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return 0, err
	}
	per, ok := findCycle(o, cycleID)
	if !ok {
		return 0, ErrCycleNotFound
	}
	if o.ClosedThrough.IsZero() || per.End.After(o.ClosedThrough) {
		return 0, ErrNotAClosedCycle
	}
	written, cursor := 0, ""
	for {
		clients, next, err := s.store.ListClients(ctx, p.OrgID, "", 100, cursor)
		if err != nil {
			return written, err
		}
		for _, c := range clients {
			if !slices.Contains(c.Reopened, cycleID) {
				continue
			}
			// A regenerated statement is not sent at close: whoever
			// regenerates it sends it when it is right.
			_, ok, err := s.cycles.store.CycleStatement(ctx, c, per, func(src statement.Source) (*statement.Issue, bool, error) {
				return s.cycles.cycleStatement(o, c, per, src)
			})
			if err != nil {
				return written, fmt.Errorf("regenerate statements of %s: %w", cycleID, err)
			}
			if ok {
				written++
			}
		}
		if next == "" {
			if written == 0 {
				return 0, nil
			}
			return written, s.store.AddCycleStatements(ctx, p.OrgID, cycleID, written)
		}
		cursor = next
	}
}

// OnDemand builds a client's statement without storing it: an activity
// statement from from to to, or an outstanding statement as at to (any
// date, past ones included).
func (s *Statements) OnDemand(ctx context.Context, p auth.Principal, clientID string, kind statement.Kind, from, to calendar.Date) (_ *statement.Statement, err error) {
	defer usecase.Name(&err, "on-demand statement %s", clientID)
	c, err := s.store.GetClient(ctx, p.OrgID, clientID)
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrg(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	if to.IsZero() {
		to = o.Today(s.svc.now())
	}
	if kind == statement.Outstanding {
		from = calendar.Date{}
	} else if from.IsZero() || to.Before(from) {
		return nil, fmt.Errorf("%w: an activity statement needs from ≤ to", statement.ErrInvalid)
	}
	src, err := s.store.StatementSource(ctx, c, from, to)
	if err != nil {
		return nil, err
	}
	open := statement.OpenAsAt(src.Invoices, src.Postings, to)
	opening := src.Opening
	if kind == statement.Outstanding {
		for _, l := range src.Lines {
			opening = opening.Add(l.Amount)
		}
		src.Lines = nil
	}
	st, err := statement.Build(statement.Statement{
		OrgID: o.ID, ClientID: c.ID, Kind: kind, From: from, To: to, Currency: src.Currency, CreatedAt: s.svc.now(),
	}, opening, src.Lines, open, src.Credit)
	if err != nil {
		return nil, fmt.Errorf("statement of %s: %w", clientID, err)
	}
	return &st, nil
}

// ClientStatements lists a client's statements newest first, at most
// limit, for the client portal (no coordinator is signed in).
func (s *Statements) ClientStatements(ctx context.Context, orgID, clientID string, limit int) (_ []*statement.Statement, err error) {
	defer usecase.Name(&err, "client statements %s", clientID)
	sts, _, err := s.store.ListStatements(ctx, orgID, clientID, "", limit, "")
	if err != nil {
		return nil, fmt.Errorf("statements of %s: %w", clientID, err)
	}
	return sts, nil
}
