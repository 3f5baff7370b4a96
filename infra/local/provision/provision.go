package provision

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Resources are the physical resources Provision created (or found) for a
// template under one prefix.
type Resources struct {
	// IDs maps a logical id to its physical id: the table name, the queue
	// URL, the user pool id, the app client id, the group name or the email
	// identity.
	IDs map[string]string
	// ARNs maps the logical id of each table, queue and user pool to its ARN.
	ARNs map[string]string
	// Region is the region the resources live in.
	Region string
	// Prefix is the prefix every physical name starts with.
	Prefix string

	tmpl *Template
}

var validPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// Provision creates every table (with its indexes and TTL), queue (dead-letter
// queues first, then the queues that redrive to them), user pool (with its
// schema and password policy), app client, group and SES email identity the
// template declares,
// through cfg's endpoint. Physical names are prefix + logical id, so a fresh
// prefix isolates a test from every other user of the same endpoint; the
// prefix may hold letters, digits, '-' and '_'.
//
// Provision is safe to repeat with the same prefix: an existing table, queue,
// pool, client or group of that name is reused as it is, not compared with
// the template. Functions, the HTTP API, log groups and schedules are not
// created; the local stack runs those itself from Routes, QueueEvents and
// Schedules.
func (t *Template) Provision(ctx context.Context, cfg aws.Config, prefix string) (*Resources, error) {
	if cfg.Region == "" {
		return nil, fmt.Errorf("provision: the AWS config has no region")
	}
	if !validPrefix.MatchString(prefix) {
		return nil, fmt.Errorf("provision: prefix %q: use only letters, digits, '-' and '_'", prefix)
	}
	r := &Resources{
		IDs:    map[string]string{},
		ARNs:   map[string]string{},
		Region: cfg.Region,
		Prefix: prefix,
		tmpl:   t,
	}
	if len(t.Tables) > 0 {
		c := dynamodb.NewFromConfig(cfg)
		for _, tb := range t.Tables {
			if err := r.createTable(ctx, c, tb); err != nil {
				return nil, fmt.Errorf("provision table %s: %w", tb.LogicalID, err)
			}
		}
	}
	if len(t.Queues) > 0 {
		if err := r.createQueues(ctx, sqs.NewFromConfig(cfg), t.Queues); err != nil {
			return nil, err
		}
	}
	if len(t.UserPools) > 0 {
		c := cognitoidentityprovider.NewFromConfig(cfg)
		for _, p := range t.UserPools {
			if err := r.createUserPool(ctx, c, p); err != nil {
				return nil, fmt.Errorf("provision user pool %s: %w", p.LogicalID, err)
			}
		}
		for _, cl := range t.UserPoolClients {
			if err := r.createClient(ctx, c, cl); err != nil {
				return nil, fmt.Errorf("provision user pool client %s: %w", cl.LogicalID, err)
			}
		}
		for _, g := range t.UserPoolGroups {
			if err := r.createGroup(ctx, c, g); err != nil {
				return nil, fmt.Errorf("provision user pool group %s: %w", g.LogicalID, err)
			}
		}
	}
	if len(t.EmailIdentities) > 0 {
		c := sesv2.NewFromConfig(cfg)
		for _, e := range t.EmailIdentities {
			if err := r.createEmailIdentity(ctx, c, e); err != nil {
				return nil, fmt.Errorf("provision email identity %s: %w", e.LogicalID, err)
			}
		}
	}
	return r, nil
}

// Env returns a function's environment — Globals.Function's variables
// overlaid with the function's own — with every Ref, Fn::GetAtt, Fn::Sub and
// Fn::Join resolved against these resources as CloudFormation would resolve
// them in AWS. Variables set to !Ref AWS::NoValue are left out.
func (r *Resources) Env(function string) (map[string]string, error) {
	f, ok := r.tmpl.function(function)
	if !ok {
		return nil, fmt.Errorf("environment: no function %q in %s", function, r.tmpl.Path)
	}
	out := make(map[string]string, len(f.Environment))
	for _, k := range sortedKeys(f.Environment) {
		v, present, err := resolve(f.Environment[k], r)
		if err != nil {
			return nil, fmt.Errorf("environment of %s: %s: %w", function, k, err)
		}
		if present {
			out[k] = v
		}
	}
	return out, nil
}

// Resolve evaluates one template value (a string, or a long-form Ref,
// Fn::GetAtt, Fn::Sub or Fn::Join) against these resources, as Env does.
// present is false for {Ref: AWS::NoValue}.
func (r *Resources) Resolve(v any) (s string, present bool, err error) {
	return resolve(v, r)
}

// stackName stands in for AWS::StackName: the prefix without its separators.
func (r *Resources) stackName() string {
	if s := strings.TrimRight(r.Prefix, "-_"); s != "" {
		return s
	}
	return "local"
}

func (r *Resources) physical(id string) (string, error) {
	v, ok := r.IDs[id]
	if !ok {
		return "", fmt.Errorf("%s was not provisioned", id)
	}
	return v, nil
}

func (r *Resources) ref(name string) (string, error) {
	if v, ok := pseudo(name, r.Region, r.stackName()); ok {
		return v, nil
	}
	if v, ok := r.tmpl.Parameters[name]; ok {
		return v, nil
	}
	switch typ := r.tmpl.types[name]; typ {
	case typeTable, typeQueue, typeUserPool, typeClient, typeGroup, typeIdentity:
		return r.physical(name)
	case typeFunction:
		return r.Prefix + name, nil
	case "":
		return "", fmt.Errorf("!Ref %s: no such parameter or resource", name)
	default:
		return "", fmt.Errorf("!Ref %s: %s resources are not created locally", name, typ)
	}
}

func (r *Resources) getAtt(res, attr string) (string, error) {
	typ := r.tmpl.types[res]
	switch {
	case typ == "":
		return "", fmt.Errorf("Fn::GetAtt %s.%s: no such resource", res, attr)
	case attr == "Arn" && (typ == typeTable || typ == typeQueue || typ == typeUserPool):
		if v, ok := r.ARNs[res]; ok {
			return v, nil
		}
		return "", fmt.Errorf("Fn::GetAtt %s.%s: %s was not provisioned", res, attr, res)
	case typ == typeQueue && attr == "QueueUrl":
		return r.physical(res)
	case typ == typeQueue && attr == "QueueName":
		u, err := r.physical(res)
		return u[strings.LastIndex(u, "/")+1:], err
	case typ == typeUserPool && attr == "UserPoolId":
		return r.physical(res)
	case typ == typeUserPool && (attr == "ProviderName" || attr == "ProviderURL"):
		id, err := r.physical(res)
		name := fmt.Sprintf("cognito-idp.%s.amazonaws.com/%s", r.Region, id)
		if attr == "ProviderURL" {
			name = "https://" + name
		}
		return name, err
	case typ == typeClient && attr == "ClientId":
		return r.physical(res)
	case typ == typeFunction && attr == "Arn":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s%s", r.Region, AccountID, r.Prefix, res), nil
	}
	return "", fmt.Errorf("Fn::GetAtt %s.%s: attribute not available locally for %s", res, attr, typ)
}
