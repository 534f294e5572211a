package apivalidation

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/apis/discovery"
	discoveryvalidation "k8s.io/kubernetes/pkg/apis/discovery/validation"
	"k8s.io/kubernetes/pkg/features"
)

// The registry packages of Endpoints (pkg/registry/core/endpoint) and
// EndpointSlice (pkg/registry/discovery/endpointslice) import the endpoint
// controllers for one label constant each, and with them
// pkg/apis/core/install, whose init() registers the core group in the
// process-wide scheme at the start of every emmdev command. Their create
// strategies are repeated here instead: the same validation functions,
// declarative validation through rest.DeclarativeValidation, and the
// PrepareForCreate steps as of Kubernetes 1.37.2 (TestEndpointStrategies
// checks them against the registry's behaviour it was written from).

// endpointsStrategy is pkg/registry/core/endpoint's Strategy on create:
// nothing to prepare, ValidateEndpointsCreate.
type endpointsStrategy struct {
	rest.DeclarativeValidation
	names.NameGenerator
}

func newEndpointsStrategy() endpointsStrategy {
	return endpointsStrategy{rest.DeclarativeValidation{Scheme: legacyscheme.Scheme}, names.SimpleNameGenerator}
}

func (endpointsStrategy) NamespaceScoped() bool                                     { return true }
func (endpointsStrategy) PrepareForCreate(context.Context, runtime.Object)          {}
func (endpointsStrategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }
func (endpointsStrategy) Canonicalize(runtime.Object)                               {}
func (endpointsStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return corevalidation.ValidateEndpointsCreate(obj.(*api.Endpoints))
}

// endpointSliceStrategy is pkg/registry/discovery/endpointslice's Strategy
// on a create through discovery.k8s.io/v1: generation 1, hints for nodes
// dropped unless PreferSameTrafficDistribution is on, the deprecated
// topology dropped (v1 requests), ValidateEndpointSliceCreate.
type endpointSliceStrategy struct {
	rest.DeclarativeValidation
	names.NameGenerator
}

func newEndpointSliceStrategy() endpointSliceStrategy {
	return endpointSliceStrategy{rest.DeclarativeValidation{Scheme: legacyscheme.Scheme}, names.SimpleNameGenerator}
}

func (endpointSliceStrategy) NamespaceScoped() bool                                     { return true }
func (endpointSliceStrategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }
func (endpointSliceStrategy) Canonicalize(runtime.Object)                               {}

func (endpointSliceStrategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	eps := obj.(*discovery.EndpointSlice)
	eps.Generation = 1
	for i := range eps.Endpoints {
		if !utilfeature.DefaultFeatureGate.Enabled(features.PreferSameTrafficDistribution) && eps.Endpoints[i].Hints != nil {
			eps.Endpoints[i].Hints.ForNodes = nil
		}
		// Only served versions are validated here, and v1 is the only
		// one: a v1 write never keeps deprecatedTopology.
		eps.Endpoints[i].DeprecatedTopology = nil
	}
}

func (endpointSliceStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return discoveryvalidation.ValidateEndpointSliceCreate(obj.(*discovery.EndpointSlice))
}
