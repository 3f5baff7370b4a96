package awsenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/carebill/carebill/internal/testenv"
	"github.com/carebill/carebill/internal/wire/awsenv"
)

// lambdaEnv is what Lambda sets for a function (and AWS_ENDPOINT_URL
// aimed at moto).
func lambdaEnv(endpoint string) map[string]string {
	return map[string]string{
		"AWS_REGION":            testenv.Region,
		"AWS_ACCESS_KEY_ID":     "ASIAEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_SESSION_TOKEN":     "session-token",
		"AWS_ENDPOINT_URL":      endpoint,
	}
}

// TestConfigFromLambdaEnvironment builds a client from the Lambda
// environment alone and uses it against moto: region, credentials
// (session token included) and endpoint all come from the variables.
func TestConfigFromLambdaEnvironment(t *testing.T) {
	moto, err := testenv.StartMoto()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(moto.Stop)
	vars := lambdaEnv(moto.Endpoint)
	cfg, err := awsenv.Config(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIAEXAMPLE" || creds.SecretAccessKey != "secret" || creds.SessionToken != "session-token" {
		t.Errorf("credentials = %+v, want the environment's", creds)
	}
	if cfg.Region != testenv.Region {
		t.Errorf("region = %q, want %q", cfg.Region, testenv.Region)
	}
	db := dynamodb.NewFromConfig(cfg)
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("awsconfig"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatalf("CreateTable through the environment's config: %v", err)
	}
	out, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.TableNames) != 1 || out.TableNames[0] != "awsconfig" {
		t.Errorf("tables = %v, want [awsconfig]", out.TableNames)
	}
}

func TestConfigNamesWhatIsMissing(t *testing.T) {
	for _, missing := range []string{"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		vars := lambdaEnv("")
		delete(vars, missing)
		_, err := awsenv.Config(func(k string) string { return vars[k] })
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("without %s: err = %v, want one naming it", missing, err)
		}
	}
}
