package celpolicy_test

import (
	"bytes"
	"strings"
	"testing"

	admv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigyaml "sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/lint/finding"
)

const exportPolicies = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: web}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  params:
    maxReplicas: 5
  rules:
    - id: replicas-max
      expression: object.spec.replicas <= params.maxReplicas
      message: too many replicas
    - id: short-name
      severity: warning
      expression: size(object.metadata.name) <= 20
    - id: team
      severity: info
      expression: has(object.metadata.labels)
    - id: off-by-default
      enabled: false
      expression: "false"
---
apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: plain}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  rules:
    - id: configmap-owner
      expression: has(object.metadata.labels)
`

func byKindName(objs []*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		out[o.GetKind()+"/"+o.GetName()] = o
	}
	return out
}

// TestExport: one policy and one binding per enabled rule, named after the
// rule; errors deny, warnings and infos warn; inline parameters become a
// PolicyParameters object the binding refers to (and the CRD, first); the
// lint policy's switch and severity win; the output decodes strictly into
// the API types and is the same every time.
func TestExport(t *testing.T) {
	t.Parallel()
	set, err := celpolicy.Load([]celpolicy.Source{{Name: "p.yaml", Data: []byte(exportPolicies)}}, celpolicy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs, err := set.Export(celpolicy.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if objs[0].GetKind() != "CustomResourceDefinition" || objs[0].GetName() != "policyparameters.emmdev.dev" {
		t.Fatalf("first object %s %s, want the PolicyParameters CRD", objs[0].GetKind(), objs[0].GetName())
	}
	m := byKindName(objs)
	if len(objs) != 1+3+4*2 {
		t.Errorf("%d objects: %v", len(objs), keys(m))
	}
	if _, ok := m["ValidatingAdmissionPolicy/emmdev-off-by-default"]; ok {
		t.Error("a rule with enabled: false was exported")
	}
	for id, action := range map[string]admv1.ValidationAction{"replicas-max": admv1.Deny, "short-name": admv1.Warn, "team": admv1.Warn, "configmap-owner": admv1.Deny} {
		var b admv1.ValidatingAdmissionPolicyBinding
		decodeStrict(t, m["ValidatingAdmissionPolicyBinding/emmdev-"+id], &b)
		var p admv1.ValidatingAdmissionPolicy
		decodeStrict(t, m["ValidatingAdmissionPolicy/emmdev-"+id], &p)
		if b.Spec.PolicyName != "emmdev-"+id || len(b.Spec.ValidationActions) != 1 || b.Spec.ValidationActions[0] != action {
			t.Errorf("%s: binding %+v, want action %s", id, b.Spec, action)
		}
		if len(p.Spec.Validations) != 1 || *p.Spec.FailurePolicy != admv1.Fail {
			t.Errorf("%s: policy spec %+v", id, p.Spec)
		}
		withParams := id != "configmap-owner"
		if withParams != (b.Spec.ParamRef != nil) || withParams != (p.Spec.ParamKind != nil) {
			t.Errorf("%s: paramRef %+v paramKind %+v", id, b.Spec.ParamRef, p.Spec.ParamKind)
		}
		if withParams && (b.Spec.ParamRef.Name != "emmdev-"+id || *b.Spec.ParamRef.ParameterNotFoundAction != admv1.DenyAction) {
			t.Errorf("%s: paramRef %+v", id, b.Spec.ParamRef)
		}
		last := p.Spec.MatchConditions[len(p.Spec.MatchConditions)-1]
		if last.Name != "emmdev-not-suppressed" || !strings.Contains(last.Expression, `"emmdev.dev/ignore-`+id+`"`) {
			t.Errorf("%s: no suppression condition: %+v", id, p.Spec.MatchConditions)
		}
	}
	params := m["PolicyParameters/emmdev-replicas-max"]
	if v, _, _ := unstructured.NestedInt64(params.Object, "maxReplicas"); v != 5 {
		t.Errorf("params object %v", params.Object)
	}

	// The lint policy decides: a warning becomes an error, an error is off.
	eff := celpolicy.ExportOptions{Effective: func(id string) (bool, finding.Severity) {
		switch id {
		case "short-name":
			return true, finding.Error
		case "replicas-max":
			return false, finding.Error
		}
		r, _ := set.Rule(id)
		return r.EnabledByDefault(), r.Severity
	}}
	objs, err = set.Export(eff)
	if err != nil {
		t.Fatal(err)
	}
	m = byKindName(objs)
	if _, ok := m["ValidatingAdmissionPolicy/emmdev-replicas-max"]; ok {
		t.Error("a rule the lint policy switched off was exported")
	}
	var b admv1.ValidatingAdmissionPolicyBinding
	decodeStrict(t, m["ValidatingAdmissionPolicyBinding/emmdev-short-name"], &b)
	if b.Spec.ValidationActions[0] != admv1.Deny {
		t.Errorf("short-name raised to error: action %v", b.Spec.ValidationActions)
	}

	var out1, out2 bytes.Buffer
	objs2, _ := set.Export(eff)
	if err := celpolicy.WriteYAML(&out1, "h", objs); err != nil {
		t.Fatal(err)
	}
	if err := celpolicy.WriteYAML(&out2, "h", objs2); err != nil {
		t.Fatal(err)
	}
	if out1.String() != out2.String() {
		t.Error("export is not deterministic")
	}
	if !strings.HasPrefix(out1.String(), "# h\n---\n") {
		t.Errorf("header: %q", out1.String()[:20])
	}
}

func decodeStrict(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	if u == nil {
		t.Fatal("object missing")
	}
	data, err := sigyaml.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigyaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s %s does not decode strictly: %v", u.GetKind(), u.GetName(), err)
	}
}

func keys(m map[string]*unstructured.Unstructured) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
