package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/yannh/kubeconform/pkg/validator"
)

// kubeconformOnExport is kubeconform's own validator on the full export of
// the embedded schemas, wrapped like --schema-engine kubeconform.
func kubeconformOnExport(t *testing.T) *KubeconformValidator {
	t.Helper()
	loc, err := ExportKubeconform(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := validator.New([]string{loc}, validator.Opts{Strict: true, KubernetesVersion: DefaultKubernetesVersion()})
	if err != nil {
		t.Fatal(err)
	}
	return &KubeconformValidator{kc: kc, native: newValidator(t, Options{})}
}

// TestKubeconformExport runs kubeconform on the full export (exporting and
// compiling every kind is the cost, so the checks share one validator).
func TestKubeconformExport(t *testing.T) {
	t.Parallel()
	kc := kubeconformOnExport(t)
	t.Run("every kind", func(t *testing.T) { testKubeconformEveryKind(t, kc) })
	t.Run("locations", func(t *testing.T) { testKubeconformLocations(t, kc) })
}

// testKubeconformEveryKind: every kind of the embedded schemas compiles in
// kubeconform from the export (no unresolved $ref: CustomResourceDefinition,
// PersistentVolume and VolumeAttachment have properties named "required"
// and "enum") and accepts a minimal valid object, as the default engine
// does; an unknown field is reported at the field by both engines.
func testKubeconformEveryKind(t *testing.T, kc *KubeconformValidator) {
	ours := newValidator(t, Options{})
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		t.Fatal(err)
	}
	defs := decodeDefinitions(t, b)
	keys := make([]string, 0, len(b.Kinds))
	for k := range b.Kinds {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	files := map[string]string{}
	checked := 0
	for _, key := range keys {
		apiVersion, kind, _ := cutKey(key)
		// kubeconform names schema files by the first label of the group;
		// two groups sharing it cannot both be served (the export keeps the first).
		file := kubeconformFileName(apiVersion, kind)
		if other, dup := files[file]; dup {
			t.Logf("%s: kubeconform reads %s's schema (%s)", key, other, file)
			continue
		}
		files[file] = key

		props, _ := defs[b.Kinds[key]].(map[string]any)["properties"].(map[string]any)
		if _, ok := props["kind"]; !ok {
			// WatchEvent: listed with a group/version/kind, but it has no
			// kind field, so no manifest can be one.
			continue
		}
		obj := minimalValue(defs, map[string]any{"$ref": b.Kinds[key]}, 0).(map[string]any)
		obj["apiVersion"], obj["kind"] = apiVersion, kind
		// Where an unknown field goes: ObjectMeta and ListMeta are strict.
		unknownAt, meta := []string{"emmdevUnknown"}, map[string]any(nil)
		metaSchema, _ := props["metadata"].(map[string]any)
		switch ref, _ := metaSchema["$ref"].(string); {
		case strings.HasSuffix(ref, ".ObjectMeta"):
			meta = map[string]any{"name": "minimal"}
		case strings.HasSuffix(ref, ".ListMeta"):
			meta = map[string]any{}
		}
		if meta != nil {
			obj["metadata"] = meta
			unknownAt = []string{"metadata", "emmdevUnknown"}
		}
		issues, err := kc.Validate(obj)
		if err != nil {
			t.Errorf("%s: kubeconform: %v", key, err)
			continue
		}
		if len(issues) > 0 {
			t.Errorf("%s: kubeconform rejects a minimal object %v: %s", key, obj, fmtIssues(issues))
		}
		if issues, err := ours.Validate(obj); err != nil || len(issues) > 0 {
			t.Errorf("%s: default engine rejects a minimal object %v: %v %s", key, obj, err, fmtIssues(issues))
		}

		if meta != nil {
			meta["emmdevUnknown"] = "x"
		} else {
			obj["emmdevUnknown"] = "x"
		}
		want := strings.Join(unknownAt, ".")
		for name, v := range map[string]Validator2{"kubeconform": kc, "default": ours} {
			issues, err := v.Validate(obj)
			if err != nil || len(issues) != 1 || strings.Join(issues[0].Path, ".") != want {
				t.Errorf("%s: %s engine on an unknown metadata field: %v %s, want one issue at %s", key, name, err, fmtIssues(issues), want)
			}
		}
		checked++
	}
	if checked < 250 {
		t.Errorf("checked only %d kinds", checked)
	}
	for _, must := range []string{"apiextensions.k8s.io/v1 CustomResourceDefinition", "v1 PersistentVolume", "storage.k8s.io/v1 VolumeAttachment"} {
		if _, ok := b.Kinds[must]; !ok {
			t.Errorf("%s is not an embedded kind", must)
		}
	}
}

// Validator2 is what both engines offer.
type Validator2 interface {
	Validate(map[string]any) ([]Issue, error)
}

// testKubeconformLocations: on every invalid fixture, kubeconform's engine
// reports the same fields as the default engine (an unknown field nested in
// a container at the field itself, not at the container).
func testKubeconformLocations(t *testing.T, kc *KubeconformValidator) {
	ours := newValidator(t, Options{})
	paths := func(v Validator2, obj map[string]any) []string {
		issues, err := v.Validate(obj)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, is := range issues {
			out = append(out, strings.Join(is.Path, "."))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for _, f := range globFixtures(t, "invalid/*.yaml") {
		for i, obj := range readDocs(t, f) {
			if strings.Contains(f, "secret-plaintext-data") {
				continue // base64 format: only the default engine checks it
			}
			k, o := paths(kc, obj), paths(ours, obj)
			if !slices.Equal(k, o) {
				t.Errorf("%s #%d: kubeconform at %q, default engine at %q", f, i, k, o)
			}
		}
	}
	nested := readDocs(t, "testdata/invalid/container-unknown-field.yaml")[0]
	if got := paths(kc, nested); !slices.Equal(got, []string{"spec.template.spec.containers.0.imagePullPolcy"}) {
		t.Errorf("nested unknown field at %q, want the field itself", got)
	}
}

func TestAdditionalPropertiesMessage(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string][]string{
		`additional properties 'colour' not allowed`:                {"colour"},
		`additional properties 'a', 'b c' not allowed`:              {"a", "b c"},
		`additional properties 'it\'s', 'x"y', 'tab\t' not allowed`: {"it's", `x"y`, "tab\t"},
	} {
		got, ok := additionalProperties(msg)
		if !ok || !slices.Equal(got, want) {
			t.Errorf("%s: got %q %v, want %q", msg, got, ok, want)
		}
		for _, name := range want {
			if q := quoteProperty(name); !strings.Contains(msg, q) {
				t.Errorf("quoteProperty(%q) = %s, not in %s", name, q, msg)
			}
		}
	}
	for _, msg := range []string{"missing property 'name'", "additional properties  not allowed", "additional properties 'open not allowed"} {
		if got, ok := additionalProperties(msg); ok {
			t.Errorf("%q parsed as %q", msg, got)
		}
	}
}

func decodeDefinitions(t *testing.T, b *Bundle) map[string]any {
	t.Helper()
	defs := make(map[string]any, len(b.Definitions))
	for name, raw := range b.Definitions {
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defs[name] = v
	}
	return defs
}

// minimalValue builds the smallest value a schema accepts: required
// properties only, the first enum value, empty lists.
func minimalValue(defs map[string]any, node any, depth int) any {
	m, _ := node.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		if depth > 30 {
			return nil
		}
		return minimalValue(defs, defs[ref], depth+1)
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	types := []string{}
	switch t := m["type"].(type) {
	case string:
		types = append(types, t)
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				types = append(types, s)
			}
		}
	}
	if _, ok := m["properties"]; ok && len(types) == 0 {
		types = []string{"object"}
	}
	if len(types) == 0 {
		return map[string]any{}
	}
	switch types[0] {
	case "object":
		out := map[string]any{}
		props, _ := m["properties"].(map[string]any)
		req, _ := m["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			out[name] = minimalValue(defs, props[name], depth+1)
		}
		return out
	case "array":
		return []any{}
	case "integer", "number":
		if min, ok := m["minimum"].(float64); ok && min > 1 {
			return min
		}
		return 1
	case "boolean":
		return true
	}
	switch m["format"] {
	case "byte":
		return ""
	case "date-time":
		return "2026-01-02T15:04:05Z"
	}
	return "x"
}
