package celpolicy_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	admv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/emmdev/emmdev/internal/celpolicy"
	"github.com/emmdev/emmdev/internal/testcp"
)

var vapGVR = schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: "validatingadmissionpolicies"}

const errorsHeader = `apiVersion: emmdev.dev/v1alpha1
kind: CELPolicy
metadata: {name: p}
spec:
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
    objectSelector:
      matchLabels: {emmdev.test/policy-errors: "true"}
  rules:
    - id: `

// parseOne parses a one-rule policy without checking it.
func parseOne(t *testing.T, rule string) *celpolicy.Rule {
	t.Helper()
	pols, err := celpolicy.Parse(celpolicy.Source{Name: "p.yaml", Data: []byte(errorsHeader + rule)})
	if err != nil {
		t.Fatal(err)
	}
	return pols[0].Rules[0]
}

func toU(t *testing.T, obj any) *unstructured.Unstructured {
	t.Helper()
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	return u
}

// offlineError loads the one-rule policy and returns its only error.
func offlineError(t *testing.T, rule string) *celpolicy.Error {
	t.Helper()
	_, err := celpolicy.Load([]celpolicy.Source{{Name: "p.yaml", Data: []byte(errorsHeader + rule)}}, celpolicy.Options{})
	var es celpolicy.Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("want one policy error, got %v", err)
	}
	return es[0]
}

// TestPolicyErrorsAgreeWithTheCluster shows the real kube-apiserver what
// lint refuses as a policy error: CEL that does not compile is refused by
// the API server too, with the same compiler message; a misspelt field is
// accepted by the API server but flagged by kube-controller-manager's type
// check at the same place; an expression over the cost limit is accepted
// and then fails, and so denies, every request it sees.
func TestPolicyErrorsAgreeWithTheCluster(t *testing.T) {
	cp := testcp.Get(t)
	ctx := context.Background()
	vaps := cp.Dynamic.Resource(vapGVR)

	t.Run("bad CEL", func(t *testing.T) {
		rule := "bad-syntax\n      expression: object.data.x > && true\n"
		off := offlineError(t, rule)
		if off.Line != 12 || off.Col != 35 || !strings.Contains(off.Msg, "Syntax error: extraneous input '&&'") {
			t.Fatalf("offline: %v", off)
		}
		vap := toU(t, parseOne(t, rule).AdmissionPolicyForTest())
		_, err := vaps.Create(ctx, vap, metav1.CreateOptions{})
		if err == nil {
			t.Fatal("the API server accepted a policy lint refuses")
		}
		if !strings.Contains(err.Error(), "compilation failed: ERROR: <input>:1:17: Syntax error: extraneous input '&&'") {
			t.Fatalf("the API server refused with another reason: %v", err)
		}
	})

	t.Run("unknown field", func(t *testing.T) {
		rule := "typo\n      expression: has(object.data) && object.dta.size() > 0\n"
		off := offlineError(t, rule)
		if off.Line != 12 || off.Col != 45 || !strings.Contains(off.Msg, "undefined field 'dta'") {
			t.Fatalf("offline: %v", off)
		}
		vap := toU(t, parseOne(t, rule).AdmissionPolicyForTest())
		if _, err := vaps.Create(ctx, vap, metav1.CreateOptions{}); err != nil {
			t.Fatalf("the API server refused a policy that compiles: %v", err)
		}
		t.Cleanup(func() { _ = vaps.Delete(context.Background(), vap.GetName(), metav1.DeleteOptions{}) })
		var warning string
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			u, err := vaps.Get(ctx, vap.GetName(), metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			ws, _, _ := unstructured.NestedSlice(u.Object, "status", "typeChecking", "expressionWarnings")
			for _, w := range ws {
				m, _ := w.(map[string]any)
				warning = m["fieldRef"].(string) + ": " + m["warning"].(string)
			}
			observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
			return observed == u.GetGeneration(), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Offline column 45 is the expression's column 27 on line 12
		// (the expression starts at column 19).
		if !strings.HasPrefix(warning, "spec.validations[0].expression: ") || !strings.Contains(warning, "ERROR: <input>:1:27: undefined field 'dta'") {
			t.Fatalf("kube-controller-manager's type check says %q", warning)
		}
	})

	t.Run("cost over budget", func(t *testing.T) {
		rule := "expensive\n      expression: lists.range(1500).map(i, lists.range(1500).map(j, i * j)).size() > 0\n      message: never reached\n"
		off := offlineError(t, rule)
		if off.Line != 12 || !strings.Contains(off.Msg, "cost over budget") {
			t.Fatalf("offline: %v", off)
		}
		r := parseOne(t, rule)
		objs := []*unstructured.Unstructured{toU(t, r.AdmissionPolicyForTest()), toU(t, r.BindingForTest(admv1.Deny))}
		install(t, cp, objs)
		ns := cp.Namespace(t)
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "any", Labels: map[string]string{"emmdev.test/policy-errors": "true"}}}
		_, clusterErr := cp.Clientset.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
		if clusterErr == nil || !strings.Contains(clusterErr.Error(), "cost limit exceeded") {
			t.Fatalf("the cluster answered %v, want a denial for the cost limit", clusterErr)
		}
		// Forced past the check, offline evaluation fails the same way.
		set, err := celpolicy.Load([]celpolicy.Source{{Name: "p.yaml", Data: []byte(errorsHeader + rule), Verified: true}}, celpolicy.Options{})
		if err != nil {
			t.Fatal(err)
		}
		vs := set.NewEvaluator(celpolicy.EvalOptions{}).Evaluate(ctx, map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "any", "namespace": ns, "labels": map[string]any{"emmdev.test/policy-errors": "true"}},
		})
		if len(vs) != 1 || !strings.HasSuffix(clusterErr.Error(), "denied request: "+vs[0].Message) {
			t.Fatalf("offline verdicts %+v, cluster %v", vs, clusterErr)
		}
	})
}
