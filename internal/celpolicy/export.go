package celpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

// ExportOptions says how the lint policy configures the rules.
type ExportOptions struct {
	// Effective returns whether a rule is enabled and its severity (nil:
	// the rule's own defaults).
	Effective func(id string) (enabled bool, sev finding.Severity)
	// TwinParams returns the lint policy's parameters of a built-in rule.
	TwinParams func(id string) map[string]any
}

// Export returns the cluster objects of the enabled rules, in apply order:
// the PolicyParameters CRD when a rule has inline parameters, then for each
// rule its parameters, its ValidatingAdmissionPolicy and its binding
// (validationActions Deny for errors, Warn otherwise).
func (s *Set) Export(opts ExportOptions) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	var params []map[string]any
	for _, r := range s.Rules {
		enabled, sev := r.EnabledByDefault(), r.Severity
		if opts.Effective != nil {
			enabled, sev = opts.Effective(r.ID)
		}
		if !enabled {
			continue
		}
		if r.hasInlineParams() {
			var overlay map[string]any
			if r.Builtin && opts.TwinParams != nil {
				overlay = opts.TwinParams(r.ID)
			}
			po := r.paramsObject(overlay)
			vals := map[string]any{}
			for k, v := range po.Object {
				if !reservedParams[k] {
					vals[k] = v
				}
			}
			params = append(params, vals)
			out = append(out, po)
		}
		for _, obj := range []any{r.admissionPolicy(), r.binding(Action(sev))} {
			u, err := toUnstructured(obj)
			if err != nil {
				return nil, fmt.Errorf("rule %s: %w", r.ID, err)
			}
			out = append(out, u)
		}
	}
	if len(params) > 0 {
		out = append([]*unstructured.Unstructured{paramsCRD(params)}, out...)
	}
	return out, nil
}

// toUnstructured converts an API object through JSON, leaving out the
// empty status and the null creationTimestamp a typed object carries.
func toUnstructured(obj any) (*unstructured.Unstructured, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(m, "status")
	return u, nil
}

// WriteYAML writes objects as a multi-document YAML stream with a header
// comment (each line prefixed with "# ").
func WriteYAML(w io.Writer, header string, objs []*unstructured.Unstructured) error {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if header == "" {
			break
		}
		b.WriteString(strings.TrimRight("# "+line, " ") + "\n")
	}
	for i, o := range objs {
		if i > 0 || header != "" {
			b.WriteString("---\n")
		}
		data, err := marshalYAML(o.Object)
		if err != nil {
			return err
		}
		b.Write(data)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// marshalYAML writes v with sorted keys, two-space indentation and
// multi-line strings (CEL expressions) as literal blocks, so the exported
// expressions read as they were written.
func marshalYAML(v any) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	literalBlocks(&n)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func literalBlocks(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.Contains(n.Value, "\n") && !strings.Contains(n.Value, " \n") {
		n.Style = yaml.LiteralStyle
	}
	for _, c := range n.Content {
		literalBlocks(c)
	}
}
