package celpolicy

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
)

// admissionObject returns obj the way kube-apiserver hands it to validating
// admission on a create: decoded into its Go type (unknown fields dropped,
// quantities canonical), defaulted, converted to the internal version and
// back, with the request's namespace. The typed object then goes through the
// same reflection-based CEL conversion as in the server. Kinds the server
// has no Go type for (custom resources) are passed as written. What the
// server sets later or elsewhere is not simulated: uid, creationTimestamp,
// generation, mutating admission plugins, CRD defaults.
func admissionObject(obj map[string]any, gvk schema.GroupVersionKind, namespace string) (runtime.Object, error) {
	scheme := legacyscheme.Scheme
	if !scheme.Recognizes(gvk) {
		m := jsonCopy(obj)
		if m == nil {
			return nil, fmt.Errorf("decoding %s: not JSON", gvk.Kind)
		}
		return withNamespace(&unstructured.Unstructured{Object: m}, namespace)
	}
	typed, err := scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	// The loader's values are JSON's (string, int64, float64, bool,
	// maps, lists): converting them by reflection decodes what the
	// server decodes from the JSON, without the round trip.
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, typed); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", gvk.Kind, err)
	}
	scheme.Default(typed)
	return fromDecoded(typed, gvk, namespace)
}

// fromDecoded finishes admissionObject from the decoded and defaulted
// object, which it takes over: the round trip through the internal
// version and the request's namespace.
func fromDecoded(typed runtime.Object, gvk schema.GroupVersionKind, namespace string) (runtime.Object, error) {
	scheme := legacyscheme.Scheme
	// Unsafe: no defensive deep copies, the objects are ours alone.
	internal, err := scheme.UnsafeConvertToVersion(typed, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return nil, fmt.Errorf("converting %s: %w", gvk.Kind, err)
	}
	out, err := scheme.UnsafeConvertToVersion(internal, gvk.GroupVersion())
	if err != nil {
		return nil, fmt.Errorf("converting %s: %w", gvk.Kind, err)
	}
	return withNamespace(out, namespace)
}

func withNamespace(obj runtime.Object, namespace string) (runtime.Object, error) {
	if namespace != "" {
		acc, err := meta.Accessor(obj)
		if err != nil {
			return nil, err
		}
		acc.SetNamespace(namespace)
	}
	return obj, nil
}
