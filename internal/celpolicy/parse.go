package celpolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	admv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sjson "sigs.k8s.io/json"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/loader"
)

// MaxIDLength keeps emmdev.dev/ignore-<id> within the 63 characters a
// Kubernetes annotation name may have.
const MaxIDLength = 63 - len("ignore-")

var idPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// reservedParams are the fields every Kubernetes object has; the exported
// PolicyParameters object carries the parameters next to them.
var reservedParams = map[string]bool{"apiVersion": true, "kind": true, "metadata": true}

// IsCELPolicy reports whether data's first document is a CELPolicy, so a
// caller can tell custom-rule files from lint policy files.
func IsCELPolicy(data []byte) bool {
	var head struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if dec.Decode(&head) != nil {
		return false
	}
	return head.APIVersion == APIVersion && head.Kind == Kind
}

// Parse reads the CELPolicy documents of one file strictly: an unknown key,
// a wrong type or a missing field is an error at its line and column.
func Parse(src Source) ([]*Policy, error) {
	p := &parser{file: src.Name, lines: strings.Split(string(src.Data), "\n")}
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	var out []*Policy
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, problem := loader.SyntaxError(src.Data, err.Error())
			return nil, &Error{Pos: Pos{File: src.Name, Line: line}, Msg: problem}
		}
		if len(doc.Content) == 0 || (doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null") {
			continue
		}
		pol, err := p.policy(doc.Content[0])
		if err != nil {
			return nil, err
		}
		out = append(out, pol)
	}
	if len(out) == 0 {
		return nil, &Error{Pos: Pos{File: src.Name}, Msg: "no CELPolicy document in the file"}
	}
	return out, nil
}

type parser struct {
	file  string
	lines []string
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p *parser) errf(n *yaml.Node, format string, a ...any) error {
	return &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, a...)}
}

type pair struct{ key, val *yaml.Node }

// mapping returns the entries of a mapping node in order, refusing
// duplicate and non-string keys.
func (p *parser) mapping(n *yaml.Node, what string) ([]pair, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n, "%s must be a mapping", what)
	}
	seen := map[string]bool{}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" && k.ShortTag() != "!!int" && k.ShortTag() != "!!bool" {
			return nil, p.errf(k, "keys of %s must be strings", what)
		}
		if seen[k.Value] {
			return nil, p.errf(k, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		out = append(out, pair{k, n.Content[i+1]})
	}
	return out, nil
}

func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", p.errf(n, "%s must be a string", what)
	}
	return n.Value, nil
}

func (p *parser) policy(root *yaml.Node) (*Policy, error) {
	entries, err := p.mapping(root, "a CELPolicy document")
	if err != nil {
		return nil, err
	}
	pol := &Policy{Pos: p.pos(root), nodes: map[string]Pos{}}
	var spec, specKey *yaml.Node
	var haveAPIVersion, haveKind bool
	for _, e := range entries {
		switch e.key.Value {
		case "apiVersion", "kind":
			want := map[string]string{"apiVersion": APIVersion, "kind": Kind}[e.key.Value]
			if e.val.Kind != yaml.ScalarNode || e.val.Value != want {
				return nil, p.errf(e.val, "%s must be %q", e.key.Value, want)
			}
			haveAPIVersion = haveAPIVersion || e.key.Value == "apiVersion"
			haveKind = haveKind || e.key.Value == "kind"
		case "metadata":
			if err := p.metadata(pol, e.val); err != nil {
				return nil, err
			}
		case "spec":
			spec, specKey = e.val, e.key
		default:
			return nil, p.errf(e.key, "unknown key %q (want apiVersion, kind, metadata, spec)", e.key.Value)
		}
	}
	switch {
	case !haveAPIVersion || !haveKind:
		return nil, p.errf(root, "a CELPolicy document needs apiVersion: %s and kind: %s", APIVersion, Kind)
	case pol.Name == "":
		return nil, p.errf(root, "metadata.name is required")
	case spec == nil:
		return nil, p.errf(root, "spec is required")
	}
	if err := p.spec(pol, specKey, spec); err != nil {
		return nil, err
	}
	return pol, nil
}

func (p *parser) metadata(pol *Policy, n *yaml.Node) error {
	entries, err := p.mapping(n, "metadata")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.key.Value != "name" {
			return p.errf(e.key, "unknown key %q in metadata (want name)", e.key.Value)
		}
		name, err := p.str(e.val, "metadata.name")
		if err != nil {
			return err
		}
		if !idPattern.MatchString(name) || len(name) > 63 {
			return p.errf(e.val, "metadata.name %q must be a DNS label: lower-case letters, digits and '-', at most 63 characters", name)
		}
		pol.Name = name
	}
	return nil
}

