// Package provision reads the SAM template (template.yaml) and creates what it
// declares — DynamoDB tables, SQS queues, Cognito user pools, app clients,
// groups and SES email identities — against any AWS endpoint, in practice moto. The local stack and the
// tests use it so that the template stays the single source of truth: a table
// or queue that is not in template.yaml does not exist locally either.
package provision

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// Template is the part of a SAM template the local stack needs, with
// CloudFormation short-form tags already expanded to their long form.
// Slices keep the order in which the template declares things.
type Template struct {
	// Path is the file the template was read from.
	Path string
	// Parameters maps each template parameter to its Default ("" when none).
	Parameters map[string]string
	// Tables are the AWS::DynamoDB::Table resources.
	Tables []Table
	// Queues are the AWS::SQS::Queue resources.
	Queues []Queue
	// UserPools are the AWS::Cognito::UserPool resources.
	UserPools []UserPool
	// UserPoolClients are the AWS::Cognito::UserPoolClient resources.
	UserPoolClients []UserPoolClient
	// UserPoolGroups are the AWS::Cognito::UserPoolGroup resources.
	UserPoolGroups []UserPoolGroup
	// EmailIdentities are the AWS::SES::EmailIdentity resources.
	EmailIdentities []EmailIdentity
	// Functions are the AWS::Serverless::Function resources.
	Functions []Function
	// Routes are every function's HttpApi events.
	Routes []Route
	// QueueEvents are every function's SQS events.
	QueueEvents []QueueEvent
	// Schedules are the schedule-triggered invocations, from function
	// Schedule/ScheduleV2 events and from AWS::Events::Rule or
	// AWS::Scheduler::Schedule resources that target a function.
	Schedules []Schedule

	// Document is the whole template as plain values (map[string]any,
	// []any and string scalars), short-form tags in their long form: what
	// tests read to check properties the local stack does not model
	// (alarms, policies, deletion protection).
	Document map[string]any

	// types maps every resource's logical id to its resource type.
	types map[string]string
}

// KeyAttr is one key attribute of a table or index.
type KeyAttr struct {
	// Name is the attribute name.
	Name string
	// Type is the DynamoDB scalar type: S, N or B.
	Type string
}

// Table is a DynamoDB table. Its physical name is prefix + LogicalID.
type Table struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// HashKey is the partition key.
	HashKey KeyAttr
	// RangeKey is the sort key; its Name is "" when the table has none.
	RangeKey KeyAttr
	// GSIs are the global secondary indexes.
	GSIs []Index
	// LSIs are the local secondary indexes.
	LSIs []Index
	// TTLAttribute names the expiry attribute when TTL is enabled, else "".
	TTLAttribute string
	// BillingMode is PAY_PER_REQUEST or PROVISIONED.
	BillingMode string
	// ReadCapacity and WriteCapacity are set when BillingMode is PROVISIONED.
	ReadCapacity, WriteCapacity int64
	// StreamViewType is set when the table has a stream.
	StreamViewType string
}

// Index is a secondary index of a table.
type Index struct {
	// Name is the index name.
	Name string
	// HashKey is the index partition key.
	HashKey KeyAttr
	// RangeKey is the index sort key; its Name is "" when there is none.
	RangeKey KeyAttr
	// Projection is ALL, KEYS_ONLY or INCLUDE.
	Projection string
	// NonKeyAttributes lists the projected attributes for INCLUDE.
	NonKeyAttributes []string
	// ReadCapacity and WriteCapacity are set on PROVISIONED tables' GSIs.
	ReadCapacity, WriteCapacity int64
}

// defaultVisibilityTimeout is what SQS uses when a queue does not set one.
const defaultVisibilityTimeout = 30

// Queue is an SQS queue. Its physical name is prefix + LogicalID, plus the
// ".fifo" suffix SQS requires for FIFO queues.
type Queue struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// FIFO is true for FIFO queues.
	FIFO bool
	// VisibilityTimeout is in seconds; SQS's 30 when the template omits it.
	VisibilityTimeout int64
	// DeadLetterQueue is the logical id of the RedrivePolicy target, or "".
	DeadLetterQueue string
	// MaxReceiveCount is the RedrivePolicy's receive limit (0 without one).
	MaxReceiveCount int64
	// Attributes holds the SQS queue attributes the template sets, under
	// their SQS attribute names (VisibilityTimeout, FifoQueue, …), excluding
	// RedrivePolicy, which needs the dead-letter queue's ARN.
	Attributes map[string]string
}

// UserPool is a Cognito user pool. Its physical name is prefix + LogicalID.
type UserPool struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// UsernameAttributes lists what users sign in with (email, phone_number).
	UsernameAttributes []string
	// AutoVerifiedAttributes lists attributes Cognito verifies.
	AutoVerifiedAttributes []string
	// Schema lists the declared attributes, standard and custom.
	Schema []SchemaAttribute
	// Password is the password policy; nil when the template sets none.
	Password *PasswordPolicy
	// AdminCreateUserOnly forbids self sign-up.
	AdminCreateUserOnly bool
}

