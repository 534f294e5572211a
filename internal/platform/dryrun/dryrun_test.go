package dryrun

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/emmdev/emmdev/internal/deploy"
	"github.com/emmdev/emmdev/internal/platform"
	"github.com/emmdev/emmdev/internal/testcp"
	"github.com/emmdev/emmdev/internal/testenv"
)

// The apiserver alone validates: no controllers or kwok needed.
func TestMain(m *testing.M) { os.Exit(testcp.Main(m, testcp.Options{})) }

// client applies objects through the dynamic client, mapping kinds to
// resources with discovery (refreshed after CRDs are installed).
type client struct {
	dyn    dynamic.Interface
	mapper meta.ResettableRESTMapper
}

func newClient(t *testing.T, cp *testcp.ControlPlane) *client {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &client{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
}

// apply does a server-side apply; dryRun asks the server to run admission,
// defaulting and validation without persisting, and Strict field validation
// turns unknown or duplicate fields into errors instead of silent drops.
func (c *client) apply(ctx context.Context, o *unstructured.Unstructured, dryRun bool) error {
	gvk := o.GroupVersionKind()
	m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("%s %s: %w", gvk.Kind, o.GetName(), err)
	}
	var ri dynamic.ResourceInterface = c.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = c.dyn.Resource(m.Resource).Namespace(o.GetNamespace())
	}
	data, err := json.Marshal(o.Object)
	if err != nil {
		return err
	}
	opts := metav1.PatchOptions{FieldManager: "emmdev-test", Force: ptr(true), FieldValidation: "Strict"}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, opts)
	if err != nil {
		return fmt.Errorf("%s %s/%s: %w", gvk.Kind, o.GetNamespace(), o.GetName(), err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// installSealedSecretCRD installs the SealedSecret CRD exactly as `emmdev up`
// does (the copy embedded in internal/deploy), waits until it is Established
// and refreshes the mapper so the kind resolves.
func installSealedSecretCRD(t *testing.T, cp *testcp.ControlPlane, c *client) {
	t.Helper()
	objs, err := deploy.SealedSecretsObjects()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			continue
		}
		raw, err := o.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		cp.EnsureCRD(t, raw)
	}
	c.mapper.Reset()
}

func TestAPIServerAcceptsManifests(t *testing.T) {
	cp := testcp.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := newClient(t, cp)
	installSealedSecretCRD(t, cp, c)

	// Namespaced objects can only be dry-run in a namespace that exists, so
	// the Namespace object itself is applied for real.
	base, err := platform.Render(filepath.Join(testenv.RepoRoot(t), "manifests"))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range base {
		if o["kind"] == "Namespace" {
			ns := &unstructured.Unstructured{Object: o}
			if err := c.apply(ctx, ns, false); err != nil {
				t.Fatalf("create namespace: %v", err)
			}
			// Not deleted afterwards: this plane runs no namespace controller,
			// so a deleted namespace would stay Terminating and refuse the
			// next run's objects (go test -count=2). The plane is discarded
			// with the package anyway.
		}
	}

	for _, dir := range []string{"manifests", "deploy/overlays/production"} {
		t.Run(dir, func(t *testing.T) {
			objs, err := platform.Render(filepath.Join(testenv.RepoRoot(t), dir))
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) < 40 {
				t.Fatalf("rendered only %d objects", len(objs))
			}
			for _, o := range objs {
				if err := c.apply(ctx, &unstructured.Unstructured{Object: o}, true); err != nil {
					t.Errorf("apiserver rejects %v", err)
				}
			}
		})
	}
}

// The same path must reject what a real cluster rejects, or the test above
// proves nothing.
func TestAPIServerRejectsBrokenObjects(t *testing.T) {
	cp := testcp.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := newClient(t, cp)
	installSealedSecretCRD(t, cp, c)
	ns := cp.Namespace(t)
	tests := []struct{ name, doc, wantErr string }{
		{"unknown field", `
apiVersion: v1
kind: ConfigMap
metadata: {name: typo}
dataa: {a: b}`, "field not declared in schema"},
		{"invalid name", `
apiVersion: v1
kind: Service
metadata: {name: Not_A_DNS_Name}
spec:
  ports: [{port: 80}]`, "Invalid value"},
		{"selector does not match labels", `
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: c, image: "x:1"}]`, "does not match template"},
		// Validated against the CRD's schema, so the CRD really is in play.
		{"sealed secret of the wrong shape", `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: s}
spec:
  encryptedData: 5`, "encryptedData"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(strings.TrimSpace(tc.doc)), &o.Object); err != nil {
				t.Fatal(err)
			}
			o.SetNamespace(ns)
			err := c.apply(ctx, o, true)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}
