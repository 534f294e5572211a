package apivalidation

import (
	"context"
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/registry/core/endpoint"
	"k8s.io/kubernetes/pkg/registry/discovery/endpointslice"
)

// TestEndpointStrategies: the local Endpoints and EndpointSlice strategies
// (which keep pkg/apis/core/install out of the binary) prepare and validate
// exactly as the registry's own, which this test, and only it, imports.
func TestEndpointStrategies(t *testing.T) {
	t.Parallel()
	docs := []string{
		"apiVersion: v1\nkind: Endpoints\nmetadata: {name: e, namespace: default}\nsubsets: [{addresses: [{ip: 10.0.0.1}], ports: [{port: 80, name: http}]}]\n",
		"apiVersion: v1\nkind: Endpoints\nmetadata: {name: e, namespace: default}\nsubsets: [{addresses: [{ip: 10.0.0.300}], ports: [{port: 70000, name: Http}]}]\n",
		"apiVersion: v1\nkind: Endpoints\nmetadata: {name: E_, namespace: default}\nsubsets: [{addresses: [{ip: 127.0.0.1}], notReadyAddresses: [{ip: \"::1\"}]}]\n",
		"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, namespace: default}\naddressType: IPv4\nendpoints: [{addresses: [10.0.0.1], nodeName: n1, deprecatedTopology: {kubernetes.io/hostname: n1}, hints: {forZones: [{name: a}], forNodes: [{name: n1}]}}]\nports: [{name: http, port: 80}]\n",
		"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, namespace: default}\naddressType: IPv5\nendpoints: [{addresses: []}]\nports: [{name: Http, port: 70000}]\n",
	}
	v := New()
	for i, doc := range docs {
		o := parse(t, doc)
		gvk, entry, ok := v.lock(o.APIVersion, o.Kind)
		if !ok {
			t.Fatalf("%s not handled", o.Kind)
		}
		var registry rest.RESTCreateStrategy = endpoint.Strategy
		if o.Kind == "EndpointSlice" {
			registry = endpointslice.Strategy
		}
		run := func(s rest.RESTCreateStrategy) (runtime.Object, []string) {
			versioned, _, err := decodeStrict(o.Obj, func() (runtime.Object, error) { return legacyscheme.Scheme.New(gvk) })
			if err != nil {
				t.Fatal(err)
			}
			legacyscheme.Scheme.Default(versioned)
			internal, err := legacyscheme.Scheme.UnsafeConvertToVersion(versioned, schema.GroupVersion{Group: gvk.Group, Version: runtime.APIVersionInternal})
			if err != nil {
				t.Fatal(err)
			}
			ctx := requestContext(context.Background(), gvk, entry.resource, "default")
			s.PrepareForCreate(ctx, internal)
			var errs []string
			for _, e := range rest.ValidateCreate(ctx, internal, s) {
				errs = append(errs, e.Error())
			}
			return internal, errs
		}
		gotObj, gotErrs := run(entry.strategy)
		wantObj, wantErrs := run(registry)
		schemeMu.RUnlock()
		if !reflect.DeepEqual(gotObj, wantObj) {
			t.Errorf("%s: prepared object differs:\n%+v\nregistry:\n%+v", doc, gotObj, wantObj)
		}
		if !reflect.DeepEqual(gotErrs, wantErrs) {
			t.Errorf("%s: errors %q, registry %q", doc, gotErrs, wantErrs)
		}
		if valid := i == 0 || i == 3; valid != (len(gotErrs) == 0) {
			t.Errorf("%s: errors %q, want valid=%v", doc, gotErrs, valid)
		}
	}
}