func (p *parser) spec(pol *Policy, key, n *yaml.Node) error {
	entries, err := p.mapping(n, "spec")
	if err != nil {
		return err
	}
	p.index(pol.nodes, "spec", n)
	var rules, paramKind *yaml.Node
	for _, e := range entries {
		if e.key.Value == "paramKind" || e.key.Value == "paramRef" || (e.key.Value == "params" && paramKind == nil) {
			paramKind = e.key
		}
		path := "spec." + e.key.Value
		switch e.key.Value {
		case "matchConstraints":
			pol.MatchConstraints = &admv1.MatchResources{}
			err = p.strict(pol, path, e.val, pol.MatchConstraints)
		case "matchConditions":
			err = p.strict(pol, path, e.val, &pol.MatchConditions)
		case "variables":
			err = p.strict(pol, path, e.val, &pol.Variables)
		case "paramKind":
			pol.ParamKind = &admv1.ParamKind{}
			err = p.strict(pol, path, e.val, pol.ParamKind)
		case "paramRef":
			pol.ParamRef = &admv1.ParamRef{}
			err = p.strict(pol, path, e.val, pol.ParamRef)
		case "params":
			err = p.params(pol, e.val)
		case "rules":
			rules = e.val
		default:
			err = p.errf(e.key, "unknown key %q in spec (want matchConstraints, matchConditions, variables, params, paramKind, paramRef, rules)", e.key.Value)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case pol.MatchConstraints == nil:
		return p.errf(key, "spec.matchConstraints is required: say which resources the rules apply to (resourceRules)")
	case pol.Params != nil && pol.ParamKind != nil:
		return p.errf(paramKind, "spec.params (inline) and spec.paramKind (from the cluster) are exclusive")
	case (pol.ParamKind == nil) != (pol.ParamRef == nil):
		return p.errf(paramKind, "spec.paramKind and spec.paramRef go together: the binding needs to know which object holds the parameters")
	case rules == nil:
		return p.errf(key, "spec.rules is required")
	}
	if rules.Kind != yaml.SequenceNode || len(rules.Content) == 0 {
		return p.errf(rules, "spec.rules must be a non-empty list")
	}
	for _, rn := range rules.Content {
		r, err := p.rule(pol, rn)
		if err != nil {
			return err
		}
		pol.Rules = append(pol.Rules, r)
	}
	return nil
}

// strict decodes a subtree into a Kubernetes API type, refusing unknown
// fields the way `kubectl apply --validate=strict` does.
func (p *parser) strict(pol *Policy, path string, n *yaml.Node, into any) error {
	v, err := p.value(n)
	if err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return p.errf(n, "%s: %v", path, err)
	}
	strictErrs, err := sjson.UnmarshalStrict(data, into)
	if err != nil {
		return p.errf(n, "%s: %s", path, strings.TrimPrefix(err.Error(), "json: "))
	}
	if len(strictErrs) > 0 {
		msg := strictErrs[0].Error()
		pos := pol.nodes[path]
		if q := quoted(msg); q != "" {
			if at, ok := pol.nodes[joinPath(path, q)]; ok {
				pos = at
			}
		}
		return &Error{Pos: pos, Msg: fmt.Sprintf("%s: %s", path, msg)}
	}
	return nil
}

func quoted(msg string) string {
	i := strings.IndexByte(msg, '"')
	j := strings.LastIndexByte(msg, '"')
	if i < 0 || j <= i {
		return ""
	}
	return msg[i+1 : j]
}

func joinPath(base, rel string) string {
	if strings.HasPrefix(rel, "[") {
		return base + rel
	}
	return base + "." + rel
}

func (p *parser) params(pol *Policy, n *yaml.Node) error {
	entries, err := p.mapping(n, "spec.params")
	if err != nil {
		return err
	}
	pol.Params = map[string]any{}
	for _, e := range entries {
		if reservedParams[e.key.Value] {
			return p.errf(e.key, "parameter name %q is taken by every Kubernetes object; choose another", e.key.Value)
		}
		v, err := p.value(e.val)
		if err != nil {
			return err
		}
		pol.Params[e.key.Value] = v
	}
	return nil
}

