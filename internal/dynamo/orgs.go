package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/carebill/carebill/internal/org"
)

// CreateOrg stores a new org.
func (s *Store) CreateOrg(ctx context.Context, o *org.Org) error {
	o.Version = 1
	// A new org's NDIS work index is complete from the start (ndiswork.go).
	if err := s.createWith(ctx, o.ID, o.ID, orgToItem(o), nil, s.workReadyPut(o.ID)); err != nil {
		return fmt.Errorf("create org %s: %w", o.ID, err)
	}
	return nil
}

// GetOrg reads an org.
func (s *Store) GetOrg(ctx context.Context, id string) (*org.Org, error) {
	var it orgItem
	found, err := s.get(ctx, orgPK(id), profileSK(), &it)
	if err != nil {
		return nil, fmt.Errorf("get org %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get org %s: %w", id, org.ErrNotFound)
	}
	return it.toOrg()
}

// UpdateOrg applies change to the stored org and writes it back if nobody
// else wrote in between; a lost race re-reads and tries again.
func (s *Store) UpdateOrg(ctx context.Context, id string, change func(*org.Org) error) (*org.Org, error) {
	var o *org.Org
	err := optimistic(ctx, fmt.Errorf("update org %s: %w", id, org.ErrConflict), func() error {
		var err error
		if o, err = s.GetOrg(ctx, id); err != nil {
			return err
		}
		if err := change(o); err != nil {
			return err
		}
		prev := o.Version
		o.Version++
		if err := s.putVersioned(ctx, orgToItem(o), prev); err != nil {
			return fmt.Errorf("update org %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteOrg removes an org's settings; sign-up uses it to undo an org whose
// admin could not be created.
func (s *Store) DeleteOrg(ctx context.Context, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(orgPK(id), profileSK())})
	if err != nil {
		return fmt.Errorf("delete org %s: %w", id, err)
	}
	return nil
}
