package provision

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

func (t *Template) addFunction(id string, props, globals *yaml.Node) error {
	f := Function{LogicalID: id, Environment: map[string]any{}}
	for _, src := range []*yaml.Node{globals, props} {
		vars := path(src, "Environment", "Variables")
		if vars != nil && vars.Kind != yaml.MappingNode {
			return wantErr(vars, "Environment.Variables", "a mapping")
		}
		for _, p := range pairs(vars) {
			f.Environment[p.key] = value(p.val)
		}
	}
	code := field(props, "CodeUri")
	if code == nil {
		code = field(globals, "CodeUri")
	}
	if code != nil && code.Kind == yaml.ScalarNode {
		f.CodeURI = code.Value
	}
	handler := field(props, "Handler")
	if handler == nil {
		handler = field(globals, "Handler")
	}
	var err error
	if f.Handler, err = str(handler, "Handler"); err != nil {
		return err
	}
	t.Functions = append(t.Functions, f)

	for _, ev := range pairs(field(props, "Events")) {
		typ, err := required(ev.val, "Type", "event "+ev.key)
		if err != nil {
			return err
		}
		ep := field(ev.val, "Properties")
		switch typ {
		case "HttpApi":
			err = t.addRoute(id, ep)
		case "SQS":
			err = t.addQueueEvent(id, ep)
		case "Schedule", "ScheduleV2":
			err = t.addScheduleEvent(id, ev.key, typ, ep)
		}
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.key, err)
		}
	}
	return nil
}

func (t *Template) addRoute(fn string, props *yaml.Node) error {
	method, err := str(field(props, "Method"), "Method")
	if err != nil {
		return err
	}
	p, err := str(field(props, "Path"), "Path")
	if err != nil {
		return err
	}
	switch {
	case method == "" && p == "":
		method, p = "ANY", "$default"
	case method == "" || p == "":
		return fmt.Errorf("an HttpApi event needs both Method and Path, or neither")
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("event Path %q must start with /", p)
	}
	method = strings.ToUpper(method)
	if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" {
		method = "ANY"
	}
	t.Routes = append(t.Routes, Route{Function: fn, Method: method, Path: p})
	return nil
}

func (t *Template) addQueueEvent(fn string, props *yaml.Node) error {
	qn := field(props, "Queue")
	q, attr, ok := getAttTarget(qn)
	if qn == nil || !ok || attr != "Arn" || t.types[q] != typeQueue {
		return fmt.Errorf("Queue must be !GetAtt <Queue>.Arn of a queue in this template")
	}
	e := QueueEvent{Function: fn, Queue: q}
	var err error
	if e.BatchSize, err = integer(field(props, "BatchSize"), "BatchSize", 10); err != nil {
		return err
	}
	if e.Enabled, err = boolean(field(props, "Enabled"), "Enabled", true); err != nil {
		return err
	}
	types, err := strList(field(props, "FunctionResponseTypes"), "FunctionResponseTypes")
	if err != nil {
		return err
	}
	for _, rt := range types {
		e.ReportBatchItemFailures = e.ReportBatchItemFailures || rt == "ReportBatchItemFailures"
	}
	t.QueueEvents = append(t.QueueEvents, e)
	return nil
}

func (t *Template) addScheduleEvent(fn, event, typ string, props *yaml.Node) error {
	s := Schedule{Name: fn + "." + event, Function: fn}
	key := "Schedule"
	if typ == "ScheduleV2" {
		key = "ScheduleExpression"
	}
	var err error
	if s.Expression, err = required(props, key, typ+" event"); err != nil {
		return err
	}
	if s.Input, err = str(field(props, "Input"), "Input"); err != nil {
		return err
	}
	if s.Enabled, err = boolean(field(props, "Enabled"), "Enabled", true); err != nil {
		return err
	}
	if state, err := str(field(props, "State"), "State"); err != nil {
		return err
	} else if state != "" {
		s.Enabled = state == "ENABLED"
	}
	t.Schedules = append(t.Schedules, s)
	return nil
}

// addScheduleResource records an AWS::Events::Rule or AWS::Scheduler::Schedule
// with a schedule expression, once per function it targets. Event-pattern
// rules and targets that are not functions of this template are ignored.
func (t *Template) addScheduleResource(id string, props *yaml.Node) error {
	expr, err := str(field(props, "ScheduleExpression"), "ScheduleExpression")
	if err != nil || expr == "" {
		return err
	}
	state, err := str(field(props, "State"), "State")
	if err != nil {
		return err
	}
	targets := field(props, "Targets")
	if t.types[id] == typeSchedulerRun {
		targets = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{field(props, "Target")}}
	}
	if targets == nil || targets.Kind != yaml.SequenceNode {
		return fmt.Errorf("a scheduled rule needs targets")
	}
	for _, tg := range targets.Content {
		fn, attr, ok := getAttTarget(field(tg, "Arn"))
		if !ok || attr != "Arn" || t.types[fn] != typeFunction {
			continue
		}
		input, err := str(field(tg, "Input"), "Input")
		if err != nil {
			return err
		}
		t.Schedules = append(t.Schedules, Schedule{
			Name: id, Function: fn, Expression: expr, Input: input,
			Enabled: state == "" || state == "ENABLED",
		})
	}
	return nil
}