func (p *parser) rule(pol *Policy, n *yaml.Node) (*Rule, error) {
	entries, err := p.mapping(n, "a rule")
	if err != nil {
		return nil, err
	}
	r := &Rule{Policy: pol, Pos: p.pos(n), Severity: finding.Error, nodes: map[string]Pos{}}
	for _, e := range entries {
		key := e.key.Value
		switch key {
		case "id", "description", "remediation", "expression", "message", "messageExpression", "reason":
			s, err := p.str(e.val, key)
			if err != nil {
				return nil, err
			}
			r.nodes[key] = p.exprStart(e.val)
			switch key {
			case "id":
				r.ID = s
			case "description":
				r.Description = s
			case "remediation":
				r.Remediation = s
			case "expression":
				r.Validation.Expression = s
			case "message":
				r.Validation.Message = s
			case "messageExpression":
				r.Validation.MessageExpression = s
			case "reason":
				reason := metav1.StatusReason(s)
				r.Validation.Reason = &reason
			}
		case "severity":
			s, err := finding.ParseSeverity(e.val.Value)
			if err != nil || e.val.Kind != yaml.ScalarNode {
				return nil, p.errf(e.val, "severity must be error, warning or info")
			}
			r.Severity = s
		case "enabled", "builtin":
			var b bool
			if e.val.Kind != yaml.ScalarNode || e.val.ShortTag() != "!!bool" || e.val.Decode(&b) != nil {
				return nil, p.errf(e.val, "%s must be true or false", key)
			}
			if key == "enabled" {
				r.Enabled = &b
			} else {
				r.Builtin = b
			}
		default:
			return nil, p.errf(e.key, "unknown key %q in a rule (want id, severity, enabled, builtin, description, remediation, expression, message, messageExpression, reason)", key)
		}
	}
	switch {
	case r.ID == "":
		return nil, p.errf(n, "a rule needs an id")
	case !idPattern.MatchString(r.ID) || len(r.ID) > MaxIDLength:
		return nil, &Error{Pos: r.fieldPos("id"), Msg: fmt.Sprintf("rule id %q must be lower-case letters, digits and '-', at most %d characters (it becomes the annotation emmdev.dev/ignore-<id>)", r.ID, MaxIDLength)}
	case strings.TrimSpace(r.Validation.Expression) == "":
		return nil, p.errf(n, "rule %s needs an expression", r.ID)
	}
	if r.Description == "" {
		r.Description = strings.TrimSpace(r.Validation.Message)
	}
	if r.Description == "" {
		r.Description = "CEL: " + strings.Join(strings.Fields(r.Validation.Expression), " ")
	}
	return r, nil
}

// exprStart is where the text of a scalar starts: for block scalars (| and
// >) the first content line, for quoted ones the character after the quote.
func (p *parser) exprStart(n *yaml.Node) Pos {
	pos := p.pos(n)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		pos.Line++
		if pos.Line-1 < len(p.lines) {
			line := p.lines[pos.Line-1]
			pos.Col = len(line) - len(strings.TrimLeft(line, " ")) + 1
		}
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		pos.Col++
	}
	return pos
}

// index records the position of every key and list item under n, by the
// field path kube-apiserver's validation errors use.
func (p *parser) index(into map[string]Pos, path string, n *yaml.Node) {
	into[path] = p.pos(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := path + "." + k.Value
			p.index(into, child, v)
			if v.Kind != yaml.ScalarNode {
				into[child] = p.pos(k) // a scalar keeps where its text starts
			}
			into[path+"["+k.Value+"]"] = into[child]
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			p.index(into, path+"["+strconv.Itoa(i)+"]", it)
		}
	case yaml.ScalarNode:
		into[path] = p.exprStart(n)
	}
}

// value converts a node to a JSON-compatible value. Anchors and aliases are
// refused: a policy file is small and plain, and an alias bomb is not.
func (p *parser) value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return nil, p.errf(n, "aliases are not supported in policy files")
	case yaml.MappingNode:
		entries, err := p.mapping(n, "a mapping")
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			v, err := p.value(e.val)
			if err != nil {
				return nil, err
			}
			m[e.key.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, it := range n.Content {
			v, err := p.value(it)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		if n.Anchor != "" {
			return nil, p.errf(n, "anchors are not supported in policy files")
		}
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			err := n.Decode(&b)
			return b, err
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, p.errf(n, "%v", err)
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, p.errf(n, "%v", err)
			}
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, p.errf(n, "%s cannot be represented in JSON", n.Value)
			}
			return f, nil
		case "!!str":
			return n.Value, nil
		}
		return nil, p.errf(n, "unsupported YAML value %s", n.ShortTag())
	}
	return nil, p.errf(n, "unsupported YAML node")
}
