package provision_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
)

var moto *testenv.Moto

func TestMain(m *testing.M) { testenv.MainWithMoto(m, &moto) }

// freshPrefix gives each test its own resource names on the shared moto.
func freshPrefix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "t" + hex.EncodeToString(b) + "-"
}

func loadRepoTemplate(t *testing.T) *provision.Template {
	t.Helper()
	tmpl, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tmpl
}

func TestProvisionRepoTemplate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := moto.AWSConfig(t)
	tmpl := loadRepoTemplate(t)
	prefix := freshPrefix(t)
	res, err := tmpl.Provision(ctx, cfg, prefix)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}

	t.Run("data table has GSI1, GSI2 and GSI3", func(t *testing.T) {
		if got := res.IDs["DataTable"]; got != prefix+"DataTable" {
			t.Fatalf("DataTable name = %q, want %q", got, prefix+"DataTable")
		}
		out, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(res.IDs["DataTable"])})
		if err != nil {
			t.Fatal(err)
		}
		type index struct{ Name, Hash, Range, Projection string }
		var got []index
		for _, g := range out.Table.GlobalSecondaryIndexes {
			ix := index{Name: aws.ToString(g.IndexName), Projection: string(g.Projection.ProjectionType)}
			for _, k := range g.KeySchema {
				if k.KeyType == ddbtypes.KeyTypeHash {
					ix.Hash = aws.ToString(k.AttributeName)
				} else {
					ix.Range = aws.ToString(k.AttributeName)
				}
			}
			got = append(got, ix)
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
		want := []index{{"GSI1", "GSI1PK", "GSI1SK", "ALL"}, {"GSI2", "GSI2PK", "GSI2SK", "ALL"}, {"GSI3", "GSI3PK", "GSI3SK", "ALL"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GSIs (-want +got):\n%s", diff)
		}
		if out.Table.BillingModeSummary == nil || out.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest {
			t.Errorf("billing mode = %+v, want PAY_PER_REQUEST", out.Table.BillingModeSummary)
		}
	})

	t.Run("idempotency table expires on expiresAt", func(t *testing.T) {
		out, err := dynamodb.NewFromConfig(cfg).DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(res.IDs["IdempotencyTable"])})
		if err != nil {
			t.Fatal(err)
		}
		d := out.TimeToLiveDescription
		if aws.ToString(d.AttributeName) != "expiresAt" || d.TimeToLiveStatus != ddbtypes.TimeToLiveStatusEnabled {
			t.Errorf("TTL = %s on %q, want ENABLED on expiresAt", d.TimeToLiveStatus, aws.ToString(d.AttributeName))
		}
	})

	c := cip.NewFromConfig(cfg)
	pool := res.IDs["UserPool"]

	t.Run("user pool has immutable custom:org and a 10-character minimum", func(t *testing.T) {
		out, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool)})
		if err != nil {
			t.Fatal(err)
		}
		var org bool
		for _, a := range out.UserPool.SchemaAttributes {
			if aws.ToString(a.Name) == "custom:org" {
				org = true
				if aws.ToBool(a.Mutable) {
					t.Errorf("custom:org is mutable")
				}
			}
		}
		if !org {
			t.Errorf("custom:org not in the pool's schema")
		}
		if got := aws.ToInt32(out.UserPool.Policies.PasswordPolicy.MinimumLength); got != 10 {
			t.Errorf("password minimum length = %d, want 10", got)
		}
		if !out.UserPool.AdminCreateUserConfig.AllowAdminCreateUserOnly {
			t.Errorf("self sign-up is allowed")
		}
	})

	t.Run("pool has the three role groups", func(t *testing.T) {
		out, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String(pool)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, g := range out.Groups {
			got = append(got, aws.ToString(g.GroupName))
		}
		sort.Strings(got)
		if diff := cmp.Diff([]string{"admin", "coordinator", "viewer"}, got); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
	})

	t.Run("client can read but not write custom:org", func(t *testing.T) {
		out, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
			UserPoolId: aws.String(pool), ClientId: aws.String(res.IDs["UserPoolClient"]),
		})
		if err != nil {
			t.Fatal(err)
		}
		cl := out.UserPoolClient
		if !slices.Contains(cl.ReadAttributes, "custom:org") {
			t.Errorf("ReadAttributes %v lack custom:org", cl.ReadAttributes)
		}
		if slices.Contains(cl.WriteAttributes, "custom:org") {
			t.Errorf("WriteAttributes %v include custom:org", cl.WriteAttributes)
		}
		var flows []string
		for _, f := range cl.ExplicitAuthFlows {
			flows = append(flows, string(f))
		}
		sort.Strings(flows)
		if diff := cmp.Diff([]string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, flows); diff != "" {
			t.Errorf("auth flows (-want +got):\n%s", diff)
		}
	})

	t.Run("invoicing environment resolves to the created resources", func(t *testing.T) {
		env, err := res.Env("InvoicingFunction")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"LOG_LEVEL":              "info",
			"TABLE_NAME":             prefix + "DataTable",
			"IDEMPOTENCY_TABLE_NAME": prefix + "IdempotencyTable",
			"USER_POOL_ID":           pool,
			"USER_POOL_CLIENT_ID":    res.IDs["UserPoolClient"],
			"COGNITO_ISSUER":         "https://cognito-idp.ap-southeast-2.amazonaws.com/" + pool,
			"DELIVERIES_QUEUE_URL":   res.IDs["DeliveriesQueue"],
			"RUNS_QUEUE_URL":         res.IDs["RunsQueue"],
			"RUNS_DLQ_URL":           res.IDs["RunsDLQ"],
			"PUBLIC_BASE_URL":        "", // a parameter without a default: the local stack and tests set it
		}
		if diff := cmp.Diff(want, env); diff != "" {
			t.Errorf("Env (-want +got):\n%s", diff)
		}
	})

	t.Run("deliveries queue redrives to its DLQ after the notifier's last try", func(t *testing.T) {
		q := sqs.NewFromConfig(cfg)
		attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       aws.String(res.IDs["DeliveriesQueue"]),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		var redrive struct {
			DeadLetterTargetArn string `json:"deadLetterTargetArn"`
			MaxReceiveCount     json.Number
		}
		if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive); err != nil {
			t.Fatalf("RedrivePolicy %q: %v", attrs.Attributes["RedrivePolicy"], err)
		}
		if redrive.DeadLetterTargetArn != res.ARNs["DeliveriesDLQ"] || redrive.MaxReceiveCount != "5" {
			t.Errorf("RedrivePolicy = %+v, want %s after 5 receives", redrive, res.ARNs["DeliveriesDLQ"])
		}
		env, err := res.Env("NotifierFunction")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"LOG_LEVEL": "info", "TABLE_NAME": prefix + "DataTable",
			"SENDER_EMAIL": "invoices@carebill.example", "DELIVERY_MAX_RECEIVES": "5",
		}
		if diff := cmp.Diff(want, env); diff != "" {
			t.Errorf("notifier Env (-want +got):\n%s", diff)
		}
	})

	t.Run("the sender's SES identity exists", func(t *testing.T) {
		if got := res.IDs["SenderIdentity"]; got != "invoices@carebill.example" {
			t.Fatalf("SenderIdentity = %q", got)
		}
		out, err := sesv2.NewFromConfig(cfg).GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("invoices@carebill.example")})
		if err != nil {
			t.Fatal(err)
		}
		if out.IdentityType != sestypes.IdentityTypeEmailAddress {
			t.Errorf("identity type %s", out.IdentityType)
		}
	})

	t.Run("provisioning again with the same prefix reuses everything", func(t *testing.T) {
		again, err := tmpl.Provision(ctx, cfg, prefix)
		if err != nil {
			t.Fatalf("second Provision: %v", err)
		}
		if diff := cmp.Diff(res.IDs, again.IDs); diff != "" {
			t.Errorf("IDs changed (-first +second):\n%s", diff)
		}
	})
}

