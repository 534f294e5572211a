package celpolicy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/kubernetes/pkg/apis/admissionregistration"
	admvalidation "k8s.io/kubernetes/pkg/apis/admissionregistration/validation"

	admv1 "k8s.io/api/admissionregistration/v1"
)

// validateAsAPIServer runs kube-apiserver's own validation of a create of
// the rule's ValidatingAdmissionPolicy and binding (defaulted and converted
// to the internal version first, as the server does): CEL that does not
// compile in the 1.37 environment, a wrong return type, a bad reason, a bad
// match constraint.
func (r *Rule) validateAsAPIServer() []*Error {
	scheme, err := kubeScheme()
	if err != nil {
		return []*Error{{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: %v", r.ID, err)}}
	}
	vap := r.admissionPolicy()
	scheme.Default(vap)
	var internal admissionregistration.ValidatingAdmissionPolicy
	if err := scheme.Convert(vap, &internal, nil); err != nil {
		return []*Error{{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: %v", r.ID, err)}}
	}
	errs := admvalidation.ValidateValidatingAdmissionPolicy(&internal)

	b := r.binding(admv1.Deny)
	scheme.Default(b)
	var internalBinding admissionregistration.ValidatingAdmissionPolicyBinding
	if err := scheme.Convert(b, &internalBinding, nil); err != nil {
		return []*Error{{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: %v", r.ID, err)}}
	}
	errs = append(errs, admvalidation.ValidateValidatingAdmissionPolicyBinding(&internalBinding)...)

	var out []*Error
	for _, e := range errs {
		msg := e.Type.String()
		if e.Type == field.ErrorTypeNotSupported || e.Type == field.ErrorTypeDuplicate {
			// short values say what is wrong; expressions (Invalid) would
			// only repeat the policy file
			msg += fmt.Sprintf(": %q", fmt.Sprint(e.BadValue))
		}
		if e.Detail != "" {
			msg += ": " + e.Detail
		}
		out = append(out, r.errorAt(e.Field, msg))
	}
	return out
}

// errorAt builds an error for a ValidatingAdmissionPolicy field path of the
// rule's policy, placed at the field in the policy file and, for a CEL
// error, at the offending character of the expression.
func (r *Rule) errorAt(path, msg string) *Error {
	name, pos := r.locate(path)
	if line, col, ok := celLocation(msg); ok {
		pos = offset(pos, line, col)
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf("rule %s: %s: %s", r.ID, name, celIssues(msg))}
}

// locate maps a policy field path to a readable name and a position.
func (r *Rule) locate(path string) (string, Pos) {
	if rest, ok := strings.CutPrefix(path, "spec.validations[0]"); ok {
		name := strings.TrimPrefix(rest, ".")
		if name == "" {
			return "rule", r.Pos
		}
		head, _, _ := strings.Cut(name, ".")
		return name, r.fieldPos(head)
	}
	if i, ok := listIndex(path, "spec.matchConditions["); ok && i >= len(r.Policy.MatchConditions) {
		return "the suppression matchCondition emmdev adds", r.Pos
	}
	if strings.HasPrefix(path, "spec.paramKind") && r.hasInlineParams() {
		return "params", r.Policy.nodes["spec.params"]
	}
	for p := path; p != ""; p = parentPath(p) {
		if pos, ok := r.Policy.nodes[p]; ok {
			return path, pos
		}
	}
	return path, r.Policy.Pos
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

var celLocationRE = regexp.MustCompile(`<input>:(\d+):(\d+):`)

// celLocation finds the first "<input>:line:col:" of a CEL error (col is
// 1-based as cel-go prints it).
func celLocation(msg string) (line, col int, ok bool) {
	m := celLocationRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, 0, false
	}
	line, _ = strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	return line, col, line > 0 && col > 0
}

// offset moves from where an expression's text starts to its line:col.
// Exact for single-line and literal block (|) expressions, which is how
// multi-line CEL is written; approximate for folded ones.
func offset(start Pos, line, col int) Pos {
	if line == 1 {
		return Pos{File: start.File, Line: start.Line, Col: start.Col + col - 1}
	}
	return Pos{File: start.File, Line: start.Line + line - 1, Col: start.Col + col - 1}
}

// listIndex parses the index after prefix ("spec.x[" + "3]...").
func listIndex(path, prefix string) (int, bool) {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return 0, false
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return 0, false
	}
	i, err := strconv.Atoi(rest[:end])
	return i, err == nil
}
