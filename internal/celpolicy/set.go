package celpolicy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	admv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"

	"github.com/emmdev/emmdev/internal/lint/finding"
)

// Errors are the problems found in policy files, sorted by position.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Options configures Load.
type Options struct {
	// IsBuiltin reports whether id names a built-in (Go) lint rule. A rule
	// with such an id must say builtin: true, and one saying so must have
	// such an id.
	IsBuiltin func(id string) bool
}

// Set is the checked and compiled rules of some policy files.
type Set struct {
	Policies []*Policy
	Rules    []*Rule
}

// compiled is what a rule gets once its policy file checks out, on first
// use: lint leaves the shipped rules (the built-in rules' twins) to the Go
// checks, and parsing their expressions for this cost about 30 ms on every
// run.
type compiled struct {
	checker     *policyChecker // nil = a checker of its own
	compileOnce sync.Once
	// program is the rule's own policy, compiled on first use (rules are
	// mostly evaluated with the others of their policy, see Evaluator).
	programOnce sync.Once
	program     *program
	offlineVAP  *admv1.ValidatingAdmissionPolicy
	accessor    generic.PolicyAccessor
	// accessorNoNS matches without the namespaceSelector, to tell "not
	// matched" from "cannot tell offline" when the namespace is unknown.
	accessorNoNS generic.PolicyAccessor
	// nsNeedsLabels: the namespaceSelector reads labels other than
	// kubernetes.io/metadata.name, which only the Namespace object has.
	nsNeedsLabels bool
	// blockers say why the rule cannot be judged offline (empty: it can).
	blockers []string
	// readsParamsObject: the rule reads its parameters object beyond the
	// parameters (its metadata, or the object as a whole).
	readsParamsObject bool
	// paths are the object fields the validation reads, deepest first
	// ("*" for list items): where its finding goes.
	paths [][]string
}

// Load parses, checks and compiles the policy files. Every problem is
// reported, at its file:line:col, before any manifest is looked at: what
// kube-apiserver would refuse when the exported policy is created, a field
// the matched kinds do not have, an expression over the cost limit on any
// object, duplicate or misused rule ids.
func Load(srcs []Source, opts Options) (*Set, error) {
	s := &Set{}
	var errs Errors
	for _, src := range srcs {
		pols, err := Parse(src)
		if err != nil {
			return nil, err
		}
		for _, p := range pols {
			p.verified = src.Verified
		}
		s.Policies = append(s.Policies, pols...)
	}
	seen := map[string]*Rule{}
	for _, p := range s.Policies {
		for _, r := range p.Rules {
			if prev, dup := seen[r.ID]; dup {
				errs = append(errs, &Error{Pos: r.fieldPos("id"), Msg: fmt.Sprintf("rule id %q is already defined at %s", r.ID, prev.fieldPos("id"))})
				continue
			}
			seen[r.ID] = r
			s.Rules = append(s.Rules, r)
			errs = append(errs, checkBuiltin(r, opts)...)
		}
	}
	checker := newChecker()
	for _, p := range s.Policies {
		var rules []*Rule
		for _, r := range p.Rules {
			if slices.Contains(s.Rules, r) {
				rules = append(rules, r)
			}
		}
		errs = append(errs, checker.check(p, rules)...)
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *Error) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Msg, b.Msg))
		})
		// Rules of one policy share its variables: report each problem once.
		return nil, slices.CompactFunc(errs, func(a, b *Error) bool { return *a == *b })
	}
	for _, r := range s.Rules {
		r.checker = checker
	}
	return s, nil
}

func checkBuiltin(r *Rule, opts Options) []*Error {
	isBuiltin := opts.IsBuiltin != nil && opts.IsBuiltin(r.ID)
	switch {
	case r.Builtin && !isBuiltin:
		return []*Error{{Pos: r.fieldPos("id"), Msg: fmt.Sprintf("rule %s says builtin: true, but there is no built-in rule %q (see emmdev lint --list-rules)", r.ID, r.ID)}}
	case !r.Builtin && isBuiltin:
		return []*Error{{Pos: r.fieldPos("id"), Msg: fmt.Sprintf("rule id %q is a built-in rule: set builtin: true to ship its admission twin, or choose another id", r.ID)}}
	case r.Builtin && r.Policy.ParamKind != nil:
		return []*Error{{Pos: r.Pos, Msg: fmt.Sprintf("rule %s: a built-in rule's twin takes its parameters from the lint policy, not from paramKind", r.ID)}}
	}
	return nil
}

// policyChecker holds what checking and compiling share across rules.
type policyChecker struct {
	schemas *schemaResolver
	mapper  meta.RESTMapper
	envs    *typeEnvs
	cost    *costEnv
}

func newChecker() *policyChecker {
	sr := &schemaResolver{}
	return &policyChecker{schemas: sr, mapper: NewResources().RESTMapper(), envs: &typeEnvs{schemas: sr}, cost: &costEnv{}}
}

