package deploy_test

import (
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/carebill/carebill/infra/local/provision"
	"github.com/carebill/carebill/internal/testenv"
)

// publicPathPrefixes are the routes anyone can call without a coordinator's
// token: sign-up and sign-in, pay pages and checkout (one invoice's and a
// client's pay-all), the client portal and Stripe's webhook. Each must have
// its own, tighter throttle.
var publicPathPrefixes = []string{"/auth/signup", "/auth/login", "/pay/", "/pay-all/", "/portal/", "/webhooks/"}

// tmpl is template.yaml as plain values.
type tmpl struct {
	t   *testing.T
	doc map[string]any
	tp  *provision.Template
}

func load(t *testing.T) tmpl {
	t.Helper()
	tp, err := provision.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl{t: t, doc: tp.Document, tp: tp}
}

// at walks v through map keys; nil when any step is missing.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }

// resources returns the logical ids of every resource of typ, sorted.
func (x tmpl) resources(typ string) []string {
	var out []string
	for id, r := range at(x.doc, "Resources").(map[string]any) {
		if str(at(r, "Type")) == typ {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func (x tmpl) res(id string) any { return at(x.doc, "Resources", id) }

// fnProp is a function's property with Globals.Function applied: the
// function's own value, or the global one when it sets none; mappings are
// merged key by key as SAM merges them.
func (x tmpl) fnProp(fn, key string) any {
	own := at(x.res(fn), "Properties", key)
	glob := at(x.doc, "Globals", "Function", key)
	om, ok1 := own.(map[string]any)
	gm, ok2 := glob.(map[string]any)
	if ok1 && ok2 {
		merged := map[string]any{}
		for k, v := range gm {
			merged[k] = v
		}
		for k, v := range om {
			merged[k] = v
		}
		return merged
	}
	if own != nil {
		return own
	}
	return glob
}

func isRef(v any, id string) bool { return str(at(v, "Ref")) == id }

func isGetAtt(v any, id, attr string) bool {
	switch a := at(v, "Fn::GetAtt").(type) {
	case []any:
		return len(a) == 2 && a[0] == id && a[1] == attr
	case string:
		return a == id+"."+attr
	}
	return false
}

// alarms returns the alarms on metric (namespace/name) whose dimension
// name matches dim, directly or inside metric math.
func (x tmpl) alarms(namespace, metric string, dim func(name string, value any) bool) []string {
	var out []string
	for _, id := range x.resources("AWS::CloudWatch::Alarm") {
		p := at(x.res(id), "Properties")
		stats := []any{p}
		if ms, ok := at(p, "Metrics").([]any); ok {
			for _, m := range ms {
				stats = append(stats, at(m, "MetricStat", "Metric"))
			}
		}
		for _, s := range stats {
			if str(at(s, "Namespace")) != namespace || str(at(s, "MetricName")) != metric {
				continue
			}
			dims, _ := at(s, "Dimensions").([]any)
			ok := dim == nil
			for _, d := range dims {
				if dim != nil && dim(str(at(d, "Name")), at(d, "Value")) {
					ok = true
				}
			}
			if ok {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

func TestIdentityAndDataSurviveDeletion(t *testing.T) {
	x := load(t)
	pools := x.resources("AWS::Cognito::UserPool")
	if len(pools) == 0 {
		t.Fatal("no user pool in the template")
	}
	for _, id := range pools {
		r := x.res(id)
		if str(at(r, "DeletionPolicy")) != "Retain" || str(at(r, "UpdateReplacePolicy")) != "Retain" {
			t.Errorf("%s: DeletionPolicy and UpdateReplacePolicy must be Retain (losing the pool locks every coordinator out)", id)
		}
		if str(at(r, "Properties", "DeletionProtection")) != "ACTIVE" {
			t.Errorf("%s: DeletionProtection must be ACTIVE", id)
		}
	}
	for _, id := range x.resources("AWS::DynamoDB::Table") {
		r := x.res(id)
		if str(at(r, "DeletionPolicy")) != "Retain" || str(at(r, "UpdateReplacePolicy")) != "Retain" {
			t.Errorf("%s: DeletionPolicy and UpdateReplacePolicy must be Retain", id)
		}
		if str(at(r, "Properties", "DeletionProtectionEnabled")) != "true" {
			t.Errorf("%s: DeletionProtectionEnabled must be true", id)
		}
		if str(at(r, "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")) != "true" {
			t.Errorf("%s: point-in-time recovery must be enabled", id)
		}
	}
}

func TestEveryFailureHasAnAlarm(t *testing.T) {
	x := load(t)
	topics := x.resources("AWS::SNS::Topic")
	if !slices.Contains(topics, "AlarmTopic") {
		t.Fatal("no AlarmTopic (AWS::SNS::Topic) in the template")
	}
	for _, id := range x.resources("AWS::CloudWatch::Alarm") {
		acts, _ := at(x.res(id), "Properties", "AlarmActions").([]any)
		if !slices.ContainsFunc(acts, func(a any) bool { return isRef(a, "AlarmTopic") }) {
			t.Errorf("alarm %s does not notify AlarmTopic", id)
		}
	}
	want := func(what string, ids []string) {
		t.Helper()
		if len(ids) == 0 {
			t.Errorf("no alarm on %s", what)
		}
	}
	queueDim := func(q string) func(string, any) bool {
		return func(n string, v any) bool { return n == "QueueName" && isGetAtt(v, q, "QueueName") }
	}
	dlqs := map[string]bool{}
	for _, q := range x.tp.Queues {
		if q.DeadLetterQueue != "" {
			dlqs[q.DeadLetterQueue] = true
			want(q.LogicalID+"'s oldest message age", x.alarms("AWS/SQS", "ApproximateAgeOfOldestMessage", queueDim(q.LogicalID)))
		}
	}
	if len(dlqs) == 0 {
		t.Error("no queue has a dead-letter queue")
	}
	for q := range dlqs {
		want("dead-letter queue "+q+"'s depth", x.alarms("AWS/SQS", "ApproximateNumberOfMessagesVisible", queueDim(q)))
	}
	for _, ev := range x.tp.QueueEvents {
		want(ev.Queue+"'s oldest message age", x.alarms("AWS/SQS", "ApproximateAgeOfOldestMessage", queueDim(ev.Queue)))
	}
	for _, fn := range x.resources("AWS::Serverless::Function") {
		dim := func(n string, v any) bool { return n == "FunctionName" && isRef(v, fn) }
		want(fn+" errors", x.alarms("AWS/Lambda", "Errors", dim))
		want(fn+" throttles", x.alarms("AWS/Lambda", "Throttles", dim))
	}
	for _, api := range x.resources("AWS::Serverless::HttpApi") {
		dim := func(n string, v any) bool { return n == "ApiId" && isRef(v, api) }
		want(api+" 5xx", x.alarms("AWS/ApiGateway", "5xx", dim))
		want(api+" latency", x.alarms("AWS/ApiGateway", "Latency", dim))
	}
	for _, tb := range x.resources("AWS::DynamoDB::Table") {
		dim := func(n string, v any) bool { return n == "TableName" && isRef(v, tb) }
		want(tb+" read throttling", x.alarms("AWS/DynamoDB", "ReadThrottleEvents", dim))
		want(tb+" write throttling", x.alarms("AWS/DynamoDB", "WriteThrottleEvents", dim))
	}
	want("the SES bounce rate", x.alarms("AWS/SES", "Reputation.BounceRate", nil))
	want("the SES complaint rate", x.alarms("AWS/SES", "Reputation.ComplaintRate", nil))
}

func TestPublicRoutesThrottledTighter(t *testing.T) {
	x := load(t)
	api := x.res("HttpApi")
	if api == nil {
		t.Fatal("no HttpApi")
	}
	p := at(api, "Properties")
	defRate, err := strconv.Atoi(str(at(p, "DefaultRouteSettings", "ThrottlingRateLimit")))
	if err != nil {
		t.Fatalf("HttpApi DefaultRouteSettings.ThrottlingRateLimit: %v", err)
	}
	if _, err := strconv.Atoi(str(at(p, "DefaultRouteSettings", "ThrottlingBurstLimit"))); err != nil {
		t.Fatalf("HttpApi DefaultRouteSettings.ThrottlingBurstLimit: %v", err)
	}
	settings, _ := at(p, "RouteSettings").(map[string]any)
	routes := map[string]bool{}
	for _, r := range x.tp.Routes {
		key := r.Method + " " + r.Path
		routes[key] = true
		public := slices.ContainsFunc(publicPathPrefixes, func(pre string) bool { return strings.HasPrefix(r.Path, pre) })
		if !public {
			continue
		}
		rate, err := strconv.Atoi(str(at(settings, key, "ThrottlingRateLimit")))
		if err != nil {
			t.Errorf("public route %q (%s) has no ThrottlingRateLimit in HttpApi RouteSettings", key, r.Function)
			continue
		}
		if rate >= defRate {
			t.Errorf("public route %q: rate limit %d is not tighter than the default %d", key, rate, defRate)
		}
		if _, err := strconv.Atoi(str(at(settings, key, "ThrottlingBurstLimit"))); err != nil {
			t.Errorf("public route %q has no ThrottlingBurstLimit", key)
		}
	}
	for key := range settings {
		if !routes[key] {
			t.Errorf("RouteSettings names %q, which no function serves (the deploy would fail)", key)
		}
	}
	dest := at(p, "AccessLogSettings", "DestinationArn")
	var group string
	if a, ok := at(dest, "Fn::GetAtt").([]any); ok && len(a) == 2 {
		group = str(a[0])
	} else {
		group, _, _ = strings.Cut(str(at(dest, "Fn::GetAtt")), ".")
	}
	if str(at(x.res(group), "Type")) != "AWS::Logs::LogGroup" || str(at(p, "AccessLogSettings", "Format")) == "" {
		t.Errorf("HttpApi access logs must go to a log group of this template with a Format; DestinationArn is %v", dest)
	}
}

func TestFunctionsDeployGraduallyTracedAndLogJSON(t *testing.T) {
	x := load(t)
	fns := x.resources("AWS::Serverless::Function")
	if len(fns) == 0 {
		t.Fatal("no functions")
	}
	for _, fn := range fns {
		if str(x.fnProp(fn, "AutoPublishAlias")) == "" {
			t.Errorf("%s: no AutoPublishAlias (needed for gradual deployments)", fn)
		}
		dp, _ := x.fnProp(fn, "DeploymentPreference").(map[string]any)
		if at(dp, "Type") == nil {
			t.Errorf("%s: no DeploymentPreference.Type", fn)
		}
		alarms, _ := at(dp, "Alarms").([]any)
		errorsAlarms := x.alarms("AWS/Lambda", "Errors", func(n string, v any) bool { return n == "FunctionName" && isRef(v, fn) })
		if !slices.ContainsFunc(alarms, func(a any) bool {
			return slices.ContainsFunc(errorsAlarms, func(id string) bool { return isRef(a, id) })
		}) {
			t.Errorf("%s: DeploymentPreference.Alarms must include its errors alarm (one of %v) to roll back", fn, errorsAlarms)
		}
		if str(x.fnProp(fn, "Tracing")) != "Active" {
			t.Errorf("%s: Tracing must be Active", fn)
		}
		lc := x.fnProp(fn, "LoggingConfig")
		if str(at(lc, "LogFormat")) != "JSON" || str(at(lc, "ApplicationLogLevel")) == "" || str(at(lc, "SystemLogLevel")) == "" {
			t.Errorf("%s: LoggingConfig must have LogFormat JSON and application and system log levels, has %v", fn, lc)
		}
	}
}

func TestConcurrencyBounds(t *testing.T) {
	x := load(t)
	// The public side must not starve invoicing.
	for _, fn := range []string{"PortalFunction", "PaymentsFunction"} {
		if at(x.res(fn), "Properties", "ReservedConcurrentExecutions") == nil {
			t.Errorf("%s: no ReservedConcurrentExecutions", fn)
		}
	}
	for _, fn := range x.resources("AWS::Serverless::Function") {
		events, _ := at(x.res(fn), "Properties", "Events").(map[string]any)
		for name, ev := range events {
			if str(at(ev, "Type")) == "SQS" && at(ev, "Properties", "ScalingConfig", "MaximumConcurrency") == nil {
				t.Errorf("%s event %s: an SQS event source needs ScalingConfig.MaximumConcurrency", fn, name)
			}
		}
	}
}

func TestCustomDomainOptionalAndPublicBaseURLRequired(t *testing.T) {
	x := load(t)
	params := at(x.doc, "Parameters")
	if p := at(params, "PublicBaseUrl"); p == nil || at(p, "Default") != nil {
		t.Error("PublicBaseUrl must be a parameter without a default: every link is built from it")
	}
	if p := at(params, "DomainName"); p == nil || at(p, "Default") != "" {
		t.Error(`DomainName must be an optional parameter (Default "")`)
	}
	if at(x.doc, "Conditions", "HasCustomDomain") == nil {
		t.Fatal("no HasCustomDomain condition")
	}
	domains := append(x.resources("AWS::ApiGatewayV2::DomainName"), x.resources("AWS::ApiGatewayV2::ApiMapping")...)
	if len(domains) < 2 {
		t.Errorf("want an AWS::ApiGatewayV2::DomainName and ApiMapping, have %v", domains)
	}
	for _, id := range domains {
		if c := str(at(x.res(id), "Condition")); c != "HasCustomDomain" {
			t.Errorf("%s: Condition is %q, want HasCustomDomain", id, c)
		}
	}
}

// TestWebFunctionCallsNoAWSService: the UI's function serves embedded
// pages and files, so it gets no policy (SAM's role still lets it write
// its logs and traces) and no variable naming a resource. Its binary
// links no AWS SDK either (internal/wire's dependency test).
func TestWebFunctionCallsNoAWSService(t *testing.T) {
	x := load(t)
	if x.res("WebFunction") == nil {
		t.Fatal("no WebFunction")
	}
	for _, key := range []string{"Policies", "Role", "Environment"} {
		if v := at(x.res("WebFunction"), "Properties", key); v != nil {
			t.Errorf("WebFunction has %s %v; it calls no AWS service", key, v)
		}
	}
}
