package celpolicy

import (
	"fmt"

	admv1 "k8s.io/api/admissionregistration/v1"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

// Document identity of a policy file holding custom rules.
const (
	APIVersion = "emmdev.dev/v1alpha1"
	Kind       = "CELPolicy"
)

// Source is one policy file's content.
type Source struct {
	// Name is how errors refer to the file (a path, or "… (embedded)").
	Name string
	Data []byte
	// Verified marks content whose checks passed before: the policies
	// embedded in the binary (the test suite checks them) or a
	// byte-identical copy, or a file the same emmdev build checked (see
	// policyload's cache). Its checks are skipped; it is still parsed and
	// compiled.
	Verified bool
}

// Pos is a place in a policy file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0: // a YAML syntax error has a line only
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Error is a problem with a policy file, at a line and column.
type Error struct {
	Pos
	Msg string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return e.String() + ": " + e.Msg
}

// Policy is one CELPolicy document: the shared half of a
// ValidatingAdmissionPolicy (what it matches, its variables and parameters)
// and the rules, each one validation.
type Policy struct {
	Name string
	Pos  Pos
	// verified: the file's content was checked by the test suite.
	verified bool

	MatchConstraints *admv1.MatchResources
	MatchConditions  []admv1.MatchCondition
	Variables        []admv1.Variable
	// Params are inline parameters (params.<name> in CEL), exported as a
	// PolicyParameters object the binding refers to.
	Params map[string]any
	// ParamKind and ParamRef take the parameters from a cluster object
	// instead; such rules cannot be judged offline.
	ParamKind *admv1.ParamKind
	ParamRef  *admv1.ParamRef

	Rules []*Rule

	// nodes maps ValidatingAdmissionPolicy field paths under spec
	// ("spec.variables[0].expression") to positions in the file.
	nodes map[string]Pos
}

// Rule is one validation plus emmdev's metadata.
type Rule struct {
	ID          string
	Severity    finding.Severity
	Enabled     *bool
	Description string
	Remediation string
	// Builtin marks the admission twin of a built-in Go rule with the same
	// ID: lint runs the Go check, the cluster runs this expression, and the
	// parameters come from the lint policy's entry for that rule.
	Builtin    bool
	Validation admv1.Validation

	Policy *Policy
	Pos    Pos
	// nodes maps "expression", "message", "messageExpression", "reason"
	// to their positions.
	nodes map[string]Pos

	compiled
}

// EnabledByDefault reports whether the rule runs unless a lint policy
// switches it off.
func (r *Rule) EnabledByDefault() bool { return r.Enabled == nil || *r.Enabled }

// PolicyName is the name of the ValidatingAdmissionPolicy, its binding and
// its parameters object in the cluster.
func (r *Rule) PolicyName() string { return "emmdev-" + r.ID }

// fieldPos returns the position of a rule field, or of the rule.
func (r *Rule) fieldPos(name string) Pos {
	if p, ok := r.nodes[name]; ok {
		return p
	}
	return r.Pos
}