func TestRepoTemplateRoutes(t *testing.T) {
	t.Parallel()
	tmpl := loadRepoTemplate(t)
	for _, want := range []provision.Route{
		{Function: "InvoicingFunction", Method: "POST", Path: "/auth/signup"},
		{Function: "InvoicingFunction", Method: "POST", Path: "/auth/login"},
		{Function: "InvoicingFunction", Method: "ANY", Path: "/v1/{proxy+}"},
		{Function: "WebFunction", Method: "GET", Path: "/"},
		{Function: "WebFunction", Method: "GET", Path: "/app/{proxy+}"},
		{Function: "WebFunction", Method: "GET", Path: "/static/{proxy+}"},
	} {
		if !slices.Contains(tmpl.Routes, want) {
			t.Errorf("Routes %v lack %v", tmpl.Routes, want)
		}
	}
	fn := tmpl.Functions[slices.IndexFunc(tmpl.Functions, func(f provision.Function) bool { return f.LogicalID == "InvoicingFunction" })]
	if fn.CodeURI != "." || fn.Handler != "bootstrap" {
		t.Errorf("InvoicingFunction CodeUri %q Handler %q, want . and bootstrap", fn.CodeURI, fn.Handler)
	}
}

// queueTemplate exercises what the repository template does not declare yet:
// queues with a dead-letter queue declared after its user, FIFO, SQS and
// schedule events, and the other intrinsic functions Env resolves.
const queueTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Environment:
      Variables:
        LOG_LEVEL: debug
        STAGE: !Ref Stage
