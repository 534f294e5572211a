// Package policy reads the lint policy file (which rules run, at what
// severity, with which parameters) strictly: any unknown key, rule or
// parameter, or a value of the wrong type, is an error with file:line:col.
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

// Kind and APIVersion identify a policy document.
const (
	APIVersion = "emmdev.dev/v1alpha1"
	Kind       = "LintPolicy"
)

// RuleConfig is the effective configuration of one rule.
type RuleConfig struct {
	Enabled  bool
	Severity finding.Severity
	Params   rules.Params
}

// Policy maps rule IDs to their effective configuration. Every registered
// rule has an entry.
type Policy struct {
	Source string
	Rules  map[string]RuleConfig
	// Exclude holds path patterns never linted (loader.CompileExclude syntax).
	Exclude []string
}

// Defaults is the policy implied by the rule metadata alone.
func Defaults(reg *rules.Registry) *Policy {
	p := &Policy{Source: "built-in defaults", Rules: map[string]RuleConfig{}}
	for _, r := range reg.All() {
		p.Rules[r.ID] = RuleConfig{Enabled: r.EnabledByDefault(), Severity: r.Severity, Params: rules.Params{}}
	}
	return p
}

// Parse overlays the policy document in data (named name in errors) on the
// rule defaults: rules it does not mention keep their metadata defaults.
func Parse(name string, data []byte, reg *rules.Registry) (*Policy, error) {
	p := Defaults(reg)
	p.Source = name
	pe := func(n *yaml.Node, format string, a ...any) error {
		return fmt.Errorf("%s:%d:%d: %s", name, n.Line, n.Column, fmt.Sprintf(format, a...))
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty policy file", name)
		}
		if line, problem := loader.SyntaxError(data, err.Error()); line > 0 {
			return nil, fmt.Errorf("%s:%d: %s", name, line, problem)
		}
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: a policy file holds exactly one YAML document", name)
	}
	root := doc.Content[0]
	top, err := mapping(root, pe)
	if err != nil {
		return nil, err
	}
	for _, kv := range top {
		switch kv.key.Value {
		case "apiVersion", "kind":
			want := map[string]string{"apiVersion": APIVersion, "kind": Kind}[kv.key.Value]
			if kv.val.Kind != yaml.ScalarNode || kv.val.Value != want {
				return nil, pe(kv.val, "%s must be %q", kv.key.Value, want)
			}
		case "rules":
			entries, err := mapping(kv.val, pe)
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				rule, ok := reg.Get(e.key.Value)
				if !ok {
					return nil, pe(e.key, "unknown rule %q (see emmdev lint --list-rules)", e.key.Value)
				}
				rc, err := parseRule(rule, p.Rules[rule.ID], e.val, pe)
				if err != nil {
					return nil, err
				}
				if err := checkRuleConfig(rule, rc, e.key, pe); err != nil {
					return nil, err
				}
				p.Rules[rule.ID] = rc
			}
		case "exclude":
			if p.Exclude, err = parseExclude(kv.val, pe); err != nil {
				return nil, err
			}
		default:
			return nil, pe(kv.key, "unknown key %q (want apiVersion, kind, rules, exclude)", kv.key.Value)
		}
	}
	return p, nil
}

type errFunc func(n *yaml.Node, format string, a ...any) error

type pair struct{ key, val *yaml.Node }

func mapping(n *yaml.Node, pe errFunc) ([]pair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, pe(n, "want a mapping")
	}
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode {
			return nil, pe(k, "keys must be strings")
		}
		if seen[k.Value] {
			return nil, pe(k, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		out = append(out, pair{k, n.Content[i+1]})
	}
	return out, nil
}

func parseRule(rule *rules.Rule, rc RuleConfig, n *yaml.Node, pe errFunc) (RuleConfig, error) {
	entries, err := mapping(n, pe)
	if err != nil {
		return rc, err
	}
	rc.Params = rules.Params{}
	for _, e := range entries {
		switch e.key.Value {
		case "enabled":
			var b bool
			if e.val.Kind != yaml.ScalarNode || e.val.ShortTag() != "!!bool" || e.val.Decode(&b) != nil {
				return rc, pe(e.val, "enabled must be true or false")
			}
			rc.Enabled = b
		case "severity":
			s, err := finding.ParseSeverity(e.val.Value)
			if err != nil || e.val.Kind != yaml.ScalarNode {
				return rc, pe(e.val, "severity must be error, warning or info")
			}
			rc.Severity = s
		case "params":
			params, err := mapping(e.val, pe)
			if err != nil {
				return rc, err
			}
			for _, prm := range params {
				kind, ok := rule.Params[prm.key.Value]
				if !ok {
					return rc, pe(prm.key, "rule %s has no parameter %q%s", rule.ID, prm.key.Value, known(rule.Params))
				}
				v, err := paramValue(kind, prm.val, pe)
				if err != nil {
					return rc, err
				}
				if err := checkParam(rule, prm.key.Value, kind, prm.val, pe); err != nil {
					return rc, err
				}
				rc.Params[prm.key.Value] = v
			}
		default:
			return rc, pe(e.key, "unknown key %q in rule %s (want enabled, severity, params)", e.key.Value, rule.ID)
		}
	}
	return rc, nil
}

func paramValue(kind rules.ParamKind, n *yaml.Node, pe errFunc) (any, error) {
	switch kind {
	case rules.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return nil, pe(n, "want true or false")
		}
		return b, nil
	case rules.StringList, rules.GlobList, rules.ResourceList:
		if n.Kind != yaml.SequenceNode {
			return nil, pe(n, "want a list of strings")
		}
		out := make([]string, 0, len(n.Content))
		for _, it := range n.Content {
			if it.Kind != yaml.ScalarNode || it.ShortTag() != "!!str" || it.Value == "" {
				return nil, pe(it, "want a non-empty string")
			}
			out = append(out, it.Value)
		}
		return out, nil
	}
	return nil, pe(n, "unsupported parameter type")
}

func known(params map[string]rules.ParamKind) string {
	if len(params) == 0 {
		return " (it takes none)"
	}
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	return " (known: " + strings.Join(names, ", ") + ")"
}
