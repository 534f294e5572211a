package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// CRDError reports a CustomResourceDefinition that could not be converted.
// Index is its position in Options.CRDs, so the caller can point at the
// file and line it came from.
type CRDError struct {
	Index int
	Name  string // metadata.name, when known
	Err   error
}

func (e *CRDError) Error() string {
	if e.Name != "" {
		return fmt.Sprintf("CustomResourceDefinition %s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("CustomResourceDefinition #%d: %v", e.Index+1, e.Err)
}

func (e *CRDError) Unwrap() error { return e.Err }

// crdKind is the schema of one served version of a custom resource.
type crdKind struct {
	group, version, kind string
	apiVersion           string
	schema               json.RawMessage
}

// definitionName names the schema like the Kubernetes definitions
// (reverse-DNS group, version, kind), e.g. com.bitnami.v1alpha1.SealedSecret.
func (k crdKind) definitionName() string {
	labels := strings.Split(k.group, ".")
	slices.Reverse(labels)
	return strings.Join(labels, ".") + "." + k.version + "." + k.kind
}

// convertCRD turns a CustomResourceDefinition (YAML or JSON) into one
// schema per served version. metadata is validated as the Kubernetes
// ObjectMeta definition objectMetaRef, as the API server does.
func convertCRD(doc []byte, objectMetaRef string) ([]crdKind, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	var crd map[string]any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&crd); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if k, _ := crd["kind"].(string); k != "CustomResourceDefinition" {
		return nil, fmt.Errorf("kind is %q, want CustomResourceDefinition", k)
	}
	spec, _ := crd["spec"].(map[string]any)
	group, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	if group == "" || kind == "" {
		return nil, errors.New("spec.group and spec.names.kind are required")
	}

	type version struct {
		name   string
		schema any
	}
	var versions []version
	legacy := dig(spec, "validation", "openAPIV3Schema") // apiextensions v1beta1: one schema for all versions
	if list, ok := spec["versions"].([]any); ok && len(list) > 0 {
		for _, v := range list {
			vm, _ := v.(map[string]any)
			name, _ := vm["name"].(string)
			if name == "" {
				return nil, errors.New("spec.versions: a version has no name")
			}
			if served, ok := vm["served"].(bool); ok && !served {
				continue
			}
			s := dig(vm, "schema", "openAPIV3Schema")
			if s == nil {
				s = legacy
			}
			versions = append(versions, version{name, s})
		}
	} else if name, _ := spec["version"].(string); name != "" {
		versions = append(versions, version{name, legacy})
	} else {
		return nil, errors.New("spec.versions is empty")
	}

	var out []crdKind
	for _, v := range versions {
		root, err := crdRootSchema(v.schema, objectMetaRef)
		if err != nil {
			return nil, fmt.Errorf("version %s: %w", v.name, err)
		}
		raw, err := marshal(root)
		if err != nil {
			return nil, fmt.Errorf("version %s: %w", v.name, err)
		}
		out = append(out, crdKind{
			group: group, version: v.name, kind: kind,
			apiVersion: group + "/" + v.name, schema: raw,
		})
	}
	return out, nil
}

// crdRootSchema converts an openAPIV3Schema and declares the fields the API
// server adds to every custom resource (apiVersion, kind, metadata).
func crdRootSchema(s any, objectMetaRef string) (map[string]any, error) {
	if s == nil {
		// No schema: the API server keeps any content, so do we.
		return map[string]any{"type": "object"}, nil
	}
	if _, ok := s.(map[string]any); !ok {
		return nil, fmt.Errorf("openAPIV3Schema is %T, want an object", s)
	}
	root := normalize(s, "").(map[string]any)
	props, _ := root["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		root["properties"] = props
	}
	for _, f := range []string{"apiVersion", "kind"} {
		if _, ok := props[f]; !ok {
			props[f] = map[string]any{"type": "string"}
		}
	}
	meta := map[string]any{"$ref": objectMetaRef}
	if own, ok := props["metadata"].(map[string]any); ok {
		if _, constrained := own["properties"]; constrained {
			// CRDs may constrain name/generateName; keep that on top of
			// ObjectMeta but not the strict "no other fields" it implies.
			delete(own, "additionalProperties")
			meta = map[string]any{"allOf": []any{meta, own}}
		}
	}
	props["metadata"] = meta
	if _, ok := root["type"]; !ok {
		root["type"] = "object"
	}
	return root, nil
}

// dig walks nested maps.
func dig(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[k]
	}
	return cur
}