// CustomAttributes returns the Schema entries that Cognito stores as
// custom:<Name>, that is every entry that is not a standard attribute.
func (p UserPool) CustomAttributes() []SchemaAttribute {
	var out []SchemaAttribute
	for _, a := range p.Schema {
		if !standardAttributes[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

var standardAttributes = map[string]bool{
	"address": true, "birthdate": true, "email": true, "email_verified": true,
	"family_name": true, "gender": true, "given_name": true, "locale": true,
	"middle_name": true, "name": true, "nickname": true, "phone_number": true,
	"phone_number_verified": true, "picture": true, "preferred_username": true,
	"profile": true, "sub": true, "updated_at": true, "website": true, "zoneinfo": true,
}

// SchemaAttribute is one user pool attribute declaration. Name has no
// "custom:" prefix, as in the template.
type SchemaAttribute struct {
	// Name is the attribute name as declared.
	Name string
	// DataType is String, Number, DateTime or Boolean.
	DataType string
	// Mutable is false when the value can only be set at user creation.
	Mutable bool
	// Required makes the attribute mandatory at sign-up.
	Required bool
	// MinLength and MaxLength constrain String attributes ("" when unset).
	MinLength, MaxLength string
	// MinValue and MaxValue constrain Number attributes ("" when unset).
	MinValue, MaxValue string
}

// PasswordPolicy is a user pool's password policy.
type PasswordPolicy struct {
	// MinimumLength is the shortest accepted password.
	MinimumLength int64
	// RequireLowercase, RequireUppercase, RequireNumbers and RequireSymbols
	// demand at least one character of each class.
	RequireLowercase, RequireUppercase, RequireNumbers, RequireSymbols bool
	// TemporaryPasswordValidityDays is how long an admin-set password lasts.
	TemporaryPasswordValidityDays int64
}

// UserPoolClient is a Cognito app client. Its physical name is
// prefix + LogicalID.
type UserPoolClient struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// UserPool is the logical id of the pool the client belongs to.
	UserPool string
	// GenerateSecret asks Cognito for a client secret.
	GenerateSecret bool
	// ExplicitAuthFlows lists the allowed authentication flows.
	ExplicitAuthFlows []string
	// ReadAttributes and WriteAttributes list what the client may read and
	// what users may change through it.
	ReadAttributes, WriteAttributes []string
	// PreventUserExistenceErrors is ENABLED or LEGACY ("" when unset).
	PreventUserExistenceErrors string
	// IDTokenValidity, AccessTokenValidity and RefreshTokenValidity are the
	// token lifetimes with their TokenValidityUnits applied; 0 when unset.
	IDTokenValidity, AccessTokenValidity, RefreshTokenValidity Validity
}

// Validity is a token lifetime as the template states it.
type Validity struct {
	// Value is the amount; 0 means Cognito's default.
	Value int64
	// Unit is seconds, minutes, hours or days.
	Unit string
}

// UserPoolGroup is a Cognito group. Its physical id is its GroupName.
type UserPoolGroup struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// UserPool is the logical id of the pool the group belongs to.
	UserPool string
	// Name is the GroupName (the logical id when the template omits it).
	Name string
	// Description is the group's description.
	Description string
	// Precedence orders groups; nil when unset.
	Precedence *int64
}

// Function is an AWS::Serverless::Function.
type Function struct {
	// LogicalID is the resource's name in the template.
	LogicalID string
	// CodeURI is the CodeUri (Globals' when the function sets none); "" when
	// it is not a local path.
	CodeURI string
	// Handler is the Handler.
	Handler string
	// Environment is Globals.Function's environment overlaid with the
	// function's own, unresolved: values are strings or long-form intrinsic
	// functions (map[string]any{"Ref": …}). Resources.Env resolves them.
	Environment map[string]any
}

// Route is one HttpApi event of a function.
type Route struct {
	// Function is the logical id of the function that serves the route.
	Function string
	// Method is the upper-case HTTP method, or ANY.
	Method string
	// Path is the API Gateway path, such as /v1/{proxy+}; "$default" for
	// the catch-all route of an event without Method and Path.
	Path string
}

// QueueEvent is one SQS event of a function.
type QueueEvent struct {
	// Function is the logical id of the function fed by the queue.
	Function string
	// Queue is the logical id of the queue.
	Queue string
	// BatchSize is the most messages per invocation (SAM's default is 10).
	BatchSize int64
	// ReportBatchItemFailures is true when the function returns partial
	// batch failures (FunctionResponseTypes: [ReportBatchItemFailures]).
	ReportBatchItemFailures bool
	// Enabled is false when the event source mapping is disabled.
	Enabled bool
}

// Schedule is a scheduled invocation of a function.
type Schedule struct {
	// Name is the rule's logical id, or "<Function>.<Event>" for a function
	// event.
	Name string
	// Function is the logical id of the invoked function.
	Function string
	// Expression is the rate(…) or cron(…) expression.
	Expression string
	// Enabled is false when the rule is disabled.
	Enabled bool
	// Input is the constant JSON passed to the function, or "".
	Input string
}

// Resource types the package understands.
const (
	typeTable        = "AWS::DynamoDB::Table"
	typeQueue        = "AWS::SQS::Queue"
	typeUserPool     = "AWS::Cognito::UserPool"
	typeClient       = "AWS::Cognito::UserPoolClient"
	typeGroup        = "AWS::Cognito::UserPoolGroup"
	typeIdentity     = "AWS::SES::EmailIdentity"
	typeFunction     = "AWS::Serverless::Function"
	typeEventsRule   = "AWS::Events::Rule"
	typeSchedulerRun = "AWS::Scheduler::Schedule"
)

// Load reads and checks a SAM template. It fails on malformed YAML, unknown
// short-form tags, missing or malformed properties of the resources it
// understands, and references (Ref, GetAtt, Sub) to names the template does
// not declare. Resource types it does not model are kept only by name.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	t, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("load template %s: %w", path, err)
	}
	t.Path = path
	return t, nil
}

