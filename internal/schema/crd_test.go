package schema

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// The conversion of a CRD to JSON schema (the SealedSecret CRD in the
// bundle, for kubeconform) keeps what the schema says.
func TestCRDMakesCustomResourceValidate(t *testing.T) {
	t.Parallel()
	crd := mustReadFile(t, "testdata/crd/widget-crd.yaml")
	v, err := withCRDs(t, crd)
	if err != nil {
		t.Fatal(err)
	}

	valid := readDocs(t, "testdata/crd/widget-valid.yaml")[0]
	if issues, err := v.Validate(valid); err != nil || len(issues) > 0 {
		t.Fatalf("valid Widget: issues %s, err %v", fmtIssues(issues), err)
	}

	invalid := readDocs(t, "testdata/crd/widget-invalid.yaml")[0]
	got, err := v.Validate(invalid)
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		// metadata is checked as a real ObjectMeta, not the CRD's bare "type: object".
		{Path: []string{"metadata", "labelz"}, Message: `unknown field "labelz"`},
		{Path: []string{"spec", "colour"}, Message: `unknown field "colour"`},
		{Path: []string{"spec", "mode"}, Message: "must be one of: fast, safe"},
		{Path: []string{"spec", "port"}, Message: "wrong type: got number, want integer or string"},
		{Path: []string{"spec", "size"}, Message: "minimum: got 0, want 1"},
	}
	if !slices.EqualFunc(got, want, issueEqual) {
		t.Errorf("issues:\n got  %s\n want %s", fmtIssues(got), fmtIssues(want))
	}
}

func TestCRDRequiredAndUnservedVersion(t *testing.T) {
	t.Parallel()
	v, err := withCRDs(t, mustReadFile(t, "testdata/crd/widget-crd.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Validate(map[string]any{
		"apiVersion": "emm.dev/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w"},
		"spec":     map[string]any{"mode": "fast"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{{Path: []string{"spec"}, Message: `missing required field "size"`}}
	if !slices.EqualFunc(got, want, issueEqual) {
		t.Errorf("got %s, want %s", fmtIssues(got), fmtIssues(want))
	}
	// v1beta1 is not served: the API server would refuse it, so no schema.
	_, err = v.Validate(map[string]any{"apiVersion": "emm.dev/v1beta1", "kind": "Widget"})
	if !errors.Is(err, ErrNoSchema) {
		t.Errorf("unserved version: err = %v, want ErrNoSchema", err)
	}
}

func TestBadCRDIsACRDError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"not yaml", "kind: [unclosed", "parse"},
		{"not a CRD", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}", "want CustomResourceDefinition"},
		{"no group", "kind: CustomResourceDefinition\nmetadata: {name: x.y}\nspec: {names: {kind: X}}", "spec.group"},
		{"schema not an object", "kind: CustomResourceDefinition\nmetadata: {name: xs.emm.dev}\nspec: {group: emm.dev, names: {kind: X}, versions: [{name: v1, served: true, schema: {openAPIV3Schema: [1]}}]}", "want an object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			good := mustReadFile(t, "testdata/crd/widget-crd.yaml")
			_, err := withCRDs(t, good, []byte(tc.doc))
			var ce *CRDError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *CRDError", err)
			}
			if ce.Index != 1 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got index %d, %q; want index 1 and %q", ce.Index, err, tc.want)
			}
		})
	}
}
