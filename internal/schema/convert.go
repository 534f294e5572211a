package schema

import (
	"slices"
	"strings"
)

// QuantityPattern is the serialization format of resource.Quantity
// (the pattern controller-gen emits for Quantity fields). It catches the
// classic "memory: 512MB" mistake that the API server rejects.
const QuantityPattern = `^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`

// Definition names that get a hand-written schema instead of the one in the
// OpenAPI spec, because the spec types them as plain strings.
const (
	defIntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
	defQuantity    = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	defObjectMeta  = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
)

// specialDefinition returns the replacement schema for definitions the
// OpenAPI spec describes too loosely, or nil.
func specialDefinition(name string) map[string]any {
	switch name {
	case defIntOrString:
		return map[string]any{"type": []any{"integer", "string"}}
	case defQuantity:
		// Numbers are accepted like kubectl and kubeconform do ("cpu: 1").
		return map[string]any{"type": []any{"number", "string"}, "pattern": QuantityPattern}
	}
	return nil
}

// droppedKeyword reports keywords that carry documentation or API-server
// hints and never change validation; dropping them keeps the embedded bundle
// small and compiling fast.
func droppedKeyword(k string) bool {
	switch k {
	case "description", "example", "externalDocs", "title", "default",
		"nullable", "$schema", "discriminator", "readOnly":
		return true
	}
	return strings.HasPrefix(k, "x-")
}

// schemaMapKeyword reports keywords holding a map of name → subschema.
func schemaMapKeyword(k string) bool {
	return k == "properties" || k == "patternProperties" || k == "definitions"
}

// schemaListKeyword reports keywords holding a list of subschemas.
func schemaListKeyword(k string) bool {
	return k == "allOf" || k == "anyOf" || k == "oneOf"
}

// normalize converts one OpenAPI (v2 definition or CRD openAPIV3Schema)
// schema node into a draft-4 JSON schema in the strict flavour of
// kubeconform's schemas: objects with properties reject unknown fields,
// int-or-string fields accept both, nullable/optional fields accept null.
// refPrefix is stripped from "$ref" values so references become relative
// to the bundle. The input is not modified.
func normalize(node any, refPrefix string) any {
	m, ok := node.(map[string]any)
	if !ok {
		return node
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch {
		case droppedKeyword(k):
			continue
		case k == "$ref":
			if s, ok := v.(string); ok {
				// A $ref's siblings are ignored by draft 4, so the node is the ref alone.
				return map[string]any{"$ref": strings.TrimPrefix(s, refPrefix)}
			}
		case schemaMapKeyword(k):
			if props, ok := v.(map[string]any); ok {
				np := make(map[string]any, len(props))
				for name, sub := range props {
					np[name] = normalize(sub, refPrefix)
				}
				v = np
			}
		case schemaListKeyword(k):
			if list, ok := v.([]any); ok {
				nl := make([]any, len(list))
				for i, sub := range list {
					nl[i] = normalize(sub, refPrefix)
				}
				v = nl
			}
		case k == "items" || k == "not" || k == "additionalItems":
			v = normalize(v, refPrefix)
		case k == "additionalProperties":
			if _, isBool := v.(bool); !isBool {
				v = normalize(v, refPrefix)
			}
		}
		out[k] = v
	}

	if isTrue(m["x-kubernetes-int-or-string"]) || m["format"] == "int-or-string" {
		delete(out, "format")
		// CRDs spell int-or-string as anyOf of bare types; the type list says
		// the same thing and yields one clear error instead of two.
		for _, kw := range []string{"anyOf", "oneOf"} {
			if onlyBareTypes(out[kw]) {
				delete(out, kw)
			}
		}
		out["type"] = []any{"integer", "string"}
	}
	if isTrue(m["x-kubernetes-embedded-resource"]) {
		addEmbeddedResourceFields(out)
	}
	if _, hasProps := out["properties"]; hasProps {
		if _, typed := out["type"]; !typed {
			out["type"] = "object"
		}
		// Strict mode (kubeconform -strict): unknown fields are errors,
		// unless the schema explicitly keeps unknown fields.
		if _, set := out["additionalProperties"]; !set && !isTrue(m["x-kubernetes-preserve-unknown-fields"]) {
			out["additionalProperties"] = false
		}
		allowNullOptional(out)
	}
	if isTrue(m["nullable"]) {
		addNull(out)
	}
	return out
}

// allowNullOptional lets optional properties be null: the API server treats
// `field: null` (or an empty YAML value) as unset. Properties that are a
// bare $ref stay non-null because draft 4 ignores siblings of $ref.
func allowNullOptional(obj map[string]any) {
	props, _ := obj["properties"].(map[string]any)
	required := map[string]bool{}
	if list, ok := obj["required"].([]any); ok {
		for _, r := range list {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	for name, p := range props {
		if pm, ok := p.(map[string]any); ok && !required[name] {
			addNull(pm)
		}
	}
}

// addNull adds "null" to the node's type, if it has one.
func addNull(node map[string]any) {
	switch t := node["type"].(type) {
	case string:
		if t != "null" {
			node["type"] = []any{t, "null"}
		}
	case []any:
		if !slices.Contains(t, any("null")) {
			node["type"] = append(slices.Clone(t), "null")
		}
	}
}

// addEmbeddedResourceFields declares the fields every embedded object has,
// so strict mode does not reject them.
func addEmbeddedResourceFields(node map[string]any) {
	props, ok := node["properties"].(map[string]any)
	if !ok {
		return
	}
	for _, f := range []string{"apiVersion", "kind"} {
		if _, ok := props[f]; !ok {
			props[f] = map[string]any{"type": "string"}
		}
	}
	if _, ok := props["metadata"]; !ok {
		props["metadata"] = map[string]any{"type": "object"}
	}
}

func isTrue(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

// onlyBareTypes reports whether v is a list of schemas that each only say
// {"type": ...}.
func onlyBareTypes(v any) bool {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || len(m) != 1 || m["type"] == nil {
			return false
		}
	}
	return true
}
