package provision

import (
	"fmt"
	"sort"
	"strings"
)

// lookup answers Ref and Fn::GetAtt for the resolver.
type lookup interface {
	ref(name string) (string, error)
	getAtt(resource, attr string) (string, error)
}

// resolve evaluates a long-form template value to a string the way
// CloudFormation would. present is false for {Ref: AWS::NoValue}.
func resolve(v any, l lookup) (s string, present bool, err error) {
	switch v := v.(type) {
	case string:
		return v, true, nil
	case map[string]any:
		if len(v) != 1 {
			return "", false, fmt.Errorf("want a string or one intrinsic function, got a mapping with %d keys", len(v))
		}
		for fn, arg := range v {
			if fn == "Ref" {
				name, ok := arg.(string)
				if !ok {
					return "", false, fmt.Errorf("!Ref takes a name")
				}
				if name == "AWS::NoValue" {
					return "", false, nil
				}
				s, err := l.ref(name)
				return s, err == nil, err
			}
			s, err := resolveFn(fn, arg, l)
			return s, err == nil, err
		}
	}
	return "", false, fmt.Errorf("want a string, got %T", v)
}

func resolveFn(fn string, arg any, l lookup) (string, error) {
	switch fn {
	case "Fn::GetAtt":
		switch a := arg.(type) {
		case string:
			res, attr, ok := strings.Cut(a, ".")
			if ok {
				return l.getAtt(res, attr)
			}
		case []any:
			if len(a) == 2 {
				res, ok1 := a[0].(string)
				attr, ok2 := a[1].(string)
				if ok1 && ok2 {
					return l.getAtt(res, attr)
				}
			}
		}
		return "", fmt.Errorf("Fn::GetAtt takes [Resource, Attribute]")
	case "Fn::Sub":
		switch a := arg.(type) {
		case string:
			return sub(a, nil, l)
		case []any:
			if len(a) == 2 {
				tmpl, ok1 := a[0].(string)
				vars, ok2 := a[1].(map[string]any)
				if ok1 && ok2 {
					return sub(tmpl, vars, l)
				}
			}
		}
		return "", fmt.Errorf("Fn::Sub takes a string or [string, {variables}]")
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return "", fmt.Errorf("Fn::Join takes [delimiter, [values]]")
		}
		delim, ok1 := a[0].(string)
		parts, ok2 := a[1].([]any)
		if !ok1 || !ok2 {
			return "", fmt.Errorf("Fn::Join takes [delimiter, [values]]")
		}
		out := make([]string, 0, len(parts))
		for _, p := range parts {
			s, present, err := resolve(p, l)
			if err != nil {
				return "", fmt.Errorf("Fn::Join: %w", err)
			}
			if present {
				out = append(out, s)
			}
		}
		return strings.Join(out, delim), nil
	}
	return "", fmt.Errorf("%s is not supported here (Ref, Fn::GetAtt, Fn::Sub and Fn::Join are)", fn)
}

// sub expands ${Name}, ${Resource.Attribute} and ${!Literal} in s.
func sub(s string, vars map[string]any, l lookup) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+2:]
		j := strings.Index(s, "}")
		if j < 0 {
			return "", fmt.Errorf("Fn::Sub: unterminated ${ in %q", s)
		}
		name := s[:j]
		s = s[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		name = strings.TrimSpace(name)
		var (
			v   string
			err error
		)
		if val, ok := vars[name]; ok {
			v, _, err = resolve(val, l)
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = l.getAtt(res, attr)
		} else {
			v, err = l.ref(name)
		}
		if err != nil {
			return "", fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		b.WriteString(v)
	}
}

// checker is a lookup that only verifies names exist, for Load.
type checker struct{ t *Template }

func (t *Template) checker() checker { return checker{t} }

func (c checker) ref(name string) (string, error) {
	if _, ok := pseudo(name, "", ""); ok {
		return "", nil
	}
	if _, ok := c.t.Parameters[name]; ok {
		return "", nil
	}
	if _, ok := c.t.types[name]; ok {
		return "", nil
	}
	return "", fmt.Errorf("!Ref %s: no such parameter or resource", name)
}

func (c checker) getAtt(res, attr string) (string, error) {
	if _, ok := c.t.types[res]; !ok {
		return "", fmt.Errorf("Fn::GetAtt %s.%s: no such resource", res, attr)
	}
	return "", nil
}

// AccountID is the account moto uses by default, and so the account in every
// ARN and ${AWS::AccountId} that Resources resolves.
const AccountID = "123456789012"

// pseudo resolves CloudFormation pseudo parameters.
func pseudo(name, region, stack string) (string, bool) {
	switch name {
	case "AWS::Region":
		return region, true
	case "AWS::AccountId":
		return AccountID, true
	case "AWS::Partition":
		return "aws", true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return stack, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/local", region, AccountID, stack), true
	}
	return "", false
}

// sortedKeys returns m's keys in order, for deterministic errors.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
