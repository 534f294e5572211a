package celpolicy

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/authentication/user"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// EvalOptions configures an Evaluator.
type EvalOptions struct {
	// Enabled reports whether a rule runs (nil: every rule).
	Enabled func(id string) bool
	// Twins includes the admission twins of built-in rules, which lint
	// leaves to the Go checks.
	Twins bool
	// TwinParams returns the lint policy's parameters of a built-in rule.
	TwinParams func(id string) map[string]any
	// Resources maps kinds to resources (nil: the built-in kinds only).
	Resources *Resources
	// Namespaces are the Namespace objects of the linted files (decoded),
	// which namespaceSelectors are matched against.
	Namespaces []map[string]any
}

// Evaluator judges objects as kube-apiserver's ValidatingAdmissionPolicy
// plugin would on a create. It is safe for concurrent use.
//
// In the cluster every rule is its own policy. Offline, the rules of one
// CELPolicy with the same parameters are evaluated as one policy with
// several validations: the same match constraints, match conditions,
// variables and expressions, so the same results, but matched, activated
// and given variables once per object instead of once per rule. Where the
// two could differ (an evaluation error, or the cost budget, which the
// cluster gives each rule's binding and the group shares) the group falls
// back to the rules' own policies for that object.
type Evaluator struct {
	groups    []*evalGroup
	blocked   []*evalRule // rules that cannot be judged offline
	res       *Resources
	matcher   generic.PolicyMatcher
	ifaces    admission.ObjectInterfaces
	knownNS   map[string]bool
	nsIndexer cache.Indexer
}

type evalRule struct {
	*Rule
	params runtime.Object
}

type evalGroup struct {
	rules   []*evalRule
	program *program
	params  runtime.Object
	// The group's policy-level settings (its first rule's).
	accessor, accessorNoNS generic.PolicyAccessor
	nsNeedsLabels          bool
}

// Verdict is one rule's result on one object.
type Verdict struct {
	Rule *Rule
	// Message is what the cluster says when the rule fails ("" when it
	// was not judged).
	Message string
	// Paths are the fields the rule reads, deepest first, where a finding
	// goes ("*" stands for an item of a list); see FindingPath.
	Paths [][]string
	// NotJudged says why the rule could not be judged on this object.
	NotJudged string
}

// NewEvaluator prepares the rules opts selects.
func (s *Set) NewEvaluator(opts EvalOptions) *Evaluator {
	res := opts.Resources
	if res == nil {
		res = NewResources()
	}
	e := &Evaluator{
		res:       res,
		knownNS:   map[string]bool{},
		nsIndexer: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}),
	}
	for _, m := range opts.Namespaces {
		u := &unstructured.Unstructured{Object: m}
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: u.GetName(), Labels: namespaceLabels(u.GetName(), u.GetLabels())}}
		if ns.Name != "" && e.nsIndexer.Add(ns) == nil {
			e.knownNS[ns.Name] = true
		}
	}
	e.matcher = generic.NewPolicyMatcher(matching.NewMatcher(corelisters.NewNamespaceLister(e.nsIndexer), nil))
	for _, r := range s.Rules {
		if (r.Builtin && !opts.Twins) || (opts.Enabled != nil && !opts.Enabled(r.ID)) {
			continue
		}
		r.compile()
		er := &evalRule{Rule: r}
		if r.hasInlineParams() {
			var overlay map[string]any
			if r.Builtin && opts.TwinParams != nil {
				overlay = opts.TwinParams(r.ID)
			}
			er.params = paramsValue{r.paramsObject(overlay)}
		}
		if len(r.blockers) > 0 {
			e.blocked = append(e.blocked, er)
			continue
		}
		e.addToGroup(er)
	}
	if len(e.groups)+len(e.blocked) == 0 {
		// Nothing to evaluate: registering every API group for the
		// object interfaces would cost a run without custom rules ~10 ms.
		return e
	}
	e.ifaces = admission.NewObjectInterfacesFromScheme(mustKubeScheme())
	for _, g := range e.groups {
		g.compile()
	}
	return e
}

// addToGroup puts a rule with the rules of its policy that have the same
// parameters. Each rule's parameters object is named after the rule (as
// in the cluster), so rules that read that object beyond the parameters
// (params.metadata, or params as a whole) keep their own.
func (e *Evaluator) addToGroup(er *evalRule) {
	if !er.readsParamsObject {
		for _, g := range e.groups {
			first := g.rules[0]
			if first.Policy == er.Policy && !first.readsParamsObject && reflect.DeepEqual(paramValues(first.params), paramValues(er.params)) {
				g.rules = append(g.rules, er)
				return
			}
		}
	}
	e.groups = append(e.groups, &evalGroup{rules: []*evalRule{er}, params: er.params, accessor: er.accessor, accessorNoNS: er.accessorNoNS, nsNeedsLabels: er.nsNeedsLabels})
}

