package provision

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// fnTags are the CloudFormation short-form tags that expand to {"Fn::<Name>": …}.
var fnTags = map[string]bool{
	"And": true, "Base64": true, "Cidr": true, "Equals": true, "FindInMap": true,
	"GetAZs": true, "If": true, "ImportValue": true, "Join": true, "Length": true,
	"Not": true, "Or": true, "Select": true, "Split": true, "Sub": true,
	"ToJsonString": true, "Transform": true,
}

// maxNodes bounds the size of an expanded template, so that aliases of
// aliases cannot make expansion exponential.
const maxNodes = 1 << 20

// expand returns n with every CloudFormation short-form tag rewritten to its
// long form (`!Ref X` becomes `{Ref: X}`, `!GetAtt A.B` becomes
// `{Fn::GetAtt: [A, B]}`) and every alias replaced by what it points to, so
// the rest of the package reads one form only.
func expand(n *yaml.Node) (*yaml.Node, error) {
	budget := maxNodes
	return expandNode(n, &budget)
}

func expandNode(n *yaml.Node, budget *int) (*yaml.Node, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("template too large after expanding aliases")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, fmt.Errorf("empty document")
		}
		return expandNode(n.Content[0], budget)
	case yaml.AliasNode:
		return expandNode(n.Alias, budget)
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]bool, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if seen[k.Value] {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
		}
	}
	out := *n
	out.Content = make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		e, err := expandNode(c, budget)
		if err != nil {
			return nil, err
		}
		out.Content[i] = e
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return &out, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	out.Tag = ""
	out.Style = 0
	switch {
	case name == "Ref" || name == "Condition":
		if out.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: !%s takes a name", n.Line, name)
		}
		out.Tag = "!!str"
		return longForm(n.Line, name, &out), nil
	case name == "GetAtt":
		if out.Kind == yaml.ScalarNode {
			res, attr, ok := strings.Cut(out.Value, ".")
			if !ok || res == "" || attr == "" {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, out.Value)
			}
			seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: n.Line, Column: n.Column,
				Content: []*yaml.Node{scalar(res, n.Line), scalar(attr, n.Line)}}
			return longForm(n.Line, "Fn::GetAtt", seq), nil
		}
		return longForm(n.Line, "Fn::GetAtt", &out), nil
	case fnTags[name]:
		switch out.Kind {
		case yaml.ScalarNode:
			out.Tag = "!!str"
		case yaml.SequenceNode:
			out.Tag = "!!seq"
		case yaml.MappingNode:
			out.Tag = "!!map"
		}
		return longForm(n.Line, "Fn::"+name, &out), nil
	default:
		return nil, fmt.Errorf("line %d: unknown tag !%s", n.Line, name)
	}
}

func scalar(v string, line int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Line: line}
}

func longForm(line int, key string, val *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: line, Content: []*yaml.Node{scalar(key, line), val}}
}

// pair is one key and value of a YAML mapping, in document order.
type pair struct {
	key string
	val *yaml.Node
}

// pairs lists a mapping's entries in document order; nil for anything else.
func pairs(n *yaml.Node) []pair {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{n.Content[i].Value, n.Content[i+1]})
	}
	return out
}

// field returns the value under key in mapping n, or nil when absent.
func field(n *yaml.Node, key string) *yaml.Node {
	for _, p := range pairs(n) {
		if p.key == key {
			return p.val
		}
	}
	return nil
}

// path follows keys through nested mappings; nil when any step is absent.
func path(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = field(n, k)
	}
	return n
}

func wantErr(n *yaml.Node, what, want string) error {
	return fmt.Errorf("line %d: %s: want %s", n.Line, what, want)
}

// str reads a plain scalar; an absent node gives "".
func str(n *yaml.Node, what string) (string, error) {
	if n == nil {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", wantErr(n, what, "a plain value, not an intrinsic function or a structure")
	}
	return n.Value, nil
}

// required reads a plain scalar that must be present and non-empty.
func required(parent *yaml.Node, key, what string) (string, error) {
	n := field(parent, key)
	if n == nil {
		if parent == nil {
			return "", fmt.Errorf("%s: %s is missing", what, key)
		}
		return "", fmt.Errorf("line %d: %s: %s is missing", parent.Line, what, key)
	}
	v, err := str(n, what+": "+key)
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", fmt.Errorf("line %d: %s: %s is empty", n.Line, what, key)
	}
	return v, nil
}

// strList reads a sequence of plain scalars (or a single scalar).
func strList(n *yaml.Node, what string) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, wantErr(n, what, "a list")
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		v, err := str(c, what)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// boolean reads true/false; an absent node gives def.
func boolean(n *yaml.Node, what string, def bool) (bool, error) {
	if n == nil {
		return def, nil
	}
	v, err := str(n, what)
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, wantErr(n, what, "true or false")
	}
	return b, nil
}

// integer reads a whole number; an absent node gives def.
func integer(n *yaml.Node, what string, def int64) (int64, error) {
	if n == nil {
		return def, nil
	}
	v, err := str(n, what)
	if err != nil {
		return 0, err
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, wantErr(n, what, "a whole number")
	}
	return i, nil
}

// value converts an expanded node into plain Go values: string for scalars,
// []any for sequences, map[string]any for mappings.
func value(n *yaml.Node) any {
	switch n.Kind {
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			out[i] = value(c)
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for _, p := range pairs(n) {
			out[p.key] = value(p.val)
		}
		return out
	default:
		return n.Value
	}
}

// refTarget returns X for a node that is exactly {Ref: X}.
func refTarget(n *yaml.Node) (string, bool) {
	ps := pairs(n)
	if len(ps) != 1 || ps[0].key != "Ref" || ps[0].val.Kind != yaml.ScalarNode {
		return "", false
	}
	return ps[0].val.Value, true
}

// getAttTarget returns X and A for a node that is exactly {Fn::GetAtt: [X, A]}.
func getAttTarget(n *yaml.Node) (res, attr string, ok bool) {
	ps := pairs(n)
	if len(ps) != 1 || ps[0].key != "Fn::GetAtt" {
		return "", "", false
	}
	v := ps[0].val
	switch {
	case v.Kind == yaml.ScalarNode:
		res, attr, ok = strings.Cut(v.Value, ".")
		return res, attr, ok
	case v.Kind == yaml.SequenceNode && len(v.Content) == 2 &&
		v.Content[0].Kind == yaml.ScalarNode && v.Content[1].Kind == yaml.ScalarNode:
		return v.Content[0].Value, v.Content[1].Value, true
	}
	return "", "", false
}
