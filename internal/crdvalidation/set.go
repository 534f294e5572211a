// Package crdvalidation validates CustomResourceDefinitions and custom
// resources offline, with the code of k8s.io/apiextensions-apiserver that
// the API server runs on create:
//
//   - a CRD is decoded strictly as apiextensions.k8s.io/v1, defaulted,
//     converted to the internal type, prepared and validated by the CRD
//     registry's create strategy (validation.ValidateCustomResourceDefinition
//     and the generic ObjectMeta checks);
//   - a custom resource goes through what the CRD handler does with a
//     request body under fieldValidation=Strict: ObjectMeta coercion,
//     pruning (whose removals are the unknown fields), defaulting, and the
//     custom resource registry's create strategy (OpenAPI schema validator,
//     metadata, list types, x-kubernetes-validations CEL rules with the API
//     server's cost limits).
//
// A CRD is compiled (structural schema, validators, CEL programs) once per
// run, on first use; compiled CRDs are safe for concurrent use.
package crdvalidation

import (
	"fmt"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// Reason classifies an Issue.
type Reason int

// Issue reasons.
const (
	// UnknownField is a field the schema does not declare: strict field
	// validation rejects it (pruning would drop it).
	UnknownField Reason = iota + 1
	// Malformed is a value the API server cannot decode (wrong type).
	Malformed
	// SchemaViolation is rejected by the CRD's OpenAPI schema: type,
	// required, enum, bounds, pattern, format, list type.
	SchemaViolation
	// Invalid is rejected by the rest of the API server's validation: CEL
	// rules (x-kubernetes-validations), metadata, the CRD validation.
	Invalid
	// Unusable marks a CRD that is not used to validate its kinds: partial
	// (a kustomize patch), declaring a built-in API group, or a second CRD
	// for a kind already declared.
	Unusable
	// NotValidated is a custom resource whose CRD is unusable or does not
	// serve its version.
	NotValidated
)

// Issue is one problem found in a CRD or a custom resource.
type Issue struct {
	Reason Reason
	// Path is the JSON path of the field in the object as written (segments;
	// list indexes in decimal), where the issue is to be shown. It may
	// continue past the deepest field that exists, e.g. for a missing
	// required field.
	Path []string
	// Field is the API server's field path ("spec.ports[0].name"), "" for
	// the object as a whole.
	Field string
	// FieldPath is Field as segments. It differs from Path where the API
	// server names a field of its internal CRD type: for a CRD whose
	// versions share one schema it says spec.validation.openAPIV3Schema,
	// which is written at spec.versions[0].schema.openAPIV3Schema.
	FieldPath []string
	// Message is the API server's message, including its field path.
	Message string
}

// Options configure a Set.
type Options struct {
	// BuiltinGroup reports whether the API server serves an API group
	// itself (core "", apps, batch, ...). A CRD in such a group cannot
	// replace its kinds.
	BuiltinGroup func(group string) bool
}

// Set holds the CRDs of one run. Add and AddEmbedded are not safe for
// concurrent use; everything else is, once the CRDs are added.
type Set struct {
	opts     Options
	env      func() *env
	byGK     map[schema.GroupKind]*CRD
	embedded map[schema.GroupKind]*CRD
}

// NewSet returns an empty Set. Nothing is compiled until first use.
func NewSet(opts Options) *Set {
	if opts.BuiltinGroup == nil {
		opts.BuiltinGroup = func(string) bool { return false }
	}
	return &Set{
		opts:     opts,
		env:      sync.OnceValue(newEnv),
		byGK:     map[schema.GroupKind]*CRD{},
		embedded: map[schema.GroupKind]*CRD{},
	}
}

// CRD is one CustomResourceDefinition added to a Set.
type CRD struct {
	set      *Set
	obj      map[string]any
	origin   string
	name     string
	gk       schema.GroupKind
	embedded bool
	// dupOf is the CRD already declaring gk when this one was added.
	dupOf *CRD

	once     sync.Once
	issues   []Issue
	unusable string // why its kinds are not validated ("" = usable)
	versions map[string]*version
	served   []string
}

// Add registers a CRD object (decoded JSON: map[string]any, []any, string,
// int64, float64, bool, nil) found in the linted tree. origin names it in
// messages ("crds/widget.yaml:3"). The first CRD declaring a group/kind is
// the one used; an in-tree CRD replaces an embedded one.
func (s *Set) Add(obj map[string]any, origin string) *CRD {
	c := s.newCRD(obj, origin)
	if s.opts.BuiltinGroup(c.gk.Group) {
		return c // never replaces the API server's own kinds (Check says so)
	}
	if prev, ok := s.byGK[c.gk]; ok && c.gk.Kind != "" {
		if prev.name != c.name {
			c.dupOf = prev
		}
		return c
	}
	if c.gk.Kind != "" {
		s.byGK[c.gk] = c
	}
	return c
}

// AddEmbedded registers a CRD shipped with emmdev (YAML or JSON). It is
// trusted (its validity is a test, not a run-time cost) and only used when
// no CRD in the linted tree declares the same group/kind.
func (s *Set) AddEmbedded(doc []byte, origin string) error {
	var obj map[string]any
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return fmt.Errorf("embedded CRD %s: %w", origin, err)
	}
	c := s.newCRD(obj, origin)
	if c.gk.Kind == "" {
		return fmt.Errorf("embedded CRD %s: no spec.names.kind", origin)
	}
	c.embedded = true
	s.embedded[c.gk] = c
	return nil
}

func (s *Set) newCRD(obj map[string]any, origin string) *CRD {
	c := &CRD{set: s, obj: obj, origin: origin}
	c.name, _ = dig(obj, "metadata", "name").(string)
	group, _ := dig(obj, "spec", "group").(string)
	kind, _ := dig(obj, "spec", "names", "kind").(string)
	c.gk = schema.GroupKind{Group: group, Kind: kind}
	return c
}

// Lookup returns the CRD that declares the kind of apiVersion/kind, if any.
func (s *Set) Lookup(apiVersion, kind string) (*CRD, bool) {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		group = "" // core group: never a CRD
	}
	gk := schema.GroupKind{Group: group, Kind: kind}
	if c, ok := s.byGK[gk]; ok {
		return c, true
	}
	c, ok := s.embedded[gk]
	return c, ok
}

// Embedded reports whether the CRD is one shipped with emmdev (AddEmbedded).
func (c *CRD) Embedded() bool { return c.embedded }

// LookupEmbedded is Lookup among the embedded CRDs only. Unlike Lookup it
// is safe to call while Add is called: AddEmbedded must be done.
func (s *Set) LookupEmbedded(apiVersion, kind string) (*CRD, bool) {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return nil, false
	}
	c, ok := s.embedded[schema.GroupKind{Group: group, Kind: kind}]
	return c, ok
}

// Name is the CRD's metadata.name.
func (c *CRD) Name() string { return c.name }

// Check validates the CRD object itself as the API server does on create and
// reports why it is not used, if it is not. Issue paths point into the
// object given to Add.
func (c *CRD) Check() []Issue {
	c.compile()
	return c.issues
}

// Usable reports whether the CRD's kinds are validated with it, and if not, why.
func (c *CRD) Usable() (ok bool, why string) {
	c.compile()
	return c.unusable == "", c.unusable
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