func parse(data []byte) (*Template, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, errors.New("the template is empty")
	} else if err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	root, err := expand(&doc)
	if err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: the template must be a mapping", root.Line)
	}
	resources := field(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode || len(resources.Content) == 0 {
		return nil, errors.New("no Resources section")
	}
	plain, _ := value(root).(map[string]any)
	t := &Template{Parameters: map[string]string{}, Document: plain, types: map[string]string{}}
	for _, p := range pairs(field(root, "Parameters")) {
		def, err := str(field(p.val, "Default"), "parameter "+p.key+": Default")
		if err != nil {
			return nil, err
		}
		t.Parameters[p.key] = def
	}
	for _, p := range pairs(resources) {
		typ, err := required(p.val, "Type", "resource "+p.key)
		if err != nil {
			return nil, err
		}
		t.types[p.key] = typ
	}
	globals := path(root, "Globals", "Function")
	for _, p := range pairs(resources) {
		if err := t.addResource(p.key, p.val, globals); err != nil {
			return nil, fmt.Errorf("resource %s: %w", p.key, err)
		}
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) addResource(id string, res, globals *yaml.Node) error {
	props := field(res, "Properties")
	switch t.types[id] {
	case typeTable:
		tb, err := parseTable(id, props)
		if err != nil {
			return err
		}
		t.Tables = append(t.Tables, tb)
	case typeQueue:
		q, err := t.parseQueue(id, props)
		if err != nil {
			return err
		}
		t.Queues = append(t.Queues, q)
	case typeUserPool:
		p, err := parseUserPool(id, props)
		if err != nil {
			return err
		}
		t.UserPools = append(t.UserPools, p)
	case typeClient:
		c, err := t.parseClient(id, props)
		if err != nil {
			return err
		}
		t.UserPoolClients = append(t.UserPoolClients, c)
	case typeGroup:
		g, err := t.parseGroup(id, props)
		if err != nil {
			return err
		}
		t.UserPoolGroups = append(t.UserPoolGroups, g)
	case typeIdentity:
		e, err := t.parseEmailIdentity(id, props)
		if err != nil {
			return err
		}
		t.EmailIdentities = append(t.EmailIdentities, e)
	case typeFunction:
		return t.addFunction(id, props, globals)
	case typeEventsRule, typeSchedulerRun:
		return t.addScheduleResource(id, props)
	}
	return nil
}

// check verifies that every reference in function environments names a
// parameter, a pseudo parameter or a resource the template declares.
func (t *Template) check() error {
	for _, f := range t.Functions {
		for _, k := range sortedKeys(f.Environment) {
			if _, _, err := resolve(f.Environment[k], t.checker()); err != nil {
				return fmt.Errorf("function %s: environment %s: %w", f.LogicalID, k, err)
			}
		}
	}
	return nil
}

// refOfType finds a resource's logical id referenced by {Ref: X} and
// checks that X has the wanted type.
func (t *Template) refOfType(n *yaml.Node, what, typ string) (string, error) {
	if n == nil {
		return "", fmt.Errorf("%s is missing", what)
	}
	id, ok := refTarget(n)
	if !ok {
		return "", wantErr(n, what, "!Ref to a "+typ+" in this template")
	}
	if t.types[id] != typ {
		return "", fmt.Errorf("line %d: %s: %s is not a %s in this template", n.Line, what, id, typ)
	}
	return id, nil
}

func (t *Template) function(id string) (Function, bool) {
	for _, f := range t.Functions {
		if f.LogicalID == id {
			return f, true
		}
	}
	return Function{}, false
}
