package celpolicy

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
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
// plugin would on a create, one rule at a time. It is safe for concurrent
// use.
type Evaluator struct {
	rules     []*evalRule
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

// Verdict is one rule's result on one object.
type Verdict struct {
	Rule *Rule
	// Message is what the cluster says when the rule fails ("" when it
	// passed or was not judged).
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
		ifaces:    admission.NewObjectInterfacesFromScheme(mustKubeScheme()),
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
		er := &evalRule{Rule: r}
		if r.hasInlineParams() {
			var overlay map[string]any
			if r.Builtin && opts.TwinParams != nil {
				overlay = opts.TwinParams(r.ID)
			}
			er.params = r.paramsObject(overlay)
		}
		e.rules = append(e.rules, er)
	}
	return e
}

// namespaceLabels adds the label the API server puts on every namespace.
func namespaceLabels(name string, labels map[string]string) map[string]string {
	out := map[string]string{corev1.LabelMetadataName: name}
	for k, v := range labels {
		out[k] = v
	}
	return out
}

// Rules returns the rules the evaluator runs.
func (e *Evaluator) Rules() []*Rule {
	out := make([]*Rule, len(e.rules))
	for i, r := range e.rules {
		out[i] = r.Rule
	}
	return out
}

// Evaluate runs every rule on one decoded object (JSON-compatible values).
// Kinds the API server does not serve are nobody's business here (the
// schema check reports them).
func (e *Evaluator) Evaluate(ctx context.Context, obj map[string]any) []Verdict {
	u := &unstructured.Unstructured{Object: obj}
	gv, err := schema.ParseGroupVersion(u.GetAPIVersion())
	if err != nil || u.GetKind() == "" {
		return nil
	}
	gvk := gv.WithKind(u.GetKind())
	gvr, namespaced, ok := e.res.Lookup(gvk)
	if !ok {
		return nil
	}
	ns := ""
	if namespaced {
		// kubectl sends an object without a namespace to the context's
		// namespace; offline that is "default".
		if ns = u.GetNamespace(); ns == "" {
			ns = metav1.NamespaceDefault
		}
		e.ensureNamespace(ns)
	}
	attrs := func(o runtime.Object) admission.Attributes {
		return admission.NewAttributesRecord(o, nil, gvk, ns, u.GetName(), gvr, "", admission.Create, &metav1.CreateOptions{}, false, &user.DefaultInfo{})
	}
	raw := attrs(u)
	var versioned map[schema.GroupVersionKind]*admission.VersionedAttributes
	var out []Verdict
	for _, r := range e.rules {
		if len(r.blockers) > 0 {
			if m, _, _, _ := e.matcher.DefinitionMatches(raw, e.ifaces, r.accessor); m {
				out = append(out, Verdict{Rule: r.Rule, NotJudged: r.blockers[0]})
			}
			continue
		}
		if r.nsNeedsLabels && namespaced && !e.knownNS[ns] {
			if m, _, _, _ := e.matcher.DefinitionMatches(raw, e.ifaces, r.accessorNoNS); m {
				out = append(out, Verdict{Rule: r.Rule, NotJudged: fmt.Sprintf("needs the labels of namespace %s for its namespaceSelector, and that Namespace is not in the linted files", ns)})
			}
			continue
		}
		matches, matchGVR, matchGVK, err := e.matcher.DefinitionMatches(raw, e.ifaces, r.accessor)
		if err != nil {
			out = append(out, Verdict{Rule: r.Rule, Paths: r.paths, Message: fmt.Errorf("failed to configure policy: %w", err).Error()})
			continue
		}
		if !matches {
			continue
		}
		va := versioned[matchGVK]
		if va == nil {
			typed, err := admissionObject(obj, gvk, ns)
			if err != nil {
				out = append(out, Verdict{Rule: r.Rule, NotJudged: fmt.Sprintf("could not decode the object as the API server does: %v", err)})
				continue
			}
			if versioned == nil {
				versioned = map[schema.GroupVersionKind]*admission.VersionedAttributes{}
			}
			va = &admission.VersionedAttributes{Attributes: attrs(typed), VersionedKind: matchGVK, VersionedObject: admission.NewLazyObject(typed)}
			versioned[matchGVK] = va
		}
		res := r.validator.Validate(ctx, matchGVR, va, r.params, nil, celconfig.RuntimeCELCostBudget, nil)
		for _, d := range res.Decisions {
			if d.Action == validating.ActionDeny {
				out = append(out, Verdict{Rule: r.Rule, Paths: r.paths, Message: d.Message})
			}
		}
	}
	return out
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
