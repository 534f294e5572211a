package testcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestEnsureCRDServesTheNewKind(t *testing.T) {
	t.Parallel()
	cp := Get(t)
	manifest, err := os.ReadFile(filepath.Join("testdata", "crd-widget.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cp.EnsureCRD(t, manifest)
	cp.EnsureCRD(t, manifest) // idempotent
	ns := cp.Namespace(t)
	widgets := cp.Dynamic.Resource(schema.GroupVersionResource{Group: "test.emmdev.dev", Version: "v1", Resource: "widgets"}).Namespace(ns)
	widget := func(name string, size int64) *unstructured.Unstructured {
		return &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "test.emmdev.dev/v1", "kind": "Widget",
			"metadata": map[string]any{"name": name},
			"spec":     map[string]any{"size": size},
		}}
	}
	ctx := context.Background()
	if _, err := widgets.Create(ctx, widget("ok", 3), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create a valid Widget right after EnsureCRD: %v", err)
	}
	// The schema is enforced: the CRD is really installed, not just accepted.
	if _, err := widgets.Create(ctx, widget("bad", 0), metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("Widget with size 0: err = %v, want Invalid", err)
	}
}

func TestEnsureCRDRejectsOtherKinds(t *testing.T) {
	t.Parallel()
	// Refused before any API call, so no control plane is needed.
	err := ensureCRD(context.Background(), nil, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"))
	if err == nil || !strings.Contains(err.Error(), "want a named CustomResourceDefinition") {
		t.Errorf("err = %v, want a clear refusal", err)
	}
}
