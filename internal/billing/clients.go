package billing

import (
	"context"
	"fmt"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
	"github.com/carebill/carebill/internal/money"
	"github.com/carebill/carebill/internal/usecase"
)

// ClientStore is the storage the client use cases in this file use; it is
// part of Store.
type ClientStore interface {
	CreateClient(ctx context.Context, c *client.Client, events ...activity.Event) error
	GetClient(ctx context.Context, orgID, id string) (*client.Client, error)
	UpdateClient(ctx context.Context, orgID, id string, change func(*client.Client) ([]activity.Event, error)) (*client.Client, error)
	ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error)
}

// ClientView is a client with the currency its balances are in.
type ClientView struct {
	*client.Client
	Currency money.Currency
}

func (s *Service) contactID() string { return s.newID("con", s.now()) }

func (s *Service) clientView(ctx context.Context, c *client.Client) (ClientView, error) {
	e, err := s.orgInfo(ctx, c.OrgID)
	if err != nil {
		return ClientView{}, err
	}
	return ClientView{Client: c, Currency: currencyOf(c, e.currency)}, nil
}

// currencyOf is the currency a client bills in: its own, else the org's.
func currencyOf(c *client.Client, orgCurrency money.Currency) money.Currency {
	if !c.Profile.Currency.IsZero() {
		return c.Profile.Currency
	}
	return orgCurrency
}

// CreateClient adds a billing account.
func (s *Service) CreateClient(ctx context.Context, p auth.Principal, prof client.Profile) (_ ClientView, err error) {
	defer usecase.Name(&err, "create client")
	if err := allow(p, auth.Bill); err != nil {
		return ClientView{}, err
	}
	now := s.now()
	c, err := client.New(s.newID("cli", now), p.OrgID, prof, s.contactID, now)
	if err != nil {
		return ClientView{}, err
	}
	e := s.event(p, activity.ClientCreated)
	e.ClientID, e.ClientName = c.ID, c.Profile.Name
	if err := s.store.CreateClient(ctx, c, e); err != nil {
		return ClientView{}, err
	}
	return s.clientView(ctx, c)
}

// Client returns one of the org's clients.
func (s *Service) Client(ctx context.Context, p auth.Principal, id string) (_ ClientView, err error) {
	defer usecase.Name(&err, "client %s", id)
	c, err := s.store.GetClient(ctx, p.OrgID, id)
	if err != nil {
		return ClientView{}, fmt.Errorf("client %s: %w", id, err)
	}
	return s.clientView(ctx, c)
}

// UpdateClient edits a client's profile.
func (s *Service) UpdateClient(ctx context.Context, p auth.Principal, id string, edit func(*client.Profile) error) (_ ClientView, err error) {
	defer usecase.Name(&err, "update client %s", id)
	if err := allow(p, auth.Bill); err != nil {
		return ClientView{}, err
	}
	c, err := s.store.UpdateClient(ctx, p.OrgID, id, func(c *client.Client) ([]activity.Event, error) {
		prof := c.Profile
		prof.Contacts = append([]client.Contact(nil), prof.Contacts...)
		if err := edit(&prof); err != nil {
			return nil, err
		}
		if err := c.Update(prof, s.contactID, s.now()); err != nil {
			return nil, err
		}
		e := s.event(p, activity.ClientUpdated)
		e.ClientID, e.ClientName = c.ID, c.Profile.Name
		return []activity.Event{e}, nil
	})
	if err != nil {
		return ClientView{}, err
	}
	return s.clientView(ctx, c)
}

// Clients lists the org's clients by name.
func (s *Service) Clients(ctx context.Context, p auth.Principal, search string, limit int, cursor string) (_ []ClientView, _ string, err error) {
	defer usecase.Name(&err, "list clients")
	e, err := s.orgInfo(ctx, p.OrgID)
	if err != nil {
		return nil, "", err
	}
	list, next, err := s.store.ListClients(ctx, p.OrgID, search, limit, cursor)
	if err != nil {
		return nil, "", err
	}
	out := make([]ClientView, len(list))
	for i, c := range list {
		out[i] = ClientView{Client: c, Currency: currencyOf(c, e.currency)}
	}
	return out, next, nil
}