Resources:
  DeliveriesQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 90
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeliveriesDLQ.Arn
        maxReceiveCount: 5
  DeliveriesDLQ:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  NumberingQueue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
  Notifier:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: bootstrap
      Environment:
        Variables:
          LOG_LEVEL: warn
          QUEUE_URL: !GetAtt DeliveriesQueue.QueueUrl
          QUEUE_NAME: !GetAtt NumberingQueue.QueueName
          DLQ_ARN: !GetAtt DeliveriesDLQ.Arn
          SELF: !Ref Notifier
          JOINED: !Join [":", [a, !Ref Stage, b]]
          SUBBED: !Sub
            - "${AWS::AccountId}/${Name}/${!Literal}/${DeliveriesQueue.QueueName}"
            - Name: !Ref Stage
          DROPPED: !Ref AWS::NoValue
      Events:
        Deliveries:
          Type: SQS
          Properties:
            Queue: !GetAtt DeliveriesQueue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 14 * * ? *)
  HourlyRule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets:
        - Id: notifier
          Arn: !GetAtt Notifier.Arn
`

func TestProvisionQueuesAndEnv(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(file, []byte(queueTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl, err := provision.Load(file)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff([]provision.QueueEvent{{
		Function: "Notifier", Queue: "DeliveriesQueue", BatchSize: 5, ReportBatchItemFailures: true, Enabled: true,
	}}, tmpl.QueueEvents); diff != "" {
		t.Errorf("QueueEvents (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]provision.Schedule{
		{Name: "Notifier.Nightly", Function: "Notifier", Expression: "cron(0 14 * * ? *)", Enabled: true},
		{Name: "HourlyRule", Function: "Notifier", Expression: "rate(1 hour)", Enabled: true},
	}, tmpl.Schedules); diff != "" {
		t.Errorf("Schedules (-want +got):\n%s", diff)
	}

	cfg := moto.AWSConfig(t)
	prefix := freshPrefix(t)
	res, err := tmpl.Provision(ctx, cfg, prefix)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	q := sqs.NewFromConfig(cfg)
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(res.IDs["DeliveriesQueue"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err)
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.Number
	}
	if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &redrive); err != nil {
		t.Fatalf("RedrivePolicy %q: %v", attrs.Attributes["RedrivePolicy"], err)
	}
	if redrive.DeadLetterTargetArn != res.ARNs["DeliveriesDLQ"] || redrive.MaxReceiveCount != "5" {
		t.Errorf("RedrivePolicy = %+v, want target %s and 5 receives", redrive, res.ARNs["DeliveriesDLQ"])
	}
	if got := attrs.Attributes["VisibilityTimeout"]; got != "90" {
		t.Errorf("VisibilityTimeout = %s, want 90", got)
	}
	fifo, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       aws.String(res.IDs["NumberingQueue"]),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameFifoQueue},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fifo.Attributes["FifoQueue"] != "true" {
		t.Errorf("NumberingQueue FifoQueue = %q, want true", fifo.Attributes["FifoQueue"])
	}

	env, err := res.Env("Notifier")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"LOG_LEVEL":  "warn",
		"STAGE":      "dev",
		"QUEUE_URL":  res.IDs["DeliveriesQueue"],
		"QUEUE_NAME": prefix + "NumberingQueue.fifo",
		"DLQ_ARN":    "arn:aws:sqs:ap-southeast-2:123456789012:" + prefix + "DeliveriesDLQ",
		"SELF":       prefix + "Notifier",
		"JOINED":     "a:dev:b",
		"SUBBED":     "123456789012/dev/${Literal}/" + prefix + "DeliveriesQueue",
	}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("Env (-want +got):\n%s", diff)
	}
	if _, err := res.Env("Nobody"); err == nil {
		t.Errorf("Env of an unknown function succeeded")
	}
}
