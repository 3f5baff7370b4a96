package motoserver

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Both ways of serving moto roll a cancelled transaction back exactly:
// the item it updated, the one it deleted and the one it put are as they
// were, and an item it did not name is untouched; a transaction that
// succeeds applies. indexed.py's Query answers the same as moto's own.
func TestTransactionsRollBackAndQueriesAnswer(t *testing.T) {
	for name, start := range map[string]func(int) (*Server, error){"serial": Start, "indexed": StartIndexed} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := startDB(t, start)
			put := func(sk, v, gsi string) {
				t.Helper()
				item := map[string]types.AttributeValue{"PK": s("ORG#1"), "SK": s(sk), "v": s(v)}
				if gsi != "" {
					item["GSI1PK"], item["GSI1SK"] = s(gsi), s(sk)
				}
				if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}); err != nil {
					t.Fatal(err)
				}
			}
			put("INV#2", "two", "CLIENT#a")
			put("INV#1", "one", "CLIENT#a")
			put("PAY#1", "paid", "")
			put("INV#3", "three", "CLIENT#b")

			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Update: &types.Update{TableName: aws.String("t"), Key: key("INV#1"), UpdateExpression: aws.String("SET v = :v"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("changed")}}},
				{Delete: &types.Delete{TableName: aws.String("t"), Key: key("INV#2")}},
				{Put: &types.Put{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"PK": s("ORG#1"), "SK": s("INV#4"), "v": s("new"),
					"GSI1PK": s("CLIENT#a"), "GSI1SK": s("INV#4")}}},
				{ConditionCheck: &types.ConditionCheck{TableName: aws.String("t"), Key: key("INV#9"), ConditionExpression: aws.String("attribute_exists(PK)")}},
			}})
			var cancelled *types.TransactionCanceledException
			if !errors.As(err, &cancelled) {
				t.Fatalf("transaction with a failing condition: %v, want cancelled", err)
			}
			if got := query(t, db, "PK = :pk AND begins_with(SK, :sk)", nil, "ORG#1", "INV#"); !slices.Equal(got, []string{"INV#1=one", "INV#2=two", "INV#3=three"}) {
				t.Fatalf("after the cancelled transaction: %v", got)
			}
			if got := query(t, db, "GSI1PK = :pk", aws.String("GSI1"), "CLIENT#a"); !slices.Equal(got, []string{"INV#1=one", "INV#2=two"}) {
				t.Fatalf("index after the cancelled transaction: %v", got)
			}

			if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Delete: &types.Delete{TableName: aws.String("t"), Key: key("INV#2")}},
				{Put: &types.Put{TableName: aws.String("t"), Item: map[string]types.AttributeValue{"PK": s("ORG#1"), "SK": s("INV#0"), "v": s("zero")}}},
			}}); err != nil {
				t.Fatal(err)
			}
			if got := query(t, db, "PK = :pk AND begins_with(SK, :sk)", nil, "ORG#1", "INV#"); !slices.Equal(got, []string{"INV#0=zero", "INV#1=one", "INV#3=three"}) {
				t.Fatalf("after the transaction: %v", got)
			}
			if got := query(t, db, "PK = :pk AND SK = :sk", nil, "ORG#1", "PAY#1"); !slices.Equal(got, []string{"PAY#1=paid"}) {
				t.Fatalf("the item no transaction named: %v", got)
			}
			if got := query(t, db, "PK = :pk AND SK BETWEEN :sk AND :hi", nil, "ORG#1", "INV#1", "INV#3"); !slices.Equal(got, []string{"INV#1=one", "INV#3=three"}) {
				t.Fatalf("between: %v", got)
			}
		})
	}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s("ORG#1"), "SK": s(sk)}
}

// query answers "SK=v" for each item, in the order the Query gives them;
// values are :pk, :sk and :hi in turn.
func query(t *testing.T, db *dynamodb.Client, cond string, index *string, values ...string) []string {
	t.Helper()
	vals := map[string]types.AttributeValue{}
	for i, v := range values {
		vals[[]string{":pk", ":sk", ":hi"}[i]] = s(v)
	}
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String("t"), IndexName: index,
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: vals})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range out.Items {
		got = append(got, it["SK"].(*types.AttributeValueMemberS).Value+"="+it["v"].(*types.AttributeValueMemberS).Value)
	}
	return got
}

func startDB(t *testing.T, start func(int) (*Server, error)) *dynamodb.Client {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	srv, err := start(port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("ap-southeast-2"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")), config.WithBaseEndpoint(srv.Endpoint))
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	str := types.ScalarAttributeTypeS
	_, err = db.CreateTable(context.Background(), &dynamodb.CreateTableInput{TableName: aws.String("t"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: str}, {AttributeName: aws.String("SK"), AttributeType: str},
			{AttributeName: aws.String("GSI1PK"), AttributeType: str}, {AttributeName: aws.String("GSI1SK"), AttributeType: str}},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("GSI1"), Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("GSI1PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("GSI1SK"), KeyType: types.KeyTypeRange}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}
