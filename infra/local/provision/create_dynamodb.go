package provision

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// tableWait bounds how long Provision waits for a new table to be ACTIVE.
const tableWait = 2 * time.Minute

func (r *Resources) createTable(ctx context.Context, c *dynamodb.Client, tb Table) error {
	name := r.Prefix + tb.LogicalID
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingMode(tb.BillingMode),
		KeySchema:   keyElements(tb.HashKey, tb.RangeKey),
	}
	// DynamoDB rejects definitions of attributes no key uses, so define only key attributes.
	seen := map[string]bool{}
	define := func(ks ...KeyAttr) {
		for _, k := range ks {
			if k.Name != "" && !seen[k.Name] {
				seen[k.Name] = true
				in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
					AttributeName: aws.String(k.Name), AttributeType: types.ScalarAttributeType(k.Type),
				})
			}
		}
	}
	define(tb.HashKey, tb.RangeKey)
	if tb.BillingMode == "PROVISIONED" {
		in.ProvisionedThroughput = capacity(tb.ReadCapacity, tb.WriteCapacity)
	}
	for _, ix := range tb.GSIs {
		define(ix.HashKey, ix.RangeKey)
		g := types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keyElements(ix.HashKey, ix.RangeKey),
			Projection: projection(ix),
		}
		if tb.BillingMode == "PROVISIONED" {
			g.ProvisionedThroughput = capacity(ix.ReadCapacity, ix.WriteCapacity)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, g)
	}
	for _, ix := range tb.LSIs {
		define(ix.HashKey, ix.RangeKey)
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(ix.Name),
			KeySchema:  keyElements(ix.HashKey, ix.RangeKey),
			Projection: projection(ix),
		})
	}
	if tb.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(tb.StreamViewType),
		}
	}

	out, err := c.CreateTable(ctx, in)
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe existing table %s: %w", name, err)
		}
		r.IDs[tb.LogicalID], r.ARNs[tb.LogicalID] = name, aws.ToString(desc.Table.TableArn)
		return nil
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	r.IDs[tb.LogicalID], r.ARNs[tb.LogicalID] = name, aws.ToString(out.TableDescription.TableArn)

	waiter := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
	})
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, tableWait); err != nil {
		return fmt.Errorf("wait for table %s: %w", name, err)
	}
	if tb.TTLAttribute != "" {
		_, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(tb.TTLAttribute), Enabled: aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("enable TTL on %s: %w", name, err)
		}
	}
	return nil
}

func keyElements(hash, rng KeyAttr) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash.Name), KeyType: types.KeyTypeHash}}
	if rng.Name != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng.Name), KeyType: types.KeyTypeRange})
	}
	return ks
}

func projection(ix Index) *types.Projection {
	p := &types.Projection{ProjectionType: types.ProjectionType(ix.Projection)}
	if len(ix.NonKeyAttributes) > 0 {
		p.NonKeyAttributes = ix.NonKeyAttributes
	}
	return p
}

func capacity(read, write int64) *types.ProvisionedThroughput {
	return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(read), WriteCapacityUnits: aws.Int64(write)}
}
