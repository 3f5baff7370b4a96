package iampolicy

import (
	"context"
	"fmt"
	"net/mail"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/carebill/carebill/infra/local/provision"
)

// Recorder collects, per function, the authorizations AWS would make for
// the operations that function's SDK clients send. Safe for concurrent use.
type Recorder struct {
	res *provision.Resources
	mu  sync.Mutex
	// reqs maps function → request → the operation that first needed it.
	reqs map[string]map[Request]string
	errs []string
}

// NewRecorder records operations on the resources of one provisioned
// stack: physical names and ids are mapped back to their ARNs through res.
func NewRecorder(res *provision.Resources) *Recorder {
	return &Recorder{res: res, reqs: map[string]map[Request]string{}}
}

// Config returns a copy of cfg whose clients record every operation as
// function's.
func (r *Recorder) Config(cfg aws.Config, function string) aws.Config {
	c := cfg.Copy()
	c.APIOptions = append(c.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("iampolicy-record", func(
			ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
		) (middleware.InitializeOutput, middleware.Metadata, error) {
			r.record(function, awsmiddleware.GetServiceID(ctx), middleware.GetOperationName(ctx), in.Parameters)
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
	return c
}

func (r *Recorder) record(function, service, op string, params any) {
	reqs, err := r.requests(service, op, params)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errs = append(r.errs, fmt.Sprintf("%s: %s %s: %v", function, service, op, err))
		return
	}
	if r.reqs[function] == nil {
		r.reqs[function] = map[Request]string{}
	}
	for _, q := range reqs {
		if _, ok := r.reqs[function][q]; !ok {
			r.reqs[function][q] = service + " " + op
		}
	}
}

// Functions returns the functions that made at least one AWS call.
func (r *Recorder) Functions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return sortedKeys(r.reqs)
}

// Requests returns what function was recorded needing, sorted.
func (r *Recorder) Requests(function string) []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Request, 0, len(r.reqs[function]))
	for q := range r.reqs[function] {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Check evaluates every recorded request against its function's policy in
// t and returns one line per request the policy does not allow, naming
// the function, the action and the resource, plus any operation the
// recorder could not translate. None means every call is covered.
func (r *Recorder) Check(t *provision.Template) []string {
	r.mu.Lock()
	problems := append([]string(nil), r.errs...)
	r.mu.Unlock()
	for _, fn := range r.Functions() {
		stmts, err := FunctionPolicy(t, r.res, fn)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, q := range r.Requests(fn) {
			ok, err := Allows(stmts, q)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: %s: %v", fn, q, err))
			case !ok:
				problems = append(problems, fmt.Sprintf("%s's policy in template.yaml does not allow %s", fn, q))
			}
		}
	}
	return problems
}

// iamPrefix maps the SDK's service id to the IAM action prefix.
var iamPrefix = map[string]string{
	"DynamoDB":                  "dynamodb",
	"SQS":                       "sqs",
	"SESv2":                     "ses",
	"SNS":                       "sns",
	"Cognito Identity Provider": "cognito-idp",
	"SSM":                       "ssm",
}

// unauthenticated are operations AWS serves without IAM authorization.
var unauthenticated = map[string]bool{
	"cognito-idp:InitiateAuth": true, "cognito-idp:RespondToAuthChallenge": true,
	"cognito-idp:GetUser": true, "cognito-idp:GlobalSignOut": true,
}