// paramValues are the parameters without the object's metadata.
func paramValues(p runtime.Object) map[string]any {
	pv, ok := p.(paramsValue)
	if !ok {
		return nil
	}
	out := maps.Clone(pv.Object)
	delete(out, "metadata")
	return out
}

// compile builds the group's policy: the first rule's policy (defaults and
// all, without the suppression condition, see policyChecker.compile) with
// every rule's validation.
func (g *evalGroup) compile() {
	if len(g.rules) == 1 {
		g.program = g.rules[0].ownProgram()
		return
	}
	vap := g.rules[0].admissionPolicy()
	mustKubeScheme().Default(vap)
	vap.Spec.MatchConditions = vap.Spec.MatchConditions[:len(vap.Spec.MatchConditions)-1]
	vap.Spec.Validations = nil
	for _, r := range g.rules {
		vap.Spec.Validations = append(vap.Spec.Validations, *r.Validation.DeepCopy())
	}
	g.program = compileRuntime(vap)
}

// paramsValue hands a rule's parameters to CEL the way the API server hands
// a typed parameter object (its wrappedParam): through ToUnstructured, the
// same map, instead of a JSON round trip of the whole object for every
// evaluation.
type paramsValue struct{ *unstructured.Unstructured }

// ToUnstructured returns the parameters as CEL reads them.
func (p paramsValue) ToUnstructured() any { return p.Object }

