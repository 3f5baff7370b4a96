package dynamo

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrBadCursor is returned for a cursor this query did not hand out.
var ErrBadCursor = errors.New("invalid cursor")

// Page limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
	maxQueryPages   = 10 // filtered lists read at most this many query pages per request
)

// listQuery is one Query over the table or an index, within one org.
type listQuery struct {
	org     string
	index   string // "" for the table itself
	pk      string // value of the partition key of the table or index
	skCond  string // optional key condition on the sort key, using :sk
	sk      string
	forward bool
	search  string // optional: keep items whose "search" attribute contains this
	filter  string // optional extra filter expression (ANDed with search)
	values  map[string]types.AttributeValue
	names   map[string]string
	limit   int
	cursor  string
}

func (q listQuery) keyNames() (pk, sk string, all []string) {
	switch q.index {
	case indexGSI1:
		return attrGSI1PK, attrGSI1SK, []string{attrPK, attrSK, attrGSI1PK, attrGSI1SK}
	case indexGSI2:
		return attrGSI2PK, attrGSI2SK, []string{attrPK, attrSK, attrGSI2PK, attrGSI2SK}
	}
	return attrPK, attrSK, []string{attrPK, attrSK}
}

// run reads one page of at most q.limit items and the cursor for the next.
func (s *Store) run(ctx context.Context, q listQuery) ([]map[string]types.AttributeValue, string, error) {
	pkName, skName, keyAttrs := q.keyNames()
	if q.limit <= 0 || q.limit > MaxPageSize {
		q.limit = DefaultPageSize
	}
	start, err := decodeCursor(q.cursor, keyAttrs, pkName, q.pk, orgPK(q.org))
	if err != nil {
		return nil, "", err
	}
	names := map[string]string{"#pk": pkName}
	values := map[string]types.AttributeValue{":pk": strAV(q.pk)}
	cond := "#pk = :pk"
	if q.skCond != "" {
		names["#sk"] = skName
		values[":sk"] = strAV(q.sk)
		cond += " AND " + q.skCond
	}
	var filters []string
	if q.search != "" {
		names["#search"] = "search"
		values[":q"] = strAV(searchText(q.search))
		filters = append(filters, "contains(#search, :q)")
	}
	if q.filter != "" {
		filters = append(filters, q.filter)
	}
	for k, v := range q.names {
		names[k] = v
	}
	for k, v := range q.values {
		values[k] = v
	}
	in := &dynamodb.QueryInput{
		TableName: &s.table, KeyConditionExpression: &cond,
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
		ScanIndexForward: aws.Bool(q.forward), Limit: aws.Int32(int32(q.limit)),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	if len(filters) > 0 {
		f := filters[0]
		for _, more := range filters[1:] {
			f += " AND " + more
		}
		in.FilterExpression = &f
	}
	var items []map[string]types.AttributeValue
	for range maxQueryPages {
		in.ExclusiveStartKey = start
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("query %s: %w", q.pk, err)
		}
		items = append(items, res.Items...)
		if len(items) >= q.limit {
			items = items[:q.limit]
			return items, encodeCursor(items[len(items)-1], keyAttrs), nil
		}
		if res.LastEvaluatedKey == nil {
			return items, "", nil
		}
		start = res.LastEvaluatedKey
	}
	return items, encodeCursor(start, keyAttrs), nil
}

func encodeCursor(item map[string]types.AttributeValue, keyAttrs []string) string {
	m := make(map[string]string, len(keyAttrs))
	for _, k := range keyAttrs {
		if v, ok := item[k].(*types.AttributeValueMemberS); ok {
			m[k] = v.Value
		}
	}
	b, _ := json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor turns a cursor back into a start key, refusing any cursor
// whose keys are not this query's or that points into another partition.
func decodeCursor(c string, keyAttrs []string, pkName, pk, tablePK string) (map[string]types.AttributeValue, error) {
	if c == "" {
		return nil, nil
	}
	if len(c) > 2048 {
		return nil, ErrBadCursor
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, ErrBadCursor
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) != len(keyAttrs) {
		return nil, ErrBadCursor
	}
	key := make(map[string]types.AttributeValue, len(m))
	for _, k := range keyAttrs {
		v, ok := m[k]
		if !ok {
			return nil, ErrBadCursor
		}
		key[k] = strAV(v)
	}
	if m[pkName] != pk || m[attrPK] != tablePK {
		return nil, ErrBadCursor
	}
	return key, nil
}
