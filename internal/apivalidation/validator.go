// Package apivalidation runs the Kubernetes API server's own create-path
// validation on a manifest, offline: the code of k8s.io/kubernetes v1.37,
// not a copy of its rules.
//
// For a built-in kind it does what kube-apiserver does with a create
// request sent with fieldValidation=Strict, short of admission and storage:
// decode the JSON body into the versioned Go type with sigs.k8s.io/json
// (unknown and duplicate fields reported), apply the scheme's defaults,
// convert to the internal type, fill the system metadata and a generated
// name, set the request namespace (kubectl's "default" when the manifest
// has none), and call rest's create path on the registry's own create
// strategy (pkg/registry/<group>/<resource>): PrepareForCreate, then
// Validate, the common ObjectMeta checks and declarative validation
// (zz_generated.validations.go), whose rules exist in no handwritten
// validation function.
//
// What it cannot know offline is left out and listed in README: admission
// plugins, whether referenced objects exist, and allocations that need
// cluster state (Service cluster IPs and node ports).
package apivalidation

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
)

// Kind says which stage of the API server rejects a field.
type Kind int

// Stages, in the order the API server runs them.
const (
	// Decode: the value cannot be decoded into the field's Go type
	// (a boolean where a string is expected, a malformed quantity).
	Decode Kind = iota + 1
	// Unknown: strict field validation (an unknown or duplicate field).
	Unknown
	// Invalid: the create strategy's validation (field.Error).
	Invalid
)

// Issue is one field the API server rejects.
type Issue struct {
	Kind Kind
	// Path is the field as JSON path segments of the object that was
	// validated (list indexes as decimal strings); nil for the object.
	Path []string
	// Field is the API server's own name of the field
	// (spec.template.spec.containers[0].ports[1].name), when it gave one.
	Field string
	// Message is the API server's message for the field, without the
	// field name: `Invalid value: "Foo": a lowercase RFC 1123 ...`.
	Message string
}

// Validator validates built-in kinds. It is safe for concurrent use; the
// Kubernetes scheme is built on the first Validate of a built-in kind.
type Validator struct {
	kinds map[schema.GroupKind]kindEntry
}

// New returns a Validator. It is cheap: nothing is registered until an
// object of a built-in kind is validated.
func New() *Validator {
	return &Validator{kinds: kinds()}
}

// Handles reports whether apiVersion/kind is a built-in kind this package
// validates: one the API server creates through a registry strategy, in a
// version kube-apiserver serves by default. Alpha and beta versions are
// switched off by default (pkg/controlplane DefaultAPIResourceConfigSource),
// so they are left to the schema check, which knows which exist at all.
func (v *Validator) Handles(apiVersion, kind string) bool {
	_, _, ok := v.lock(apiVersion, kind)
	if ok {
		schemeMu.RUnlock()
	}
	return ok
}

// Knows is a cheap Handles: whether the kind is one this package validates,
// without registering its API group (the group may still turn out not to
// serve that version).
func (v *Validator) Knows(apiVersion, kind string) bool {
	_, _, ok := v.known(apiVersion, kind)
	return ok
}

// known looks the kind up in the table of kinds this package validates
// (served versions only: no alpha or beta).
func (v *Validator) known(apiVersion, kind string) (schema.GroupVersionKind, kindEntry, bool) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil || gv.Version == "" || strings.Contains(gv.Version, "alpha") || strings.Contains(gv.Version, "beta") {
		return schema.GroupVersionKind{}, kindEntry{}, false
	}
	gvk := gv.WithKind(kind)
	entry, ok := v.kinds[gvk.GroupKind()]
	return gvk, entry, ok
}

// lock finds a kind this package validates and returns with the scheme
// read-locked and the kind's group registered; the caller unlocks.
func (v *Validator) lock(apiVersion, kind string) (schema.GroupVersionKind, kindEntry, bool) {
	gvk, entry, ok := v.known(apiVersion, kind)
	if !ok || rlockGroup(gvk.Group) != nil {
		return gvk, entry, false
	}
	if !legacyscheme.Scheme.Recognizes(gvk) {
		schemeMu.RUnlock()
		return gvk, entry, false
	}
	return gvk, entry, true
}

// Validate checks one object (JSON-compatible, as the loader decodes it)
// of a kind Handles accepts, and returns every field the API server would
// reject on create. An error means the check itself could not run.
func (v *Validator) Validate(ctx context.Context, obj map[string]any) ([]Issue, error) {
	issues, _, err := v.validate(ctx, obj, false)
	return issues, err
}

