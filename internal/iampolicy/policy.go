// Package iampolicy proves each function's IAM policy in template.yaml
// covers what the function really does, since moto does not enforce IAM:
// a Recorder notes every AWS operation a function's SDK clients make
// during its tests (as the IAM actions and resource ARNs AWS would
// authorize), and Check evaluates them against the function's Policies —
// inline statements and SAM policy templates, expanded as SAM expands them.
//
// The evaluation is IAM's for identity policies: an explicit Deny wins,
// otherwise some Allow must match the action and resource (with * and ?
// wildcards) and its conditions. The only condition understood is
// dynamodb:EnclosingOperation (StringEquals, ForAnyValue:StringEquals);
// any other fails the check rather than being guessed.
package iampolicy

import (
	"fmt"
	"sort"
	"strings"
)

// Statement is one IAM policy statement with its resources resolved to
// ARNs.
type Statement struct {
	Sid       string
	Effect    string // Allow or Deny
	Actions   []string
	Resources []string
	// Conditions maps operator → key → accepted values.
	Conditions map[string]map[string][]string
}

// Request is one authorization AWS would make for an operation.
type Request struct {
	// Action is service:Action, such as dynamodb:PutItem.
	Action string
	// Resource is the ARN the action is authorized on, or "*" for actions
	// without one (an SMS published to a phone number).
	Resource string
	// EnclosingOperation is TransactWriteItems or TransactGetItems for the
	// per-item authorizations of a DynamoDB transaction, else "".
	EnclosingOperation string
}

func (r Request) String() string {
	s := r.Action + " on " + r.Resource
	if r.EnclosingOperation != "" {
		s += " (in " + r.EnclosingOperation + ")"
	}
	return s
}

// Allows reports whether statements allow r: no Deny matches and some
// Allow does. An error names a condition it cannot evaluate.
func Allows(statements []Statement, r Request) (bool, error) {
	allowed := false
	for _, s := range statements {
		ok, err := s.matches(r)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		if s.Effect == "Deny" {
			return false, nil
		}
		allowed = true
	}
	return allowed, nil
}

func (s Statement) matches(r Request) (bool, error) {
	if !anyGlob(s.Actions, r.Action, true) || !anyGlob(s.Resources, r.Resource, false) {
		return false, nil
	}
	for _, op := range sortedKeys(s.Conditions) {
		for key, want := range s.Conditions[op] {
			if !strings.EqualFold(key, "dynamodb:EnclosingOperation") {
				return false, fmt.Errorf("statement %s: condition key %s is not understood by iampolicy", s.Sid, key)
			}
			have := r.EnclosingOperation
			switch op {
			case "StringEquals", "ForAnyValue:StringEquals":
				if have == "" || !contains(want, have) {
					return false, nil
				}
			default:
				return false, fmt.Errorf("statement %s: condition operator %s is not understood by iampolicy", s.Sid, op)
			}
		}
	}
	return true, nil
}

func anyGlob(patterns []string, s string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			p, s = strings.ToLower(p), strings.ToLower(s)
		}
		if p == "*" || globMatch(p, s) {
			return true
		}
	}
	return false
}

// globMatch matches IAM wildcards: * any run of characters (including
// '/'), ? one character.
func globMatch(pattern, s string) bool {
	// Not path.Match: it stops * at '/' and reads '[' as a class; IAM does
	// neither.
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if globMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