// batchAction is the IAM action that authorizes a batch operation.
var batchAction = map[string]string{
	"sqs:SendMessageBatch":             "sqs:SendMessage",
	"sqs:DeleteMessageBatch":           "sqs:DeleteMessage",
	"sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}

// requests translates one SDK operation into the authorizations IAM makes.
func (r *Recorder) requests(service, op string, params any) ([]Request, error) {
	prefix, ok := iamPrefix[service]
	if !ok {
		return nil, fmt.Errorf("service %q is not modelled in iampolicy", service)
	}
	action := prefix + ":" + op
	if unauthenticated[action] {
		return nil, nil
	}
	if a, ok := batchAction[action]; ok {
		action = a
	}
	switch prefix {
	case "dynamodb":
		return r.dynamoRequests(action, params)
	case "sqs":
		arn, err := r.arnOf(field(params, "QueueUrl"))
		return []Request{{Action: action, Resource: arn}}, err
	case "cognito-idp":
		arn, err := r.arnOf(field(params, "UserPoolId"))
		return []Request{{Action: action, Resource: arn}}, err
	case "ses":
		from := field(params, "FromEmailAddress")
		if a, err := mail.ParseAddress(from); err == nil {
			from = a.Address
		}
		if from == "" {
			return nil, fmt.Errorf("no FromEmailAddress")
		}
		return []Request{{Action: action, Resource: fmt.Sprintf("arn:aws:ses:%s:%s:identity/%s", r.res.Region, provision.AccountID, from)}}, nil
	case "sns":
		if arn := field(params, "TopicArn") + field(params, "TargetArn"); arn != "" {
			return []Request{{Action: action, Resource: arn}}, nil
		}
		return []Request{{Action: action, Resource: "*"}}, nil
	case "ssm":
		name := field(params, "Name")
		return []Request{{Action: action, Resource: fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/%s", r.res.Region, provision.AccountID, strings.TrimPrefix(name, "/"))}}, nil
	}
	return nil, fmt.Errorf("no translation for %s", action)
}

func (r *Recorder) dynamoRequests(action string, params any) ([]Request, error) {
	switch in := params.(type) {
	case *dynamodb.TransactWriteItemsInput:
		var out []Request
		for _, it := range in.TransactItems {
			var a string
			var table *string
			switch {
			case it.Put != nil:
				a, table = "dynamodb:PutItem", it.Put.TableName
			case it.Update != nil:
				a, table = "dynamodb:UpdateItem", it.Update.TableName
			case it.Delete != nil:
				a, table = "dynamodb:DeleteItem", it.Delete.TableName
			case it.ConditionCheck != nil:
				a, table = "dynamodb:ConditionCheckItem", it.ConditionCheck.TableName
			default:
				return nil, fmt.Errorf("an empty transaction item")
			}
			arn, err := r.arnOf(aws.ToString(table))
			if err != nil {
				return nil, err
			}
			out = append(out, Request{Action: a, Resource: arn, EnclosingOperation: "TransactWriteItems"})
		}
		return out, nil
	case *dynamodb.TransactGetItemsInput:
		var out []Request
		for _, it := range in.TransactItems {
			if it.Get == nil {
				return nil, fmt.Errorf("an empty transaction item")
			}
			arn, err := r.arnOf(aws.ToString(it.Get.TableName))
			if err != nil {
				return nil, err
			}
			out = append(out, Request{Action: "dynamodb:GetItem", Resource: arn, EnclosingOperation: "TransactGetItems"})
		}
		return out, nil
	case *dynamodb.BatchGetItemInput:
		return r.perTable(action, sortedKeys(in.RequestItems))
	case *dynamodb.BatchWriteItemInput:
		return r.perTable(action, sortedKeys(in.RequestItems))
	}
	arn, err := r.arnOf(field(params, "TableName"))
	if err != nil {
		return nil, err
	}
	if ix := field(params, "IndexName"); ix != "" {
		arn += "/index/" + ix
	}
	return []Request{{Action: action, Resource: arn}}, nil
}

func (r *Recorder) perTable(action string, tables []string) ([]Request, error) {
	var out []Request
	for _, t := range tables {
		arn, err := r.arnOf(t)
		if err != nil {
			return nil, err
		}
		out = append(out, Request{Action: action, Resource: arn})
	}
	return out, nil
}

// arnOf maps a physical id (table name, queue URL, user pool id) to the
// ARN of the template resource it was provisioned for.
func (r *Recorder) arnOf(physical string) (string, error) {
	if physical == "" {
		return "", fmt.Errorf("no resource named in the request")
	}
	for logical, id := range r.res.IDs {
		if id == physical {
			if arn, ok := r.res.ARNs[logical]; ok {
				return arn, nil
			}
		}
	}
	return "", fmt.Errorf("%s is not a resource of this stack's template", physical)
}

// field reads a *string field of an SDK input by name ("" when absent).
func field(params any, name string) string {
	v := reflect.ValueOf(params)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return ""
	}
	if s, ok := f.Interface().(*string); ok {
		return aws.ToString(s)
	}
	if s, ok := f.Interface().(string); ok {
		return s
	}
	return ""
}
