package schema

import (
	"encoding/json"
	"testing"
)

func TestNormalizeCRDKeywords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"int-or-string anyOf becomes a type list",
			`{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[0-9]+%?$"}`,
			`{"pattern":"^[0-9]+%?$","type":["integer","string"]}`},
		{"nullable adds null",
			`{"type":"string","nullable":true}`,
			`{"type":["string","null"]}`},
		{"preserve-unknown-fields keeps unknown fields",
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{"type":"string"}}}`,
			`{"properties":{"a":{"type":["string","null"]}},"type":"object"}`},
		{"embedded resource declares apiVersion, kind and metadata",
			`{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}`,
			`{"additionalProperties":false,"properties":{"apiVersion":{"type":["string","null"]},"kind":{"type":["string","null"]},"metadata":{"type":["object","null"]},"spec":{"type":["object","null"]}},"type":"object"}`},
		{"required properties stay non-null, map values are schemas",
			`{"required":["a"],"properties":{"a":{"type":"string"},"m":{"type":"object","additionalProperties":{"type":"integer","description":"d"}}}}`,
			`{"additionalProperties":false,"properties":{"a":{"type":"string"},"m":{"additionalProperties":{"type":"integer"},"type":["object","null"]}},"required":["a"],"type":"object"}`},
		{"enum and default are data, not schemas",
			`{"type":"string","enum":["description","x-y"],"default":"x-y"}`,
			`{"enum":["description","x-y"],"type":"string"}`},
		{"oneOf branches are normalized",
			`{"oneOf":[{"properties":{"a":{"type":"string"}},"required":["a"]},{"type":"integer","description":"n"}]}`,
			`{"oneOf":[{"additionalProperties":false,"properties":{"a":{"type":"string"}},"required":["a"],"type":"object"},{"type":"integer"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var in any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatal(err)
			}
			got, err := marshal(normalize(in, ""))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("\n got  %s\n want %s", got, tc.want)
			}
		})
	}
}

func TestCRDMetadataConstraintsAreKept(t *testing.T) {
	t.Parallel()
	crd := []byte(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: shorts.emm.dev}
spec:
  group: emm.dev
  names: {kind: Short, plural: shorts}
  versions:
    - name: v1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            metadata:
              type: object
              properties:
                name: {type: string, maxLength: 5}
            spec:
              type: object
              properties:
                size:
                  anyOf: [{type: integer, minimum: 1}, {type: string, pattern: "^[0-9]+Gi$"}]
`)
	v, err := withCRDs(t, crd)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		obj  map[string]any
		want string // fmtIssues
	}{
		{"ok", map[string]any{"metadata": map[string]any{"name": "abc", "labels": map[string]any{"a": "b"}}, "spec": map[string]any{"size": "10Gi"}}, "{}"},
		{"name too long, labels still allowed", map[string]any{"metadata": map[string]any{"name": "abcdefg", "labels": map[string]any{"a": "b"}}},
			"{[metadata.name] maxLength: got 7, want 5}"},
		{"no alternative matches", map[string]any{"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"size": 0}},
			"{[spec.size] matches none of the allowed forms (minimum: got 0, want 1; or wrong type: got number, want string)}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.obj["apiVersion"], tc.obj["kind"] = "emm.dev/v1", "Short"
			issues, err := v.Validate(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmtIssues(issues); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	check := map[string]func(any) error{}
	for _, f := range formats() {
		check[f.Name] = f.Validate
	}
	tests := []struct {
		format string
		value  any
		ok     bool
	}{
		{"duration", "1h30m", true},
		{"duration", "250ms", true},
		{"duration", "PT1H30M", true},
		{"duration", "P2W", true},
		{"duration", "1 hour", true}, // kube-openapi strfmt, as the API server and kubeconform
		{"duration", "an hour", false},
		{"duration", "P", false},
		{"duration", "PT", false},
		{"duration", 5, true}, // not a string: the type keyword decides
		{"byte", "aGVsbG8=", true},
		{"byte", "aGVs\nbG8=", true},
		{"byte", "", true},
		{"byte", "hello world!", false},
		{"byte", "aGVsbG8", false}, // missing padding: the API server rejects it
	}
	for _, tc := range tests {
		err := check[tc.format](tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("%s %q: err = %v, want ok=%v", tc.format, tc.value, err, tc.ok)
		}
	}
}
