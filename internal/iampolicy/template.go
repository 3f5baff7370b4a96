package iampolicy

import (
	"fmt"

	"github.com/carebill/carebill/infra/local/provision"
)

// samTemplate is one SAM policy template: its statements, with ${Param}
// standing for the template's parameter and the usual pseudo parameters.
type samTemplate struct {
	param      string
	statements []struct {
		actions   []string
		resources []string
	}
}

func tpl(param string, stmts ...[2][]string) samTemplate {
	t := samTemplate{param: param}
	for _, s := range stmts {
		t.statements = append(t.statements, struct{ actions, resources []string }{s[0], s[1]})
	}
	return t
}

const (
	tableARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}"
	indexARN = tableARN + "/index/*"
	queueARN = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"
)

// samTemplates are the SAM policy templates carebill may use, copied from
// SAM's policy_templates.json (samtranslator/policy_templates_data).
var samTemplates = map[string]samTemplate{
	"DynamoDBCrudPolicy": tpl("TableName", [2][]string{{
		"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
		"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
		"dynamodb:ConditionCheckItem",
	}, {tableARN, indexARN}}),
	"DynamoDBReadPolicy": tpl("TableName", [2][]string{{
		"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
	}, {tableARN, indexARN}}),
	"DynamoDBWritePolicy": tpl("TableName", [2][]string{{
		"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
	}, {tableARN, indexARN}}),
	"SQSSendMessagePolicy": tpl("QueueName", [2][]string{{"sqs:SendMessage*"}, {queueARN}}),
	"SQSPollerPolicy": tpl("QueueName", [2][]string{{
		"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
		"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage",
	}, {queueARN}}),
	"SSMParameterReadPolicy": tpl("ParameterName",
		[2][]string{{"ssm:DescribeParameters"}, {"*"}},
		[2][]string{{"ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"},
			{"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}"}}),
	"SNSPublishMessagePolicy": tpl("TopicName", [2][]string{{"sns:Publish"},
		{"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"}}),
	"SESCrudPolicy": tpl("IdentityName", [2][]string{{
		"ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity",
	}, {"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${IdentityName}"}}),
}

// FunctionPolicy returns the statements of a function's Policies in the
// template, resolved against res (the stack the function's tests ran on).
// It fails on a policy it cannot read: an unknown SAM policy template, a
// managed policy name, or a value it cannot resolve.
func FunctionPolicy(t *provision.Template, res *provision.Resources, function string) ([]Statement, error) {
	fn, _ := get(t.Document, "Resources", function).(map[string]any)
	if fn == nil || fn["Type"] != "AWS::Serverless::Function" {
		return nil, fmt.Errorf("no function %s in the template", function)
	}
	policies, _ := get(fn, "Properties", "Policies").([]any)
	var out []Statement
	for i, p := range policies {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: policy %d (%v): managed policies are not modelled; use statements or a SAM policy template", function, i, p)
		}
		if stmts, ok := m["Statement"]; ok {
			list, ok := stmts.([]any)
			if !ok {
				list = []any{stmts}
			}
			for _, s := range list {
				st, err := statement(s, res)
				if err != nil {
					return nil, fmt.Errorf("%s: policy %d: %w", function, i, err)
				}
				out = append(out, st)
			}
			continue
		}
		if len(m) != 1 {
			return nil, fmt.Errorf("%s: policy %d: want a policy document or one SAM policy template", function, i)
		}
		for name, args := range m {
			sts, err := expandSAM(name, args, res)
			if err != nil {
				return nil, fmt.Errorf("%s: policy %d: %w", function, i, err)
			}
			out = append(out, sts...)
		}
	}
	return out, nil
}

// expandSAM expands one SAM policy template as SAM does.
func expandSAM(name string, args any, res *provision.Resources) ([]Statement, error) {
	t, ok := samTemplates[name]
	if !ok {
		return nil, fmt.Errorf("SAM policy template %s is not modelled in iampolicy (add it from SAM's policy_templates.json)", name)
	}
	arg := get(args, t.param)
	if arg == nil {
		return nil, fmt.Errorf("%s: missing %s", name, t.param)
	}
	var out []Statement
	for _, s := range t.statements {
		st := Statement{Sid: name, Effect: "Allow", Actions: s.actions}
		for _, r := range s.resources {
			v, _, err := res.Resolve(map[string]any{"Fn::Sub": []any{r, map[string]any{t.param: arg}}})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			st.Resources = append(st.Resources, v)
		}
		out = append(out, st)
	}
	return out, nil
}

func statement(v any, res *provision.Resources) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, fmt.Errorf("statement %v is not a mapping", v)
	}
	st := Statement{Conditions: map[string]map[string][]string{}}
	st.Sid, _ = m["Sid"].(string)
	st.Effect, _ = m["Effect"].(string)
	if st.Effect != "Allow" && st.Effect != "Deny" {
		return st, fmt.Errorf("statement %s: Effect %v", st.Sid, m["Effect"])
	}
	if _, ok := m["NotAction"]; ok {
		return st, fmt.Errorf("statement %s: NotAction is not modelled", st.Sid)
	}
	if _, ok := m["NotResource"]; ok {
		return st, fmt.Errorf("statement %s: NotResource is not modelled", st.Sid)
	}
	for _, a := range list(m["Action"]) {
		s, ok := a.(string)
		if !ok {
			return st, fmt.Errorf("statement %s: action %v", st.Sid, a)
		}
		st.Actions = append(st.Actions, s)
	}
	for _, r := range list(m["Resource"]) {
		s, present, err := res.Resolve(r)
		if err != nil {
			return st, fmt.Errorf("statement %s: resource: %w", st.Sid, err)
		}
		if present {
			st.Resources = append(st.Resources, s)
		}
	}
	cond, _ := m["Condition"].(map[string]any)
	for op, kv := range cond {
		keys, ok := kv.(map[string]any)
		if !ok {
			return st, fmt.Errorf("statement %s: condition %s", st.Sid, op)
		}
		st.Conditions[op] = map[string][]string{}
		for k, vals := range keys {
			for _, v := range list(vals) {
				s, _ := v.(string)
				st.Conditions[op][k] = append(st.Conditions[op][k], s)
			}
		}
	}
	return st, nil
}

// list reads a value that IAM allows as one item or a list of them.
func list(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
