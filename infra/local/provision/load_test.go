package provision_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carebill/carebill/infra/local/provision"
)

func TestLoadRejectsMalformedTemplates(t *testing.T) {
	t.Parallel()
	const table = `
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
`
	tests := []struct {
		name, yaml, want string
	}{
		{"empty file", "", "the template is empty"},
		{"broken YAML", "Resources:\n  T:\n    Type: [unclosed\n", "parse YAML"},
		{"not a mapping", "- a\n- b\n", "must be a mapping"},
		{"no resources", "Outputs: {}\n", "no Resources section"},
		{"unknown tag", "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Nonsense y\n", "line 5: unknown tag !Nonsense"},
		{"malformed GetAtt", "Resources:\n  T:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !GetAtt nodot\n", "want Resource.Attribute"},
		{"duplicate key", "Resources:\n  T:\n    Type: AWS::SQS::Queue\n  T:\n    Type: AWS::SQS::Queue\n", `duplicate key "T"`},
		{"resource without type", "Resources:\n  T:\n    Properties: {}\n", "resource T: Type is missing"},
		{"key not defined", strings.Replace(table, "{AttributeName: PK, KeyType: HASH}", "{AttributeName: ID, KeyType: HASH}", 1),
			"key ID is not in AttributeDefinitions"},
		{"bad key type", strings.Replace(table, "KeyType: HASH", "KeyType: PRIMARY", 1), `KeyType "PRIMARY"`},
		{"provisioned without throughput", strings.Replace(table, "PAY_PER_REQUEST", "PROVISIONED", 1), "ProvisionedThroughput is required"},
		{"client outside the template", "Resources:\n  C:\n    Type: AWS::Cognito::UserPoolClient\n    Properties:\n      UserPoolId: us-east-1_abc\n",
			"resource C: line 5: UserPoolId: want !Ref to a AWS::Cognito::UserPool"},
		{"redrive to a missing queue", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt DLQ.Arn\n        maxReceiveCount: 3\n",
			"deadLetterTargetArn must be !GetAtt <Queue>.Arn"},
		{"identity without address", "Resources:\n  I:\n    Type: AWS::SES::EmailIdentity\n    Properties: {}\n", "resource I: EmailIdentity is missing"},
		{"identity from a resource", "Resources:\n  I:\n    Type: AWS::SES::EmailIdentity\n    Properties:\n      EmailIdentity: !Ref Q\n  Q:\n    Type: AWS::SQS::Queue\n",
			"!Ref Q is not a parameter"},
		{"receive count from nowhere", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt D.Arn\n        maxReceiveCount: !Ref Tries\n  D:\n    Type: AWS::SQS::Queue\n",
			"!Ref Tries is not a parameter"},
		{"env refers to nothing", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          TABLE: !Ref Missing\n",
			"function F: environment TABLE: !Ref Missing: no such parameter or resource"},
		{"env Sub refers to nothing", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          URL: !Sub https://${Missing.Arn}\n",
			"Fn::GetAtt Missing.Arn: no such resource"},
		{"route without path", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E:\n          Type: HttpApi\n          Properties: {Method: GET}\n",
			"resource F: event E: an HttpApi event needs both Method and Path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(file, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			tmpl, err := provision.Load(file)
			if err == nil {
				t.Fatalf("Load succeeded with %+v, want an error containing %q", tmpl, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), file) {
				t.Errorf("Load error = %q, want it to name %s and contain %q", err, file, tc.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := provision.Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("Load of a missing file: err = %v, want one naming the file", err)
	}
}
