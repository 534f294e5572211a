package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// FieldManager is the server-side apply field manager for everything emmdev
// applies, so `kubectl get -o yaml --show-managed-fields` says who set what.
const FieldManager = "emmdev"

// Clients are the API clients deploy needs.
type Clients struct {
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	Mapper  meta.ResettableRESTMapper
}

// NewClients builds the clients from a rest config. The RESTMapper is backed
// by cached discovery and is reset after CRDs are applied.
func NewClients(cfg *rest.Config) (*Clients, error) {
	// client-go's default 5 QPS would make the ~120 requests of an apply
	// (a GET and a PATCH per object) take over 20 s; kubectl uses 50/300.
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 300
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(kube.Discovery()))
	return &Clients{Kube: kube, Dynamic: dyn, Mapper: mapper}, nil
}

// Outcome of applying one object.
type Outcome string

// Outcomes, as kubectl words them.
const (
	Created    Outcome = "created"
	Configured Outcome = "configured"
	Unchanged  Outcome = "unchanged"
)

// Result counts what an apply did.
type Result struct {
	Created, Configured, Unchanged int
	// Workloads are the Deployments and StatefulSets applied, to wait for.
	Workloads []Workload
}

// Add merges r2 into r.
func (r *Result) Add(r2 Result) {
	r.Created += r2.Created
	r.Configured += r2.Configured
	r.Unchanged += r2.Unchanged
	r.Workloads = append(r.Workloads, r2.Workloads...)
}

func (r Result) String() string {
	return fmt.Sprintf("%d created, %d configured, %d unchanged", r.Created, r.Configured, r.Unchanged)
}

// Workload names a Deployment or StatefulSet.
type Workload struct {
	Kind, Namespace, Name string
}

func (w Workload) String() string { return fmt.Sprintf("%s %s/%s", w.Kind, w.Namespace, w.Name) }

// Applier applies objects with server-side apply.
type Applier struct {
	Clients *Clients
	// DefaultNamespace is used for namespaced objects without one (the
	// kube context's namespace, as kubectl does).
	DefaultNamespace string
	// OnObject, when set, is told about each object's outcome (for -v).
	OnObject func(id string, o Outcome)
	// CRDTimeout bounds the wait for applied CRDs to be established.
	CRDTimeout time.Duration
	// Force takes over fields another field manager owns (kubectl's
	// --force-conflicts). Without it such fields are reported as a
	// *ConflictError and their objects left alone.
	Force bool
}

// Apply applies objs in the given order (use Sort first). After the last CRD
// it waits for the CRDs to be established and refreshes the RESTMapper so the
// custom resources that follow can be mapped. Without Force, objects whose
// fields another manager owns are skipped and all of them are returned
// together as a *ConflictError once the rest is applied.
func (a *Applier) Apply(ctx context.Context, objs []Object) (Result, error) {
	var res Result
	var crds []string
	var conflicted []Conflict
	for i, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" && len(crds) > 0 {
			if err := a.waitCRDs(ctx, crds); err != nil {
				return res, err
			}
			crds = nil
		}
		outcome, err := a.applyOne(ctx, o)
		if c := conflicts(o, err); len(c) > 0 {
			conflicted = append(conflicted, c...)
			continue
		}
		if err != nil {
			return res, fmt.Errorf("%s (%s): %w", o.ID(), o.Source, err)
		}
		switch outcome {
		case Created:
			res.Created++
		case Configured:
			res.Configured++
		default:
			res.Unchanged++
		}
		if a.OnObject != nil {
			a.OnObject(o.ID(), outcome)
		}
		switch o.GetKind() {
		case "CustomResourceDefinition":
			crds = append(crds, o.GetName())
			if i == len(objs)-1 {
				if err := a.waitCRDs(ctx, crds); err != nil {
					return res, err
				}
			}
		case "Deployment", "StatefulSet":
			if o.GroupVersionKind().Group == "apps" {
				res.Workloads = append(res.Workloads, Workload{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()})
			}
		}
	}
	if len(conflicted) > 0 {
		return res, &ConflictError{Conflicts: conflicted}
	}
	return res, nil
}

func (a *Applier) resource(o Object) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	mapping, err := a.Clients.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("unknown kind %s (is its CRD installed?): %w", gvk, err)
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		o.SetNamespace("")
		return a.Clients.Dynamic.Resource(mapping.Resource), nil
	}
	if o.GetNamespace() == "" {
		ns := a.DefaultNamespace
		if ns == "" {
			ns = metav1.NamespaceDefault
		}
		o.SetNamespace(ns)
	}
	return a.Clients.Dynamic.Resource(mapping.Resource).Namespace(o.GetNamespace()), nil
}

// applyOne reads the object's resourceVersion, applies, and compares: an
// apply that changes nothing leaves the resourceVersion as it was, which is
// how a second `emmdev up` knows it was a no-op.
func (a *Applier) applyOne(ctx context.Context, o Object) (Outcome, error) {
	ri, err := a.resource(o)
	if err != nil {
		return "", err
	}
	before := ""
	cur, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return "", err
	default:
		before = cur.GetResourceVersion()
	}
	body := o.DeepCopy()
	body.SetResourceVersion("")
	unstructured.RemoveNestedField(body.Object, "metadata", "managedFields")
	unstructured.RemoveNestedField(body.Object, "status")
	data, err := json.Marshal(body.Object)
	if err != nil {
		return "", err
	}
	force := a.Force
	after, err := ri.Patch(ctx, o.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: FieldManager, Force: &force})
	if err != nil {
		return "", err
	}
	switch {
	case before == "":
		return Created, nil
	case after.GetResourceVersion() == before:
		return Unchanged, nil
	default:
		return Configured, nil
	}
}

func crdGVR() schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
}

func (a *Applier) waitCRDs(ctx context.Context, names []string) error {
	timeout := a.CRDTimeout
	if timeout == 0 {
		timeout = time.Minute
	}
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
			crd, err := a.Clients.Dynamic.Resource(crdGVR()).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil // not there yet: keep polling until the timeout
			}
			conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
			for _, c := range conds {
				m, _ := c.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not established: %w", name, err)
		}
	}
	a.Clients.Mapper.Reset()
	return nil
}