// ValidateDecoded is Validate that also returns the object as decoded and
// defaulted (its Go type, its own version), before anything the create
// path changes: what the API server's admission sees after converting it
// back from the internal version, so admission checks (internal/celpolicy)
// need not decode it again. It is nil when the object did not decode.
func (v *Validator) ValidateDecoded(ctx context.Context, obj map[string]any) ([]Issue, runtime.Object, error) {
	return v.validate(ctx, obj, true)
}

func (v *Validator) validate(ctx context.Context, obj map[string]any, keep bool) (_ []Issue, decoded runtime.Object, _ error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gvk, entry, ok := v.lock(apiVersion, kind)
	if !ok {
		return nil, nil, fmt.Errorf("%s %s is not a built-in kind", apiVersion, kind)
	}
	defer schemeMu.RUnlock()
	gv := gvk.GroupVersion()
	scheme := legacyscheme.Scheme

	versioned, issues, err := decodeStrict(obj, func() (runtime.Object, error) { return scheme.New(gvk) })
	if err != nil || versioned == nil {
		return issues, nil, err
	}
	if slices.ContainsFunc(issues, func(is Issue) bool { return is.Kind == Decode }) {
		// The API server stops here. Validating what is left would report
		// the rejected values again as zero values (a port of 0, an empty
		// selector), so neither does this.
		return issues, nil, nil
	}
	scheme.Default(versioned)
	if keep {
		// A copy: the conversion below shares memory with versioned, and
		// the create path changes the internal object.
		decoded = versioned.DeepCopyObject()
	}
	// Unsafe: the versioned object is ours alone, so no copy is needed.
	internal, err := scheme.UnsafeConvertToVersion(versioned, schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return append(issues, Issue{Kind: Decode, Message: err.Error()}), nil, nil
	}
	acc, err := meta.Accessor(internal)
	if err != nil {
		return nil, nil, err
	}

	// What the handler and the generic registry do before the strategy.
	ns := ""
	if entry.strategy.NamespaceScoped() {
		ns = acc.GetNamespace()
		if ns == "" {
			ns = "default" // kubectl sends the context's namespace
		}
	}
	rest.FillObjectMetaSystemFields(acc)
	if acc.GetGenerateName() != "" && acc.GetName() == "" {
		acc.SetName(entry.strategy.GenerateName(acc.GetGenerateName()))
	}
	if err := rest.EnsureObjectNamespaceMatchesRequestNamespace(rest.ExpectedNamespaceForScope(ns, entry.strategy.NamespaceScoped()), acc); err != nil {
		return append(issues, Issue{Kind: Invalid, Path: []string{"metadata", "namespace"}, Field: "metadata.namespace", Message: err.Error()}), decoded, nil
	}
	ctx = requestContext(ctx, gvk, entry.resource, ns)
	prepareForCreate(entry, internal)
	entry.strategy.PrepareForCreate(ctx, internal)
	errs := rest.ValidateCreate(ctx, internal, entry.strategy)

	secret := gvk.Group == "" && kind == "Secret"
	for _, fe := range errs {
		if fe.Type == field.ErrorTypeInternal && strings.Contains(fe.Detail, errClusterState.Error()) {
			continue
		}
		path := resolvePath(obj, fe.Field)
		if secret {
			fe.BadValue = field.OmitValueType{} // never echo a Secret's content
		}
		issues = append(issues, Issue{Kind: Invalid, Path: path, Field: fe.Field, Message: fe.ErrorBody()})
	}
	return issues, decoded, nil
}

// requestContext carries what the strategies read from the request: the
// namespace, the request info (declarative validation converts to the
// requested version; Event validation depends on it) and a user.
func requestContext(ctx context.Context, gvk schema.GroupVersionKind, resource, ns string) context.Context {
	ctx = genericapirequest.WithNamespace(ctx, ns)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create",
		APIPrefix: apiPrefix(gvk.Group), APIGroup: gvk.Group, APIVersion: gvk.Version,
		Namespace: ns, Resource: resource,
	})
	ctx = genericapirequest.WithUser(ctx, &user.DefaultInfo{Name: "emmdev-lint", Groups: []string{user.AllAuthenticated}})
	// The strategies log through the context's logger (declarative
	// validation logs where it differs from the handwritten rules); that is
	// the API server's log, not lint output.
	return klog.NewContext(ctx, logr.Discard())
}

func apiPrefix(group string) string {
	if group == "" {
		return "api"
	}
	return "apis"
}
