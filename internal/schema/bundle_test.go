package schema

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"testing"
)

func TestBuildBundleConvertsTheOpenAPISpec(t *testing.T) {
	t.Parallel()
	b, err := BuildBundle("9.9.9", mustReadFile(t, "testdata/mini-swagger.json"), nil, []string{"test"})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Kinds["demo.k8s.io/v1 Gadget"]; got != "io.k8s.api.demo.v1.Gadget" {
		t.Errorf("kind index: Gadget → %q", got)
	}
	if got := b.Kinds["v1 Pod"]; got != "io.k8s.api.core.v1.Pod" {
		t.Errorf("kind index: core group must map to apiVersion v1, got %q", got)
	}
	tests := []struct {
		def, want string
	}{
		// Descriptions and x- extensions dropped; optional fields nullable;
		// $ref made relative and alone; strict additionalProperties.
		{"io.k8s.api.demo.v1.Gadget", `{"additionalProperties":false,"properties":{"apiVersion":{"type":["string","null"]},"kind":{"type":["string","null"]},"metadata":{"$ref":"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},"spec":{"$ref":"io.k8s.api.demo.v1.GadgetSpec"}},"required":["spec"],"type":"object"}`},
		// Required stays non-null; map values and property names that look
		// like keywords are kept.
		{"io.k8s.api.demo.v1.GadgetSpec", `{"additionalProperties":false,"properties":{"description":{"type":["string","null"]},"labels":{"additionalProperties":{"type":"string"},"type":["object","null"]},"memory":{"$ref":"io.k8s.apimachinery.pkg.api.resource.Quantity"},"port":{"$ref":"io.k8s.apimachinery.pkg.util.intstr.IntOrString"},"size":{"format":"int32","minimum":1,"type":"integer"},"tags":{"items":{"type":"string"},"type":["array","null"]}},"required":["size"],"type":"object"}`},
		{defIntOrString, `{"type":["integer","string"]}`},
		{defQuantity, `{"pattern":` + string(jsonString(QuantityPattern)) + `,"type":["number","string"]}`},
	}
	for _, tc := range tests {
		if got := string(b.Definitions[tc.def]); got != tc.want {
			t.Errorf("%s:\n got  %s\n want %s", tc.def, got, tc.want)
		}
	}
}

func TestBundleEncodingIsDeterministic(t *testing.T) {
	t.Parallel()
	swagger := mustReadFile(t, "testdata/mini-swagger.json")
	crd := mustReadFile(t, "testdata/crd/widget-crd.yaml")
	var first []byte
	// Map iteration order is random; ten builds would expose any dependence on it.
	for i := range 10 {
		b, err := BuildBundle("9.9.9", swagger, [][]byte{crd}, []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		enc, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = enc
			if !json.Valid(enc) {
				t.Fatal("invalid JSON")
			}
			continue
		}
		if !bytes.Equal(enc, first) {
			t.Fatalf("build %d differs from build 0", i)
		}
	}
	back, err := ParseBundle(first)
	if err != nil {
		t.Fatal(err)
	}
	if back.Kinds["emm.dev/v1 Widget"] != "dev.emm.v1.Widget" || len(back.Definitions) != 7 {
		t.Errorf("round trip lost data: kinds %v, %d definitions", back.Kinds, len(back.Definitions))
	}
}

func TestEmbeddedBundleParses(t *testing.T) {
	t.Parallel()
	b, err := ParseBundle(embeddedBundle)
	if err != nil {
		t.Fatal(err)
	}
	if b.KubernetesVersion != "1.37.2" || len(b.Definitions) < 800 || len(b.Kinds) < 300 {
		t.Errorf("embedded bundle: version %s, %d definitions, %d kinds", b.KubernetesVersion, len(b.Definitions), len(b.Kinds))
	}
	// Every $ref must resolve inside the bundle, or a kind would fail to
	// compile at run time.
	for name, raw := range b.Definitions {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rewriteNodes(v, func(ref string) any {
			if _, ok := b.Definitions[ref]; !ok {
				t.Errorf("%s references missing definition %q", name, ref)
			}
			return nil
		})
	}
}

// The line index used at start-up must read exactly what a JSON parser reads.
func TestLineIndexMatchesJSONParse(t *testing.T) {
	t.Parallel()
	fast, ok := indexEncoded(embeddedBundle)
	if !ok {
		t.Fatal("embedded bundle is not in the Encode layout")
	}
	var full Bundle
	if err := json.Unmarshal(embeddedBundle, &full); err != nil {
		t.Fatal(err)
	}
	if fast.KubernetesVersion != full.KubernetesVersion || !slices.Equal(fast.Sources, full.Sources) ||
		!maps.Equal(fast.Kinds, full.Kinds) || len(fast.Definitions) != len(full.Definitions) {
		t.Fatal("line index and JSON parse disagree on the header, kinds or definition count")
	}
	for name, raw := range full.Definitions {
		if !bytes.Equal(fast.Definitions[name], raw) {
			t.Errorf("definition %s differs", name)
		}
	}
	// Anything not in the Encode layout falls back to the JSON parser.
	if _, ok := indexEncoded([]byte(`{"kubernetesVersion":"1","kinds":{"v1 X":"x"},"definitions":{"x":{}}}`)); ok {
		t.Error("single-line JSON taken for the line layout")
	}
	if b, err := ParseBundle([]byte(`{"kubernetesVersion":"1","kinds":{"v1 X":"x"},"definitions":{"x":{}}}`)); err != nil || b.Kinds["v1 X"] != "x" {
		t.Errorf("fallback parse: %v %v", b, err)
	}
}
