package dynamo

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/activity"
	"github.com/carebill/carebill/internal/client"
)

// CreateClient stores a new client and its events.
func (s *Store) CreateClient(ctx context.Context, c *client.Client, events ...activity.Event) error {
	c.Version = 1
	work, err := s.clientWork(c, false)
	if err == nil {
		err = s.createWith(ctx, c.OrgID, c.ID, clientToItem(c), events, work...)
	}
	if err != nil {
		return fmt.Errorf("create client %s: %w", c.ID, err)
	}
	return nil
}

// GetClient reads a client of org.
func (s *Store) GetClient(ctx context.Context, orgID, id string) (*client.Client, error) {
	var it clientItem
	found, err := s.get(ctx, orgPK(orgID), clientSK(id), &it)
	if err != nil {
		return nil, fmt.Errorf("get client %s: %w", id, err)
	}
	if !found {
		return nil, fmt.Errorf("get client %s: %w", id, client.ErrNotFound)
	}
	return it.toClient()
}

// UpdateClient applies change to a client's profile (and currency) and
// writes them back, conditioned on the version and ledger sequence read;
// balances are untouched.
func (s *Store) UpdateClient(ctx context.Context, orgID, id string, change func(*client.Client) ([]activity.Event, error)) (*client.Client, error) {
	var c *client.Client
	err := optimistic(ctx, fmt.Errorf("update client %s: %w", id, client.ErrConflict), func() error {
		var err error
		if c, err = s.GetClient(ctx, orgID, id); err != nil {
			return err
		}
		wasParticipant := c.Profile.Funding.Type != ""
		events, err := change(c)
		if err != nil {
			return err
		}
		up, err := s.profileUpdate(c)
		if err != nil {
			return fmt.Errorf("update client %s: %w", id, err)
		}
		puts, err := s.eventPuts(events)
		if err != nil {
			return err
		}
		// The NDIS work index copy carries the version being written.
		c.Version++
		work, err := s.clientWork(c, wasParticipant)
		c.Version--
		if err != nil {
			return fmt.Errorf("update client %s: %w", id, err)
		}
		if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			TransactItems: append(append([]types.TransactWriteItem{{Update: up}}, puts...), work...),
		}); err != nil {
			return fmt.Errorf("update client %s: %w", id, err)
		}
		c.Version++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Store) profileUpdate(c *client.Client) (*types.Update, error) {
	av, err := attributevalue.MarshalMap(clientToItem(c))
	if err != nil {
		return nil, err
	}
	names := map[string]string{"#v": "version", "#lseq": "ledgerSeq"}
	values := map[string]types.AttributeValue{":prev": numAV(c.Version), ":one": numAV(1), ":lseq": numAV(c.Account.Seq)}
	var set, remove []string
	for i, a := range clientProfileAttrs {
		n := fmt.Sprintf("#a%d", i)
		names[n] = a
		if v, ok := av[a]; ok {
			values[fmt.Sprintf(":a%d", i)] = v
			set = append(set, fmt.Sprintf("%s = :a%d", n, i))
		} else {
			remove = append(remove, n)
		}
	}
	expr := "SET " + strings.Join(set, ", ") + ", #v = #v + :one"
	if len(remove) > 0 {
		expr += " REMOVE " + strings.Join(remove, ", ")
	}
	return &types.Update{
		TableName: &s.table, Key: key(orgPK(c.OrgID), clientSK(c.ID)),
		UpdateExpression: &expr,
		// The ledger sequence read guards the currency: it may change only
		// while no money has moved (client.SetCurrency).
		ConditionExpression:       aws.String("#v = :prev AND (attribute_not_exists(#lseq) OR #lseq = :lseq)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	}, nil
}

// ListClients lists an org's clients by name; search narrows to clients
// whose name, contacts or NDIS number contain it.
func (s *Store) ListClients(ctx context.Context, orgID, search string, limit int, cursor string) ([]*client.Client, string, error) {
	items, next, err := s.run(ctx, listQuery{
		org: orgID, index: indexGSI1, pk: clientsByNamePK(orgID), forward: true,
		search: search, limit: limit, cursor: cursor,
	})
	if err != nil {
		return nil, "", fmt.Errorf("list clients: %w", err)
	}
	out := make([]*client.Client, 0, len(items))
	for _, av := range items {
		var it clientItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, "", fmt.Errorf("list clients: %w", err)
		}
		c, err := it.toClient()
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
	}
	return out, next, nil
}
