package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/emmdev/emmdev/internal/atomicfile"
)

// ExportKubeconform writes the embedded schemas in the layout kubeconform
// reads with -schema-location (the yannh/kubernetes-json-schema layout):
// dir/v<version>-standalone-strict/<kind>-<group>-<version>.json, every
// definition inlined. Recursive definitions (CRD JSONSchemaProps) point into
// a shared _definitions.json next to them. keep selects kinds (nil = all).
// It returns the -schema-location template to pass to kubeconform. Used by
// the benchmark script and the tests that use kubeconform as an oracle.
func ExportKubeconform(dir string, keep func(apiVersion, kind string) bool) (string, error) {
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		return "", err
	}
	defs := make(map[string]any, len(b.Definitions))
	for name, raw := range b.Definitions {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return "", fmt.Errorf("definition %s: %w", name, err)
		}
		defs[name] = v
	}
	out := filepath.Join(dir, "v"+b.KubernetesVersion+"-standalone-strict")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	shared := map[string]any{}
	for name, def := range defs {
		shared[name] = rewriteRefs(def, func(ref string) string { return "#/definitions/" + ref })
	}
	if err := writeJSON(filepath.Join(out, "_definitions.json"), map[string]any{"definitions": shared}); err != nil {
		return "", err
	}
	keys := make([]string, 0, len(b.Kinds))
	for k := range b.Kinds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	written := map[string]bool{}
	for _, key := range keys {
		apiVersion, kind, _ := cutKey(key)
		if keep != nil && !keep(apiVersion, kind) {
			continue
		}
		file := kubeconformFileName(apiVersion, kind)
		if written[file] {
			continue // two groups sharing a first label: kubeconform cannot tell them apart either
		}
		written[file] = true
		doc := inline(defs, b.Kinds[key], nil)
		if err := writeJSON(filepath.Join(out, file), doc); err != nil {
			return "", err
		}
	}
	return filepath.Join(dir, "{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json"), nil
}

// kubeconformFileName mirrors kubeconform's registry naming: lower-case
// kind, the first label of the group, the version.
func kubeconformFileName(apiVersion, kind string) string {
	groupParts := strings.Split(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(groupParts[0], ".")[0])
	if len(groupParts) > 1 {
		suffix += "-" + strings.ToLower(groupParts[1])
	}
	return strings.ToLower(kind) + suffix + ".json"
}

// inline returns definition name with every $ref replaced by the referenced
// definition, except references back into the current chain (recursion),
// which point into _definitions.json instead.
func inline(defs map[string]any, name string, chain []string) any {
	chain = append(chain, name)
	return rewriteNodes(defs[name], func(ref string) any {
		if slices.Contains(chain, ref) {
			return map[string]any{"$ref": "_definitions.json#/definitions/" + ref}
		}
		return inline(defs, ref, chain)
	})
}

func rewriteRefs(node any, to func(string) string) any {
	return rewriteNodes(node, func(ref string) any { return map[string]any{"$ref": to(ref)} })
}

// rewriteNodes copies the schema node, replacing each {"$ref": name} by
// repl(name). It walks the schema keywords only: property names are data
// (a property may be called "required", "enum" or "$ref", as in PersistentVolume's
// nodeAffinity.required or a CRD's JSONSchemaProps), and so are the values
// of enum, required, default and the like.
func rewriteNodes(node any, repl func(string) any) any {
	n, ok := node.(map[string]any)
	if !ok {
		return node
	}
	if ref, ok := n["$ref"].(string); ok && len(n) == 1 {
		return repl(ref)
	}
	out := make(map[string]any, len(n))
	for k, v := range n {
		switch {
		case schemaMapKeyword(k):
			if m, ok := v.(map[string]any); ok {
				nm := make(map[string]any, len(m))
				for name, sub := range m {
					nm[name] = rewriteNodes(sub, repl)
				}
				v = nm
			}
		case schemaListKeyword(k):
			if list, ok := v.([]any); ok {
				nl := make([]any, len(list))
				for i, sub := range list {
					nl[i] = rewriteNodes(sub, repl)
				}
				v = nl
			}
		case k == "items" || k == "additionalItems":
			// A schema, or (tuple validation) a list of schemas.
			if list, ok := v.([]any); ok {
				nl := make([]any, len(list))
				for i, sub := range list {
					nl[i] = rewriteNodes(sub, repl)
				}
				v = nl
			} else {
				v = rewriteNodes(v, repl)
			}
		case k == "not" || k == "additionalProperties":
			v = rewriteNodes(v, repl)
		}
		out[k] = v
	}
	return out
}

// writeJSON writes v atomically; schemas are not secret, so 0644.
func writeJSON(path string, v any) error {
	data, err := marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}