// check runs the API server's validation of each rule first: type and cost
// checks only make sense for expressions that compile.
func (c *policyChecker) check(p *Policy, rules []*Rule) []*Error {
	if p.verified {
		return nil
	}
	var errs []*Error
	for _, r := range rules {
		errs = append(errs, r.validateAsAPIServer()...)
	}
	if len(errs) > 0 || len(rules) == 0 {
		return errs
	}
	errs = p.typeCheck(c.envs, checkedKinds(rules[0].admissionPolicy(), c.mapper, c.schemas))
	for _, r := range rules {
		errs = append(errs, r.costCheck(c.cost)...)
	}
	return errs
}

func (c *policyChecker) compile(r *Rule) {
	// The server compiles what it stored: the policy with its defaults
	// (match everything by namespace and object, matchPolicy Equivalent).
	vap := r.admissionPolicy()
	mustKubeScheme().Default(vap)
	// Offline, the suppression condition emmdev adds for the cluster is
	// the lint engine's own suppression (the same annotation, the same
	// non-blank reason), applied to the findings; evaluating it again per
	// object would only cost time.
	offline := vap.DeepCopy()
	offline.Spec.MatchConditions = offline.Spec.MatchConditions[:len(offline.Spec.MatchConditions)-1]
	r.offlineVAP = offline
	r.accessor = validating.NewValidatingAdmissionPolicyAccessor(vap)
	if sel := vap.Spec.MatchConstraints.NamespaceSelector; sel != nil && selectorNeedsLabels(sel) {
		r.nsNeedsLabels = true
		noNS := vap.DeepCopy()
		noNS.Spec.MatchConstraints.NamespaceSelector = &metav1.LabelSelector{}
		r.accessorNoNS = validating.NewValidatingAdmissionPolicyAccessor(noNS)
	}
	env, err := c.cost.get()
	if err != nil {
		return
	}
	varPaths, varReads := map[string][][]string{}, map[string][][]string{}
	var rd reads
	for _, v := range r.Policy.Variables {
		varPaths[v.Name] = rootPaths(env, v.Expression, varPaths)
		vr := analyze(env, v.Expression, varPaths, varReads)
		varReads[v.Name] = vr.paths
		rd.merge(vr)
	}
	for _, m := range r.Policy.MatchConditions {
		rd.merge(analyze(env, m.Expression, varPaths, varReads))
	}
	rd.merge(analyze(env, r.Validation.MessageExpression, varPaths, varReads))
	expr := analyze(env, r.Validation.Expression, varPaths, varReads)
	rd.merge(expr)
	r.paths = expr.candidates()
	r.readsParamsObject = rd.paramsObject
	if r.Policy.ParamKind != nil {
		r.blockers = append(r.blockers, fmt.Sprintf("takes its parameters from %s objects in the cluster (paramKind)", r.Policy.ParamKind.Kind))
	}
	if rd.namespaceObject {
		r.blockers = append(r.blockers, "reads namespaceObject, which only the cluster has")
	}
	if rd.authorizer {
		r.blockers = append(r.blockers, "asks the cluster's authorizer")
	}
	if rd.userInfo {
		r.blockers = append(r.blockers, "reads request.userInfo, the user of the request")
	}
	if rd.options {
		r.blockers = append(r.blockers, "reads request.options, which the client chooses (field manager, dry run)")
	}
}

// selectorNeedsLabels reports whether a selector reads any label except the
// kubernetes.io/metadata.name label the API server puts on every namespace.
func selectorNeedsLabels(sel *metav1.LabelSelector) bool {
	for k := range sel.MatchLabels {
		if k != corev1.LabelMetadataName {
			return true
		}
	}
	for _, e := range sel.MatchExpressions {
		if e.Key != corev1.LabelMetadataName {
			return true
		}
	}
	return false
}

// compile fills r.compiled once; everything that reads it calls this first.
func (r *Rule) compile() {
	r.compileOnce.Do(func() {
		c := r.checker
		if c == nil {
			c = newChecker()
		}
		c.compile(r)
	})
}

// ownProgram is the rule's own policy, as the cluster evaluates it.
func (r *Rule) ownProgram() *program {
	r.compile()
	r.programOnce.Do(func() { r.program = compileRuntime(r.offlineVAP) })
	return r.program
}

// NotOffline lists why the rule cannot be judged offline; empty when it can.
func (r *Rule) NotOffline() []string {
	r.compile()
	return slices.Clone(r.blockers)
}

// Action is the binding's validation action for a severity: errors deny,
// warnings and infos warn.
func Action(sev finding.Severity) admv1.ValidationAction {
	if sev == finding.Error {
		return admv1.Deny
	}
	return admv1.Warn
}

// Rule returns the rule with id.
func (s *Set) Rule(id string) (*Rule, bool) {
	for _, r := range s.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
