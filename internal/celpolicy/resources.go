package celpolicy

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

//go:generate go run ./gen -out resources_gen.go

type resourceInfo struct {
	group, version, kind, resource string
	namespaced                     bool
}

// Resources is the offline stand-in for discovery: which resource a kind is
// created at and whether it is namespaced, for the built-in kinds and the
// CustomResourceDefinitions found next to the manifests.
type Resources struct {
	byGVK  map[schema.GroupVersionKind]resourceInfo
	mapper *meta.DefaultRESTMapper
}

// NewResources knows the built-in kinds of Kubernetes 1.37.
func NewResources() *Resources {
	r := &Resources{byGVK: map[schema.GroupVersionKind]resourceInfo{}, mapper: meta.NewDefaultRESTMapper(nil)}
	for _, ri := range builtinResources {
		r.add(ri)
	}
	return r
}

func (r *Resources) add(ri resourceInfo) {
	gvk := schema.GroupVersionKind{Group: ri.group, Version: ri.version, Kind: ri.kind}
	if _, dup := r.byGVK[gvk]; dup {
		return // a built-in kind wins over a CRD claiming it
	}
	r.byGVK[gvk] = ri
	scope := meta.RESTScopeRoot
	if ri.namespaced {
		scope = meta.RESTScopeNamespace
	}
	r.mapper.AddSpecific(gvk, gvk.GroupVersion().WithResource(ri.resource), gvk.GroupVersion().WithResource(ri.resource), scope)
}

// AddCRD learns the kinds a CustomResourceDefinition (decoded JSON) serves.
func (r *Resources) AddCRD(crd map[string]any) {
	spec, _ := crd["spec"].(map[string]any)
	names, _ := spec["names"].(map[string]any)
	group, _ := spec["group"].(string)
	kind, _ := names["kind"].(string)
	plural, _ := names["plural"].(string)
	scope, _ := spec["scope"].(string)
	versions, _ := spec["versions"].([]any)
	if group == "" || kind == "" || plural == "" {
		return
	}
	for _, v := range versions {
		vm, _ := v.(map[string]any)
		name, _ := vm["name"].(string)
		if served, ok := vm["served"].(bool); name == "" || (ok && !served) {
			continue
		}
		r.add(resourceInfo{group: group, version: name, kind: kind, resource: plural, namespaced: scope != "Cluster"})
	}
}

// Lookup returns the resource of a kind and whether it is namespaced.
func (r *Resources) Lookup(gvk schema.GroupVersionKind) (gvr schema.GroupVersionResource, namespaced, ok bool) {
	ri, ok := r.byGVK[gvk]
	if !ok {
		return schema.GroupVersionResource{}, false, false
	}
	return gvk.GroupVersion().WithResource(ri.resource), ri.namespaced, true
}

// RESTMapper answers KindsFor, which type checking needs.
func (r *Resources) RESTMapper() meta.RESTMapper { return r.mapper }
