package celpolicy

import (
	"fmt"
	"maps"
	"reflect"

	admv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// The parameters of a rule with inline params live in a cluster-scoped
// PolicyParameters object named like the rule's policy; its CRD keeps any
// field, so params.<name> reads the same value offline and in the cluster.
const (
	ParamsGroup    = "emmdev.dev"
	ParamsVersion  = "v1alpha1"
	ParamsKind     = "PolicyParameters"
	ParamsResource = "policyparameters"
)

// Labels and annotations on every exported object.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "emmdev"
	PolicyLabel    = "emmdev.dev/policy"
	RuleAnnotation = "emmdev.dev/rule"
)

// SuppressPrefix is the annotation prefix that suppresses a rule on one
// object (the same one emmdev lint honours for every rule).
const SuppressPrefix = "emmdev.dev/ignore-"

// suppressionCondition is added to every exported policy so the cluster
// honours the same suppression annotation as emmdev lint: present with a
// non-blank reason.
func suppressionCondition(id string) admv1.MatchCondition {
	key := SuppressPrefix + id
	return admv1.MatchCondition{
		Name: "emmdev-not-suppressed",
		Expression: fmt.Sprintf("object == null || !has(object.metadata.annotations) || !(%q in object.metadata.annotations) || object.metadata.annotations[%q].trim() == ''",
			key, key),
	}
}

// hasInlineParams reports whether the rule's parameters are exported as a
// PolicyParameters object (inline params, or a built-in twin's lint-policy
// parameters).
func (r *Rule) hasInlineParams() bool { return r.Policy.Params != nil }

// admissionPolicy is the ValidatingAdmissionPolicy of one rule.
func (r *Rule) admissionPolicy() *admv1.ValidatingAdmissionPolicy {
	fail := admv1.Fail
	p := r.Policy
	spec := admv1.ValidatingAdmissionPolicySpec{
		FailurePolicy:    &fail,
		MatchConstraints: p.MatchConstraints.DeepCopy(),
		Variables:        append([]admv1.Variable(nil), p.Variables...),
		Validations:      []admv1.Validation{*r.Validation.DeepCopy()},
	}
	spec.MatchConditions = append(append([]admv1.MatchCondition(nil), p.MatchConditions...), suppressionCondition(r.ID))
	switch {
	case r.hasInlineParams():
		spec.ParamKind = &admv1.ParamKind{APIVersion: ParamsGroup + "/" + ParamsVersion, Kind: ParamsKind}
	case p.ParamKind != nil:
		spec.ParamKind = p.ParamKind.DeepCopy()
	}
	return &admv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: admv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicy"},
		ObjectMeta: r.objectMeta(),
		Spec:       spec,
	}
}

// binding binds the rule's policy cluster-wide with the action its severity
// maps to.
func (r *Rule) binding(action admv1.ValidationAction) *admv1.ValidatingAdmissionPolicyBinding {
	b := &admv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: admv1.SchemeGroupVersion.String(), Kind: "ValidatingAdmissionPolicyBinding"},
		ObjectMeta: r.objectMeta(),
		Spec: admv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        r.PolicyName(),
			ValidationActions: []admv1.ValidationAction{action},
		},
	}
	switch {
	case r.hasInlineParams():
		deny := admv1.DenyAction
		b.Spec.ParamRef = &admv1.ParamRef{Name: r.PolicyName(), ParameterNotFoundAction: &deny}
	case r.Policy.ParamRef != nil:
		b.Spec.ParamRef = r.Policy.ParamRef.DeepCopy()
	}
	return b
}

func (r *Rule) objectMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        r.PolicyName(),
		Labels:      map[string]string{ManagedByLabel: ManagedBy, PolicyLabel: r.Policy.Name},
		Annotations: map[string]string{RuleAnnotation: r.ID},
	}
}

// paramsObject is the PolicyParameters object of a rule with inline
// parameters: the policy's params with overlay (a twin's lint-policy
// parameters) laid over them.
func (r *Rule) paramsObject(overlay map[string]any) *unstructured.Unstructured {
	obj := map[string]any{}
	maps.Copy(obj, jsonCopy(r.Policy.Params))
	maps.Copy(obj, jsonCopy(overlay))
	u := &unstructured.Unstructured{Object: obj}
	u.SetAPIVersion(ParamsGroup + "/" + ParamsVersion)
	u.SetKind(ParamsKind)
	u.SetName(r.PolicyName())
	u.SetLabels(map[string]string{ManagedByLabel: ManagedBy, PolicyLabel: r.Policy.Name})
	return u
}

// paramsSchema types each parameter from its value (string, integer,
// number, boolean, list of such), so the API server type-checks
// params.<name> like emmdev does and validates the values; anything else
// is kept untyped.
func paramsSchema(params map[string]any) map[string]any {
	props := map[string]any{}
	for name, v := range params {
		props[name] = valueSchema(v)
	}
	return props
}

func valueSchema(v any) map[string]any {
	switch x := v.(type) {
	case string:
		return map[string]any{"type": "string"}
	case bool:
		return map[string]any{"type": "boolean"}
	case int64:
		return map[string]any{"type": "integer"}
	case float64:
		return map[string]any{"type": "number"}
	case []any:
		items := map[string]any{"x-kubernetes-preserve-unknown-fields": true}
		if len(x) > 0 {
			items = valueSchema(x[0])
			for _, it := range x[1:] {
				if !reflect.DeepEqual(valueSchema(it), items) {
					items = map[string]any{"x-kubernetes-preserve-unknown-fields": true}
					break
				}
			}
		}
		return map[string]any{"type": "array", "items": items}
	}
	return map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
}

// paramsCRD defines PolicyParameters: cluster-scoped, every parameter of
// the exported rules typed (a name used with two types stays untyped), any
// other field kept.
func paramsCRD(params []map[string]any) *unstructured.Unstructured {
	props := map[string]any{}
	for _, p := range params {
		for name, s := range paramsSchema(p) {
			if prev, ok := props[name]; ok && !reflect.DeepEqual(prev, s) {
				s = map[string]any{"x-kubernetes-preserve-unknown-fields": true}
			}
			props[name] = s
		}
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata": map[string]any{
			"name":   ParamsResource + "." + ParamsGroup,
			"labels": map[string]any{ManagedByLabel: ManagedBy},
		},
		"spec": map[string]any{
			"group": ParamsGroup,
			"scope": "Cluster",
			"names": map[string]any{
				"kind": ParamsKind, "listKind": ParamsKind + "List",
				"plural": ParamsResource, "singular": "policyparameter",
			},
			"versions": []any{map[string]any{
				"name": ParamsVersion, "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type":                                 "object",
					"x-kubernetes-preserve-unknown-fields": true,
					"properties":                           props,
				}},
			}},
		},
	}}
}
