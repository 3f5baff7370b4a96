// Package ddbunits estimates DynamoDB's on-demand write request units and
// item sizes from the requests the benchmarks see, so that bench/cycles,
// bench/runs and bench/load count write units one way.
//
// The rules are DynamoDB's: an item's size is the sum of its attribute
// names and values (strings and binaries by length, numbers by about one
// byte per two digits plus one, sets, lists and maps with 3 bytes of
// overhead); a put costs one write unit per KB of the item, rounded up; a
// transaction costs twice that. Updates and deletes are counted as one
// unit, a lower bound for items over 1 KB (the request does not carry the
// stored item's size).
package ddbunits

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Write is the write units a DynamoDB request's input costs: PutItem,
// UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems; 0 for
// anything else.
func Write(params any) int {
	w := 0
	switch p := params.(type) {
	case *dynamodb.PutItemInput:
		w = ItemUnits(p.Item)
	case *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
		w = 1
	case *dynamodb.BatchWriteItemInput:
		for _, reqs := range p.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					w += ItemUnits(r.PutRequest.Item)
				} else {
					w++
				}
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range p.TransactItems {
			if it.Put != nil {
				w += 2 * ItemUnits(it.Put.Item)
			} else {
				w += 2
			}
		}
	}
	return w
}

// ItemUnits is the write units of putting item outside a transaction:
// one per KB of its size, rounded up, at least one.
func ItemUnits(item map[string]types.AttributeValue) int {
	return max((ItemSize(item)+1023)/1024, 1)
}

// ItemSize is item's size in bytes as DynamoDB counts it.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return len(x.Value)/2 + 1
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 3
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 3
		for _, s := range x.Value {
			n += len(s)/2 + 1
		}
		return n
	case *types.AttributeValueMemberBS:
		n := 3
		for _, b := range x.Value {
			n += len(b)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}
