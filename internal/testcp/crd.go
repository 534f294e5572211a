package testcp

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// EnsureCRD installs (server-side applies) one CustomResourceDefinition,
// given as YAML or JSON, and waits until it is Established, so the test can
// create its objects at once. CRDs are cluster-scoped and shared by the
// package's tests; applying the same CRD twice is fine.
func (c *ControlPlane) EnsureCRD(t testing.TB, manifest []byte) {
	t.Helper()
	if err := ensureCRD(context.Background(), c, manifest); err != nil {
		t.Fatalf("testcp: %v", err)
	}
}

func ensureCRD(ctx context.Context, c *ControlPlane, manifest []byte) error {
	obj := map[string]any{}
	if err := yaml.Unmarshal(manifest, &obj); err != nil {
		return fmt.Errorf("CRD manifest: %w", err)
	}
	crd := &unstructured.Unstructured{Object: obj}
	if crd.GetKind() != "CustomResourceDefinition" || crd.GetName() == "" {
		return fmt.Errorf("CRD manifest: kind %q name %q, want a named CustomResourceDefinition", crd.GetKind(), crd.GetName())
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("CRD %s: %w", crd.GetName(), err)
	}
	force := true
	res := c.Dynamic.Resource(crdResource)
	if _, err := res.Patch(ctx, crd.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: "testcp", Force: &force}); err != nil {
		return fmt.Errorf("apply CRD %s: %w", crd.GetName(), err)
	}
	var last string
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := res.Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, cond := range conds {
			m, _ := cond.(map[string]any)
			if m["type"] == "Established" {
				last = fmt.Sprintf("Established=%v: %v", m["status"], m["message"])
				if m["status"] == "True" {
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s not Established (%s): %w", crd.GetName(), last, err)
	}
	return nil
}
