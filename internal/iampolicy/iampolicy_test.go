package iampolicy_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/iampolicy"
	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/teststack"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

func item(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}}
}

// The payments function may write the data table only inside
// transactions: a plain PutItem is reported, naming function and action;
// the same put in a transaction passes.
func TestRecordedOperationsCheckedAgainstTheFunctionsPolicy(t *testing.T) {
	st := teststack.New(t, moto)
	tpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rec := iampolicy.NewRecorder(st.Resources)
	ctx := context.Background()
	table := st.Resources.IDs["DataTable"]
	db := dynamodb.NewFromConfig(rec.Config(st.AWS, "PaymentsFunction"))
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: item("ok")}},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if got := rec.Check(tpl); len(got) != 0 {
		t.Fatalf("allowed operations reported: %v", got)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item("bare")}); err != nil {
		t.Fatal(err)
	}
	// The notifier may not send to the deliveries queue.
	q := sqs.NewFromConfig(rec.Config(st.AWS, "NotifierFunction"))
	if _, err := q.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(st.Resources.IDs["DeliveriesQueue"]), MessageBody: aws.String("{}")}); err != nil {
		t.Fatal(err)
	}
	got := rec.Check(tpl)
	want := []string{
		"NotifierFunction's policy in template.yaml does not allow sqs:SendMessage on " + st.Resources.ARNs["DeliveriesQueue"],
		"PaymentsFunction's policy in template.yaml does not allow dynamodb:PutItem on " + st.Resources.ARNs["DataTable"],
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check:\n got %q\nwant %q", got, want)
	}
	if reqs := rec.Requests("PaymentsFunction"); len(reqs) != 3 {
		t.Errorf("PaymentsFunction requests: %v, want the transaction's put, the index query and the bare put", reqs)
	}
}

// SAM policy templates expand to SAM's action lists and resource ARNs; a
// template not modelled fails rather than passing silently.
func TestSAMPolicyTemplatesExpanded(t *testing.T) {
	dir := t.TempDir()
	src := `Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: PK
          AttributeType: S
      KeySchema:
        - AttributeName: PK
          KeyType: HASH
  Queue:
    Type: AWS::SQS::Queue
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref Table
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Queue.QueueName
  Odd:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      Policies:
        - KinesisStreamReadPolicy:
            StreamName: s
`
	p := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tpl, err := provision.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	cfg := moto.AWSConfig(t)
	res, err := tpl.Provision(context.Background(), cfg, "sam"+strings.ReplaceAll(t.Name(), "/", "")[:8]+"-")
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := iampolicy.FunctionPolicy(tpl, res, "Reader")
	if err != nil {
		t.Fatal(err)
	}
	table, queue := res.ARNs["Table"], res.ARNs["Queue"]
	for _, c := range []struct {
		req  iampolicy.Request
		want bool
	}{
		{iampolicy.Request{Action: "dynamodb:Query", Resource: table + "/index/GSI1"}, true},
		{iampolicy.Request{Action: "dynamodb:GetItem", Resource: table}, true},
		{iampolicy.Request{Action: "dynamodb:PutItem", Resource: table}, false},
		{iampolicy.Request{Action: "sqs:SendMessage", Resource: queue}, true},
		{iampolicy.Request{Action: "sqs:SendMessage", Resource: queue + "-other"}, false},
	} {
		got, err := iampolicy.Allows(stmts, c.req)
		if err != nil || got != c.want {
			t.Errorf("Allows(%s) = %v, %v; want %v", c.req, got, err, c.want)
		}
	}
	if _, err := iampolicy.FunctionPolicy(tpl, res, "Odd"); err == nil || !strings.Contains(err.Error(), "KinesisStreamReadPolicy is not modelled") {
		t.Errorf("unmodelled template: err = %v", err)
	}
}
