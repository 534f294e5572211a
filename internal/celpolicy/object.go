package celpolicy

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	sjson "sigs.k8s.io/json"
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
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	scheme, err := kubeScheme()
	if err != nil {
		return nil, err
	}
	if !scheme.Recognizes(gvk) {
		var m map[string]any
		if err := sjson.UnmarshalCaseSensitivePreserveInts(data, &m); err != nil {
			return nil, err
		}
		return withNamespace(&unstructured.Unstructured{Object: m}, namespace)
	}
	typed, err := scheme.New(gvk)
	if err != nil {
		return nil, err
	}
	if err := sjson.UnmarshalCaseSensitivePreserveInts(data, typed); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", gvk.Kind, err)
	}
	scheme.Default(typed)
	return fromDecoded(typed, gvk, namespace)
}

// fromDecoded finishes admissionObject from the decoded and defaulted
// object, which it takes over: the round trip through the internal
// version and the request's namespace.
func fromDecoded(typed runtime.Object, gvk schema.GroupVersionKind, namespace string) (runtime.Object, error) {
	scheme, err := kubeScheme()
	if err != nil {
		return nil, err
	}
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