// namespaceLabels adds the label the API server puts on every namespace.
func namespaceLabels(name string, labels map[string]string) map[string]string {
	out := map[string]string{corev1.LabelMetadataName: name}
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// Rules returns the rules the evaluator runs or reports as not judged.
func (e *Evaluator) Rules() []*Rule {
	var out []*Rule
	for _, g := range e.groups {
		for _, r := range g.rules {
			out = append(out, r.Rule)
		}
	}
	for _, r := range e.blocked {
		out = append(out, r.Rule)
	}
	return out
}

// request is one object as an admission request.
type request struct {
	obj        map[string]any
	u          *unstructured.Unstructured
	gvk        schema.GroupVersionKind
	gvr        schema.GroupVersionResource
	ns         string
	namespaced bool
	raw        admission.Attributes
	versioned  map[schema.GroupVersionKind]*admission.VersionedAttributes
	// decoded is obj decoded and defaulted by the caller (nil: decode here).
	decoded runtime.Object
}

func (q *request) attrs(o runtime.Object) admission.Attributes {
	// No operation options: what a client sends there (fieldManager,
	// dryRun) is unknown offline, so rules reading request.options are
	// not judged (see blockers).
	return admission.NewAttributesRecord(o, nil, q.gvk, q.ns, q.u.GetName(), q.gvr, "", admission.Create, nil, false, &user.DefaultInfo{})
}

// versionedAttributes converts the object once per kind it is matched as.
func (q *request) versionedAttributes(kind schema.GroupVersionKind) (*admission.VersionedAttributes, error) {
	if va := q.versioned[kind]; va != nil {
		return va, nil
	}
	var typed runtime.Object
	var err error
	if q.decoded != nil {
		typed, err = fromDecoded(q.decoded, q.gvk, q.ns)
		q.decoded = nil // taken over
	} else {
		typed, err = admissionObject(q.obj, q.gvk, q.ns)
	}
	if err != nil {
		return nil, err
	}
	if q.versioned == nil {
		q.versioned = map[schema.GroupVersionKind]*admission.VersionedAttributes{}
	}
	va := &admission.VersionedAttributes{Attributes: q.attrs(typed), VersionedKind: kind, VersionedObject: admission.NewLazyObject(typed)}
	q.versioned[kind] = va
	return va, nil
}

// Evaluate runs every rule on one decoded object (JSON-compatible values).
// Kinds the API server does not serve are nobody's business here (the
// schema check reports them).
func (e *Evaluator) Evaluate(ctx context.Context, obj map[string]any) []Verdict {
	return e.EvaluateDecoded(ctx, obj, nil)
}

// EvaluateDecoded is Evaluate with obj already decoded into its Go type
// and defaulted, as apivalidation.Validator.ValidateDecoded hands it out
// (nil: Evaluate decodes it). It takes decoded over.
func (e *Evaluator) EvaluateDecoded(ctx context.Context, obj map[string]any, decoded runtime.Object) []Verdict {
	if len(e.groups)+len(e.blocked) == 0 {
		return nil
	}
	q := &request{obj: obj, u: &unstructured.Unstructured{Object: obj}, decoded: decoded}
	gv, err := schema.ParseGroupVersion(q.u.GetAPIVersion())
	if err != nil || q.u.GetKind() == "" {
		return nil
	}
	q.gvk = gv.WithKind(q.u.GetKind())
	var ok bool
	if q.gvr, q.namespaced, ok = e.res.Lookup(q.gvk); !ok {
		return nil
	}
	if q.namespaced {
		// kubectl sends an object without a namespace to the context's
		// namespace; offline that is "default".
		if q.ns = q.u.GetNamespace(); q.ns == "" {
			q.ns = metav1.NamespaceDefault
		}
		e.ensureNamespace(q.ns)
	}
	q.raw = q.attrs(q.u)
	suppressed := map[string]bool{}
	for k, v := range q.u.GetAnnotations() {
		// The suppression condition of the exported policies, in Go: the
		// same annotation, the same non-blank (strings.TrimSpace, as CEL's
		// trim()) reason.
		if id, ok := strings.CutPrefix(k, SuppressPrefix); ok && strings.TrimSpace(v) != "" {
			suppressed[id] = true
		}
	}
	var out []Verdict
	for _, r := range e.blocked {
		if m, _, _, _ := e.matcher.DefinitionMatches(q.raw, e.ifaces, r.accessor); m && !suppressed[r.ID] {
			out = append(out, Verdict{Rule: r.Rule, NotJudged: r.blockers[0]})
		}
	}
	for _, g := range e.groups {
		out = append(out, e.evaluateGroup(ctx, g, q, suppressed)...)
	}
	return out
}

func (e *Evaluator) evaluateGroup(ctx context.Context, g *evalGroup, q *request, suppressed map[string]bool) []Verdict {
	var out []Verdict
	each := func(f func(r *evalRule) Verdict) []Verdict {
		for _, r := range g.rules {
			if !suppressed[r.ID] {
				out = append(out, f(r))
			}
		}
		return out
	}
	if g.nsNeedsLabels && q.namespaced && !e.knownNS[q.ns] {
		if m, _, _, _ := e.matcher.DefinitionMatches(q.raw, e.ifaces, g.accessorNoNS); m {
			reason := fmt.Sprintf("needs the labels of namespace %s for its namespaceSelector, and that Namespace is not in the linted files", q.ns)
			return each(func(r *evalRule) Verdict { return Verdict{Rule: r.Rule, NotJudged: reason} })
		}
		return nil
	}
	matches, matchGVR, matchGVK, err := e.matcher.DefinitionMatches(q.raw, e.ifaces, g.accessor)
	if err != nil {
		msg := fmt.Errorf("failed to configure policy: %w", err).Error()
		return each(func(r *evalRule) Verdict { return Verdict{Rule: r.Rule, Paths: r.paths, Message: msg} })
	}
	if !matches {
		return nil
	}
	va, err := q.versionedAttributes(matchGVK)
	if err != nil {
		reason := fmt.Sprintf("could not decode the object as the API server does: %v", err)
		return each(func(r *evalRule) Verdict { return Verdict{Rule: r.Rule, NotJudged: reason} })
	}
	decisions := g.program.validate(ctx, matchGVR, va, g.params)
	if len(g.rules) > 1 && needsOwnPolicies(decisions, len(g.rules)) {
		for _, r := range g.rules {
			if suppressed[r.ID] {
				continue
			}
			for _, d := range r.ownProgram().validate(ctx, matchGVR, va, r.params) {
				if d.deny {
					out = append(out, Verdict{Rule: r.Rule, Paths: r.paths, Message: d.message})
				}
			}
		}
		return out
	}
	for i, d := range decisions {
		if d.deny && !suppressed[g.rules[i].ID] {
			r := g.rules[i]
			out = append(out, Verdict{Rule: r.Rule, Paths: r.paths, Message: d.message})
		}
	}
	return out
}

// needsOwnPolicies reports a group result that may differ from evaluating
// each rule as its own policy: an error anywhere (a match condition's error
// names the policy; the shared budget may have run out) or not one
// decision per rule.
func needsOwnPolicies(decisions []decision, rules int) bool {
	if len(decisions) == 0 {
		return false // the match conditions did not match
	}
	if len(decisions) != rules {
		return true
	}
	for _, d := range decisions {
		if d.isError {
			return true
		}
	}
	return false
}

// ensureNamespace gives the lister a namespace it can find: one from the
// linted files, or a stand-in with only the kubernetes.io/metadata.name
// label, which is all a selector on that label needs.
func (e *Evaluator) ensureNamespace(name string) {
	if _, exists, _ := e.nsIndexer.GetByKey(name); exists {
		return
	}
	_ = e.nsIndexer.Add(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: namespaceLabels(name, nil)}})
}
