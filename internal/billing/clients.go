package billing

import (
	"context"

	"github.com/carebill/carebill/internal/auth"
	"github.com/carebill/carebill/internal/client"
)

func (s *Service) contactID() string { return s.newID("con", s.now()) }

// CreateClient adds a billing account.
func (s *Service) CreateClient(ctx context.Context, p auth.Principal, prof client.Profile) (*client.Client, error) {
	if err := require(p, auth.RoleCoordinator); err != nil {
		return nil, err
	}
	now := s.now()
	c, err := client.New(s.newID("cli", now), p.OrgID, prof, s.contactID, now)
	if err != nil {
		return nil, err
	}
	if err := s.store.CreateClient(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Client returns one of the org's clients.
func (s *Service) Client(ctx context.Context, p auth.Principal, id string) (*client.Client, error) {
	return s.store.GetClient(ctx, p.OrgID, id)
}

// UpdateClient edits a client's profile.
func (s *Service) UpdateClient(ctx context.Context, p auth.Principal, id string, edit func(*client.Profile) error) (*client.Client, error) {
	if err := require(p, auth.RoleCoordinator); err != nil {
		return nil, err
	}
	return s.store.UpdateClient(ctx, p.OrgID, id, func(c *client.Client) error {
		prof := c.Profile
		prof.Contacts = append([]client.Contact(nil), prof.Contacts...)
		if err := edit(&prof); err != nil {
			return err
		}
		return c.Update(prof, s.contactID, s.now())
	})
}

// Clients lists the org's clients by name.
func (s *Service) Clients(ctx context.Context, p auth.Principal, search string, limit int, cursor string) ([]*client.Client, string, error) {
	return s.store.ListClients(ctx, p.OrgID, search, limit, cursor)
}
